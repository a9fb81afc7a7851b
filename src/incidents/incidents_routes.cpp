#include "incidents/incidents_routes.h"

#include <fmt/format.h>

#include "auth/auth_routes.h"
#include "http/json_reader.h"
#include "incidents/report.h"
#include "sheets/download.h"

namespace mamori::incidents {

namespace {

namespace json = boost::json;
using http::Method;
using http::OrNull;
using http::Response;

constexpr std::size_t kMaxText = 4000;

Response Error(const mamori::Error& e, const http::Request& req) {
    return http::ErrorResponse(e, req.request_id);
}

json::array Strings(const std::vector<std::string>& v) {
    json::array a;
    for (const auto& s : v) a.emplace_back(s);
    return a;
}

json::object IncidentJson(const Incident& i) {
    json::array deadlines;
    for (const auto& d : i.deadlines)
        deadlines.push_back({{"key", d.deadline.key},
                             {"name", d.deadline.name},
                             {"to", d.deadline.to},
                             {"days", d.deadline.days},
                             {"due_on", d.deadline.due_on},
                             {"days_left", d.deadline.days_left},
                             {"state", d.done ? std::string("done")
                                              : std::string(DeadlineStateName(d.deadline.state))},
                             {"reported_on", d.reported_on}});
    json::value outside = nullptr;
    if (i.outside_reporter)
        outside = json::object{{"name", i.outside_reporter->name},
                               {"organisation", i.outside_reporter->organisation},
                               {"contact", i.outside_reporter->contact}};
    return {{"id", i.id},
            {"number", i.number},
            {"title", i.title},
            {"description", i.description},
            {"category", i.category},
            {"category_name", i.category_name},
            {"state", i.state},
            {"state_name", std::string(StateName(i.state))},
            {"severity", i.severity},
            {"severity_name", i.severity_name},
            {"escalated", i.escalated},
            {"discovered_at", i.discovered_at},
            {"discovered_on", i.discovered_on},
            {"occurred_at", i.occurred_at},
            {"unit_id", i.unit_id},
            {"unit_name", i.unit_name},
            {"system_ids", Strings(i.system_ids)},
            {"asset_ids", Strings(i.asset_ids)},
            {"control_refs", Strings(i.control_refs)},
            {"personal_information", i.personal_information},
            {"specific_personal_information", i.specific_personal_information},
            {"malicious", i.malicious},
            {"scope_estimate", i.scope_estimate},
            {"source", i.source},
            {"outside_reporter", outside},
            {"reporter_id", i.reporter_id},
            {"reporter_name", i.reporter_name},
            {"handler_id", i.handler_id},
            {"handler_name", i.handler_name},
            {"containment", i.containment},
            {"cause", i.cause},
            {"recurrence_prevention", i.recurrence_prevention},
            {"exception_request_id", i.exception_request_id},
            {"review_note", i.review_note},
            {"duplicate_of", i.duplicate_of},
            {"duplicate_of_number", i.duplicate_of_number},
            {"deadlines", std::move(deadlines)},
            {"names", i.names},
            {"can_manage", i.can_manage},
            {"transitions", Strings(i.transitions)},
            {"catalog_version", i.catalog_version},
            {"created_at", i.created_at},
            {"updated_at", i.updated_at},
            {"closed_at", i.closed_at}};
}

json::object EntryJson(const Entry& e) {
    json::array files;
    for (const auto& f : e.attachments)
        files.push_back({{"id", f.id},
                         {"filename", f.filename},
                         {"sha256", f.sha256},
                         {"size_bytes", f.size_bytes},
                         {"content_type", f.content_type}});
    return {{"id", e.id},
            {"seq", e.seq},
            {"at", e.at},
            {"author_id", e.author_id},
            {"author_name", e.author_name},
            {"kind", e.kind},
            {"text", e.text},
            {"outside_body", e.outside_body},
            {"reported_on", e.reported_on},
            {"deadline", e.deadline},
            {"corrects", e.corrects},
            {"attachments", std::move(files)}};
}

json::array CountsJson(const std::vector<Count>& counts, const char* key_name = "key") {
    json::array a;
    for (const auto& c : counts)
        a.push_back({{key_name, c.key}, {"name", c.name}, {"count", c.count}});
    return a;
}

Response Reply(const Result<Incident>& r, const http::Request& req, int status) {
    if (!r) return Error(r.error(), req);
    return Response::Json(status, IncidentJson(*r));
}

std::optional<OutsideReporter> ReadOutsideReporter(http::JsonReader& body) {
    auto o = body.OptionalObject("outside_reporter");
    if (!o) return std::nullopt;
    http::JsonReader r(std::move(*o));
    OutsideReporter out;
    // Checked by the service, which names the fields in Japanese.
    out.name = r.OptionalString("name", 100).value_or("");
    out.organisation = r.OptionalString("organisation", 200).value_or("");
    out.contact = r.OptionalString("contact", 200).value_or("");
    return out;
}

json::object RulesJson(const policy::IncidentRules& rules) {
    json::array categories, severities, deadlines, states, kinds, contacts, steps;
    for (const auto& c : rules.categories) categories.push_back({{"key", c.key}, {"name", c.name}});
    for (const auto& s : rules.severities)
        severities.push_back({{"key", s.key}, {"name", s.name}, {"description", s.description}});
    for (const auto& d : rules.deadlines)
        deadlines.push_back({{"key", d.key},
                             {"name", d.name},
                             {"to", d.to},
                             {"applies", d.applies},
                             {"days", d.days},
                             {"days_if_malicious", d.days_if_malicious},
                             {"warn_days", d.warn_days},
                             {"basis", d.basis}});
    for (const auto& s : States())
        states.push_back({{"key", s}, {"name", std::string(StateName(s))}});
    for (const auto& k : EntryKinds())
        kinds.push_back(
            {{"key", std::string(k.key)}, {"name", std::string(k.name)}, {"manual", k.manual}});
    for (const auto& c : rules.response_plan.contacts)
        contacts.push_back(
            {{"role", c.role}, {"name", c.name}, {"contact", c.contact}, {"note", c.note}});
    for (const auto& s : rules.response_plan.steps)
        steps.push_back({{"title", s.title}, {"detail", s.detail}});
    return {{"categories", std::move(categories)},
            {"severities", std::move(severities)},
            {"escalate_from", rules.escalate_from},
            {"outside_bodies", Strings(rules.outside_bodies)},
            {"deadlines", std::move(deadlines)},
            {"states", std::move(states)},
            {"entry_kinds", std::move(kinds)},
            {"response_plan",
             {{"name", rules.response_plan.name},
              {"contacts", std::move(contacts)},
              {"steps", std::move(steps)}}}};
}

}  // namespace

void AddIncidentRoutes(http::Router& router, IncidentsService& service) {
    IncidentsService* svc = &service;
    const std::string any(auth::kAnySession);
    const std::string manage = "incidents.manage";  // and the incident's unit in its scope

    router.Add(
        {Method::kGet, "/api/v1/incidents", any, http::RunOn::kWorker, [svc](http::Request& req) {
             IncidentFilter f;
             auto state = http::QueryText(req, "state", 20);
             auto severity = http::QueryText(req, "severity", 40);
             auto category = http::QueryText(req, "category", 40);
             auto unit = http::QueryText(req, "unit_id", 64);
             auto pi = http::QueryText(req, "personal_information", 5);
             auto open = http::QueryText(req, "open", 5);
             auto q = http::QueryText(req, "q", 100 * 4);
             auto cursor = http::QueryText(req, "cursor", 40);
             auto limit = http::QueryInt(req, "limit", 50, 1, 200);
             for (const auto* r : {&state, &severity, &category, &unit, &pi, &open, &q, &cursor})
                 if (!*r) return Error(r->error(), req);
             if (!limit) return Error(limit.error(), req);
             for (const auto& [name, v] :
                  {std::pair{"personal_information", &*pi}, std::pair{"open", &*open}})
                 if (!v->empty() && *v != "true" && *v != "false")
                     return Error(
                         mamori::Error::Invalid(
                             "invalid_field", fmt::format("{} は true か false です", name), name),
                         req);
             f.state = *state;
             f.severity = *severity;
             f.category = *category;
             f.unit_id = *unit;
             if (!pi->empty()) f.personal_information = *pi == "true";
             f.open = *open == "true";
             f.q = *q;
             f.cursor = *cursor;
             f.limit = static_cast<int>(*limit);
             auto page = svc->List(ContextOf(req), f);
             if (!page) return Error(page.error(), req);
             json::array items;
             for (const auto& i : page->items) items.push_back(IncidentJson(i));
             return Response::Json(200, json::object{{"items", std::move(items)},
                                                     {"next_cursor", OrNull(page->next_cursor)}});
         }});
    router.Add(
        {Method::kPost, "/api/v1/incidents", any, http::RunOn::kWorker, [svc](http::Request& req) {
             auto body = http::JsonReader::FromBody(req);
             if (!body) return Error(body.error(), req);
             NewIncident n;
             // Text is checked by the service, which names each field in Japanese.
             n.title = body->OptionalString("title", 200).value_or("");
             n.description = body->OptionalLongText("description", kMaxText).value_or("");
             n.category = body->OptionalString("category", 40).value_or("");
             n.discovered_at = body->OptionalString("discovered_at", 40).value_or("");
             n.occurred_at = body->OptionalString("occurred_at", 40).value_or("");
             n.unit_id = body->OptionalString("unit_id", 64).value_or("");
             n.system_ids = body->OptionalStringList("system_ids", 50, 64)
                                .value_or(std::vector<std::string>{});
             n.asset_ids =
                 body->OptionalStringList("asset_ids", 50, 64).value_or(std::vector<std::string>{});
             n.attachments = body->OptionalStringList("attachments", 10, 64)
                                 .value_or(std::vector<std::string>{});
             n.personal_information = body->OptionalBool("personal_information").value_or(false);
             n.specific_personal_information =
                 body->OptionalBool("specific_personal_information").value_or(false);
             n.malicious = body->OptionalBool("malicious").value_or(false);
             n.scope_estimate = body->OptionalLongText("scope_estimate", kMaxText).value_or("");
             n.outside_reporter = ReadOutsideReporter(*body);
             if (auto f = body->Finish(); !f) return Error(f.error(), req);
             return Reply(svc->Report(ContextOf(req), n), req, 201);
         }});
    router.Add({Method::kGet, "/api/v1/incidents/rules", any, http::RunOn::kWorker,
                [svc](http::Request& req) {
                    auto c = svc->CatalogInForce();
                    if (!c) return Error(c.error(), req);
                    return Response::Json(200, RulesJson((*c)->incident_rules()));
                }});
    router.Add({Method::kGet, "/api/v1/incidents/alerts", any, http::RunOn::kWorker,
                [svc](http::Request& req) {
                    auto alerts = svc->Alerts(ContextOf(req));
                    if (!alerts) return Error(alerts.error(), req);
                    json::array items;
                    for (const auto& a : *alerts)
                        items.push_back({{"incident_id", a.incident_id},
                                         {"number", a.number},
                                         {"title", a.title},
                                         {"severity", a.severity},
                                         {"severity_name", a.severity_name},
                                         {"reason", a.reason},
                                         {"sent_at", a.sent_at}});
                    const auto count = static_cast<std::int64_t>(items.size());
                    return Response::Json(
                        200, json::object{{"count", count}, {"items", std::move(items)}});
                }});
    router.Add({Method::kGet, "/api/v1/incidents/stats", "incidents.read", http::RunOn::kWorker,
                [svc](http::Request& req) {
                    // 0: this fiscal year (April to March, Japan time).
                    auto fy = http::QueryInt(req, "fiscal_year", 0, 0, 2100);
                    if (!fy) return Error(fy.error(), req);
                    auto s = svc->StatsOf(ContextOf(req), static_cast<int>(*fy));
                    if (!s) return Error(s.error(), req);
                    return Response::Json(
                        200, json::object{{"fiscal_year", s->fiscal_year},
                                          {"from", s->from},
                                          {"to", s->to},
                                          {"total", s->total},
                                          {"personal_information", s->personal_information},
                                          {"by_category", CountsJson(s->by_category)},
                                          {"by_severity", CountsJson(s->by_severity)},
                                          {"by_unit", CountsJson(s->by_unit, "unit_id")},
                                          {"by_month", CountsJson(s->by_month, "month")},
                                          {"by_state", CountsJson(s->by_state)}});
                }});
    router.Add({Method::kGet, "/api/v1/incidents/{id}", any, http::RunOn::kWorker,
                [svc](http::Request& req) {
                    return Reply(svc->Get(ContextOf(req), std::string(req.Param("id"))), req, 200);
                }});
    router.Add(
        {Method::kPatch, "/api/v1/incidents/{id}", manage, http::RunOn::kWorker,
         [svc](http::Request& req) {
             auto body = http::JsonReader::FromBody(req);
             if (!body) return Error(body.error(), req);
             IncidentChange c;
             c.title = body->OptionalString("title", 200);
             c.description = body->OptionalLongText("description", kMaxText);
             c.category = body->OptionalString("category", 40);
             c.severity = body->OptionalString("severity", 40);
             c.occurred_at = body->OptionalString("occurred_at", 40);
             c.unit_id = body->OptionalString("unit_id", 64);
             c.system_ids = body->OptionalStringList("system_ids", 50, 64);
             c.asset_ids = body->OptionalStringList("asset_ids", 50, 64);
             c.control_refs = body->OptionalStringList("control_refs", 50, 40);
             c.personal_information = body->OptionalBool("personal_information");
             c.specific_personal_information = body->OptionalBool("specific_personal_information");
             c.malicious = body->OptionalBool("malicious");
             c.scope_estimate = body->OptionalLongText("scope_estimate", kMaxText);
             c.handler_id = body->OptionalString("handler_id", 64);
             c.containment = body->OptionalLongText("containment", kMaxText);
             c.cause = body->OptionalLongText("cause", kMaxText);
             c.recurrence_prevention = body->OptionalLongText("recurrence_prevention", kMaxText);
             c.exception_request_id = body->OptionalString("exception_request_id", 64);
             c.review_note = body->OptionalLongText("review_note", kMaxText);
             if (auto f = body->Finish(); !f) return Error(f.error(), req);
             return Reply(svc->Update(ContextOf(req), std::string(req.Param("id")), c), req, 200);
         }});
    router.Add({Method::kPost, "/api/v1/incidents/{id}/transitions", manage, http::RunOn::kWorker,
                [svc](http::Request& req) {
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Error(body.error(), req);
                    Transition t;
                    t.to = body->OptionalString("to", 20).value_or("");
                    t.comment = body->OptionalLongText("comment", 2000).value_or("");
                    t.severity = body->OptionalString("severity", 40).value_or("");
                    t.duplicate_of = body->OptionalString("duplicate_of", 64).value_or("");
                    if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    return Reply(svc->Move(ContextOf(req), std::string(req.Param("id")), t), req,
                                 200);
                }});
    router.Add({Method::kGet, "/api/v1/incidents/{id}/timeline", any, http::RunOn::kWorker,
                [svc](http::Request& req) {
                    auto t = svc->Timeline(ContextOf(req), std::string(req.Param("id")));
                    if (!t) return Error(t.error(), req);
                    json::array items;
                    for (const auto& e : *t) items.push_back(EntryJson(e));
                    return Response::Json(200, json::object{{"items", std::move(items)}});
                }});
    router.Add({Method::kPost, "/api/v1/incidents/{id}/timeline", any, http::RunOn::kWorker,
                [svc](http::Request& req) {
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Error(body.error(), req);
                    NewEntry n;
                    n.kind = body->OptionalString("kind", 40).value_or("");
                    n.text = body->OptionalLongText("text", kMaxText).value_or("");
                    n.outside_body = body->OptionalString("outside_body", 100).value_or("");
                    n.reported_on = body->OptionalString("reported_on", 10).value_or("");
                    n.deadline = body->OptionalString("deadline", 40).value_or("");
                    n.corrects =
                        static_cast<int>(body->OptionalInt("corrects", 1, 1000000).value_or(0));
                    n.attachments = body->OptionalStringList("attachments", 10, 64)
                                        .value_or(std::vector<std::string>{});
                    if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    auto e = svc->AddEntry(ContextOf(req), std::string(req.Param("id")), n);
                    if (!e) return Error(e.error(), req);
                    return Response::Json(201, EntryJson(*e));
                }});
    router.Add({Method::kGet, "/api/v1/incidents/{id}/notifications", any, http::RunOn::kWorker,
                [svc](http::Request& req) {
                    auto ns = svc->Notifications(ContextOf(req), std::string(req.Param("id")));
                    if (!ns) return Error(ns.error(), req);
                    json::array items;
                    for (const auto& n : *ns)
                        items.push_back({{"person_id", n.person_id},
                                         {"person_name", n.person_name},
                                         {"role", n.role},
                                         {"role_name", n.role_name},
                                         {"reason", n.reason},
                                         {"sent_at", n.sent_at},
                                         {"email", n.email},
                                         {"opened_at", n.opened_at}});
                    return Response::Json(200, json::object{{"items", std::move(items)}});
                }});
    router.Add({Method::kGet, "/api/v1/incidents/{id}/report", any, http::RunOn::kWorker,
                [svc](http::Request& req) {
                    auto format = http::QueryText(req, "format", 10);
                    if (!format) return Error(format.error(), req);
                    if (*format != "html" && *format != "xlsx")
                        return Error(mamori::Error::Invalid(
                                         "invalid_field", "format は html か xlsx です", "format"),
                                     req);
                    const Context ctx = ContextOf(req);
                    const std::string id(req.Param("id"));
                    auto i = svc->Get(ctx, id);
                    if (!i) return Error(i.error(), req);
                    auto t = svc->Timeline(ctx, id);
                    if (!t) return Error(t.error(), req);
                    auto ns = svc->Notifications(ctx, id);
                    if (!ns) return Error(ns.error(), req);
                    auto c = svc->CatalogInForce();
                    if (!c) return Error(c.error(), req);
                    const ReportInput in{
                        *i, *t, *ns, (*c)->incident_rules(), svc->Today(), ctx.actor->display_name};
                    if (*format == "xlsx") {
                        auto f = ReportXlsx(in);
                        if (!f) return Error(f.error(), req);
                        return sheets::Download(std::move(*f));
                    }
                    Response r = Response::Text(200, "text/html; charset=utf-8", ReportHtml(in));
                    // Shown in its own tab for printing: nothing in it may run or load.
                    r.headers.push_back({"Content-Security-Policy",
                                         "default-src 'none'; style-src 'unsafe-inline'"});
                    r.headers.push_back({"Cache-Control", "private, no-store"});
                    return r;
                }});
}

}  // namespace mamori::incidents
