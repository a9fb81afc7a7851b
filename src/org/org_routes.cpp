#include "org/org_routes.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>

#include "audit/audit.h"
#include "http/json_reader.h"
#include "org/import.h"
#include "store/read_cache.h"

namespace mamori::org {

namespace {

namespace json = boost::json;
using http::Method;
using http::Request;
using http::Response;

constexpr std::size_t kMaxNameChars = 100;
constexpr std::size_t kMaxIdChars = 64;

using http::OrNull;

json::object ToJson(const Unit& u) {
    return {{"id", u.id},
            {"name", u.name},
            {"kind", u.kind},
            {"parent_id", OrNull(u.parent_id)},
            {"status", u.status},
            {"closed_on", OrNull(u.closed_on)},
            {"depth", u.depth},
            {"created_at", u.created_at},
            {"updated_at", u.updated_at}};
}

json::object ToJson(const Appointment& a, const RoleCatalog& catalog) {
    const Role* role = catalog.Find(a.role);
    return {{"id", a.id},
            {"person_id", a.person_id},
            {"role", a.role},
            {"role_name", role ? role->name : a.role},
            {"unit_id", OrNull(a.unit_id)},
            {"system_id", OrNull(a.system_id)},
            {"starts_on", a.starts_on},
            {"ends_on", OrNull(a.ends_on)},
            {"created_at", a.created_at},
            {"updated_at", a.updated_at}};
}

json::object ToJson(const Person& p, const RoleCatalog& catalog, bool with_appointments) {
    json::object o{{"id", p.id},
                   {"username", p.username},
                   {"display_name", p.display_name},
                   {"reading", p.reading},
                   {"email", p.email},
                   {"unit_id", OrNull(p.unit_id)},
                   {"employment_type", p.employment_type},
                   {"employment_type_label", EmploymentTypeLabel(p.employment_type)},
                   {"status", p.status},
                   {"left_on", OrNull(p.left_on)},
                   {"platform_admin", p.platform_admin},
                   {"must_change_password", p.must_change_password},
                   {"locked", p.locked},
                   {"created_at", p.created_at},
                   {"updated_at", p.updated_at}};
    if (with_appointments) {
        json::array list;
        for (const auto& a : p.appointments) list.push_back(ToJson(a, catalog));
        o["appointments"] = std::move(list);
    }
    return o;
}

template <typename T, typename F>
json::object PageJson(const Page<T>& page, F&& to_json) {
    json::array items;
    for (const auto& x : page.items) items.push_back(to_json(x));
    return {{"items", std::move(items)}, {"next_cursor", OrNull(page.next_cursor)}};
}

Response Error(const mamori::Error& e, const Request& req) {
    return http::ErrorResponse(e, req.request_id);
}

std::string QueryString(const Request& req, std::string_view name) {
    auto v = req.Query(name);
    return v ? std::string(*v) : std::string();
}

/// The body must be CSV; `?dry_run=true|false` (default false).
Result<bool> ImportDryRun(const Request& req) {
    auto type = req.Header("content-type");
    if (!type || type->substr(0, 8) != "text/csv")
        return Fail(mamori::Error::Invalid("unsupported_media_type",
                                           "本文は CSV (Content-Type: text/csv) で送ってください"));
    const std::string dry = QueryString(req, "dry_run");
    if (!dry.empty() && dry != "true" && dry != "false")
        return Fail(
            mamori::Error::Invalid("invalid_field", "dry_run は true か false です", "dry_run"));
    return dry == "true";
}

/// 400 with every row's problems, or the rows read (200 for a dry run, 201 when written).
Response ImportResponse(const Request& req, bool dry_run, bool written, const std::string& encoding,
                        const std::vector<ImportRowError>& errors, json::array items) {
    if (!errors.empty()) {
        json::array rows;
        for (const auto& e : errors)
            rows.push_back({{"row", e.row}, {"column", OrNull(e.column)}, {"message", e.message}});
        return Response::Json(
            400, json::object{
                     {"error",
                      {{"code", "invalid_csv_rows"},
                       {"message", fmt::format("{} 件の誤りがあるため、1 件も取り込んでいません",
                                               errors.size())},
                       {"details", {{"rows", std::move(rows)}}},
                       {"request_id", req.request_id}}}});
    }
    const auto count = items.size();
    return Response::Json(written ? 201 : 200, json::object{{"dry_run", dry_run},
                                                            {"written", written},
                                                            {"encoding", encoding},
                                                            {"count", count},
                                                            {"items", std::move(items)}});
}

/// ?limit= as 1..kMaxPageSize (default 50).
Result<int> QueryLimit(const Request& req) {
    auto v = req.Query("limit");
    if (!v) return 50;
    int n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || end != v->data() + v->size() || n < 1 || n > kMaxPageSize)
        return Fail(mamori::Error::Invalid(
            "invalid_field", fmt::format("limit は 1 から {} までの整数です", kMaxPageSize),
            "limit"));
    return n;
}

/// A JSON body that may be absent (actions whose fields are all optional).
Result<http::JsonReader> OptionalBody(const Request& req) {
    if (req.body.empty()) return http::JsonReader(json::object{});
    return http::JsonReader::FromBody(req);
}

template <typename T, typename F>
Response Reply(const Result<T>& r, const Request& req, int status, F&& to_json) {
    if (!r) return Error(r.error(), req);
    return Response::Json(status, to_json(*r));
}

// What decides a page of the people list: who asks (their grants set the scope) and the
// filter. Each field is written with its length, so no value can pass for another.
std::string PeoplePageKey(const Principal& p, const PersonFilter& f) {
    std::string key;
    auto add = [&key](std::string_view s) { key.append(fmt::format("{}:", s.size())).append(s); };
    add(p.person_id);
    for (const auto& g : p.grants) {
        add(g.role);
        add(g.unit_id);
    }
    for (const std::string* s : {&f.unit_id, &f.status, &f.employment_type, &f.q, &f.cursor})
        add(*s);
    key.append(std::to_string(f.limit));
    return key;
}

}  // namespace

void AddOrgRoutes(http::Router& router, OrgService& service, std::chrono::milliseconds read_cache) {
    OrgService* svc = &service;
    // The people list is the page every organisation screen opens with: its serialised
    // pages are kept per caller (their grants decide what they may see) and filter.
    auto people_pages =
        std::make_shared<store::ReadCache<std::string>>(service.database(), read_cache, 1024);
    const RoleCatalog* catalog = &service.catalog();
    auto unit_json = [](const Unit& u) { return ToJson(u); };
    auto person_json = [catalog](const Person& p) { return ToJson(p, *catalog, false); };
    auto person_full = [catalog](const Person& p) { return ToJson(p, *catalog, true); };
    auto appt_json = [catalog](const Appointment& a) { return ToJson(a, *catalog); };

    // ---- units
    router.Add(
        {Method::kGet, "/api/v1/units", "org.read", http::RunOn::kWorker, [svc](Request& req) {
             auto r = svc->ListUnits(ContextOf(req), {.status = QueryString(req, "status")});
             if (!r) return Error(r.error(), req);
             json::array items;
             for (const auto& u : *r) items.push_back(ToJson(u));
             return Response::Json(
                 200, json::object{{"items", std::move(items)}, {"next_cursor", nullptr}});
         }});
    router.Add({Method::kPost, "/api/v1/units", "org.manage", http::RunOn::kWorker,
                [svc, unit_json](Request& req) {
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Error(body.error(), req);
                    NewUnit u;
                    u.name = body->RequiredString("name", kMaxNameChars);
                    u.kind = body->RequiredChoice("kind", {"department", "section", "team"});
                    u.parent_id = body->OptionalString("parent_id", kMaxIdChars).value_or("");
                    if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    return Reply(svc->CreateUnit(ContextOf(req), u), req, 201, unit_json);
                }});
    router.Add({Method::kGet, "/api/v1/units/{id}", "org.read", http::RunOn::kWorker,
                [svc, unit_json](Request& req) {
                    return Reply(svc->GetUnit(ContextOf(req), std::string(req.Param("id"))), req,
                                 200, unit_json);
                }});
    router.Add({Method::kPatch, "/api/v1/units/{id}", "org.manage", http::RunOn::kWorker,
                [svc, unit_json](Request& req) {
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Error(body.error(), req);
                    UnitUpdate u;
                    u.name = body->OptionalString("name", kMaxNameChars);
                    if (body->Has("parent_id"))
                        u.parent_id = body->OptionalString("parent_id", kMaxIdChars).value_or("");
                    if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    return Reply(svc->UpdateUnit(ContextOf(req), std::string(req.Param("id")), u),
                                 req, 200, unit_json);
                }});
    router.Add({Method::kPost, "/api/v1/units/{id}/close", "org.manage", http::RunOn::kWorker,
                [svc, unit_json](Request& req) {
                    auto body = OptionalBody(req);
                    if (!body) return Error(body.error(), req);
                    auto closed_on = body->OptionalDate("closed_on").value_or("");
                    if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    return Reply(
                        svc->CloseUnit(ContextOf(req), std::string(req.Param("id")), closed_on),
                        req, 200, unit_json);
                }});

    // ---- people
    router.Add({Method::kGet, "/api/v1/people", "org.read", http::RunOn::kWorker,
                [svc, person_json, people_pages](Request& req) {
                    auto limit = QueryLimit(req);
                    if (!limit) return Error(limit.error(), req);
                    PersonFilter f{.unit_id = QueryString(req, "unit_id"),
                                   .status = QueryString(req, "status"),
                                   .employment_type = QueryString(req, "employment_type"),
                                   .q = QueryString(req, "q"),
                                   .cursor = QueryString(req, "cursor"),
                                   .limit = *limit};
                    const std::string key = PeoplePageKey(*req.principal, f);
                    if (auto hit = people_pages->Get(key))
                        return Response::Text(200, "application/json", *hit);
                    const auto generation = people_pages->Generation();
                    auto r = svc->ListPeople(ContextOf(req), f);
                    if (!r) return Error(r.error(), req);
                    auto response = Response::Json(200, PageJson(*r, person_json));
                    people_pages->Put(key, response.body, generation);
                    return response;
                }});
    router.Add({Method::kPost, "/api/v1/people", "org.manage", http::RunOn::kWorker,
                [svc, person_json](Request& req) {
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Error(body.error(), req);
                    NewPerson p;
                    p.username = body->RequiredString("username", 32);
                    p.display_name = body->RequiredString("display_name", kMaxNameChars);
                    p.reading = body->OptionalString("reading", kMaxNameChars).value_or("");
                    p.email = body->OptionalString("email", 254).value_or("");
                    p.unit_id = body->RequiredString("unit_id", kMaxIdChars);
                    p.employment_type =
                        body->OptionalChoice("employment_type",
                                             {"regular", "fiscal_year", "contractor", "other"})
                            .value_or("regular");
                    p.password = body->RequiredString("password", 200);
                    if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    return Reply(svc->CreatePerson(ContextOf(req), p), req, 201, person_json);
                }});
    router.Add({Method::kPost, "/api/v1/people/import", "org.manage", http::RunOn::kWorker,
                [svc](Request& req) {
                    auto dry_run = ImportDryRun(req);
                    if (!dry_run) return Error(dry_run.error(), req);
                    auto r = ImportPeople(*svc, ContextOf(req), req.body, *dry_run);
                    if (!r) return Error(r.error(), req);
                    json::array people;
                    for (const auto& p : r->people)
                        people.push_back({{"row", p.row},
                                          {"id", OrNull(p.id)},
                                          {"username", p.username},
                                          {"display_name", p.display_name},
                                          {"reading", p.reading},
                                          {"email", p.email},
                                          {"unit_id", OrNull(p.unit_id)},
                                          {"unit_name", p.unit_name},
                                          {"employment_type", p.employment_type}});
                    return ImportResponse(req, r->dry_run, r->written, r->encoding, r->errors,
                                          std::move(people));
                }});
    router.Add({Method::kPost, "/api/v1/units/import", "org.manage", http::RunOn::kWorker,
                [svc](Request& req) {
                    auto dry_run = ImportDryRun(req);
                    if (!dry_run) return Error(dry_run.error(), req);
                    auto r = ImportUnits(*svc, ContextOf(req), req.body, *dry_run);
                    if (!r) return Error(r.error(), req);
                    json::array units;
                    for (const auto& u : r->units)
                        units.push_back({{"row", u.row},
                                         {"id", OrNull(u.id)},
                                         {"name", u.name},
                                         {"kind", u.kind},
                                         {"parent", u.parent}});
                    return ImportResponse(req, r->dry_run, r->written, r->encoding, r->errors,
                                          std::move(units));
                }});
    router.Add({Method::kGet, "/api/v1/people/{id}/history", "org.read", http::RunOn::kWorker,
                [svc](Request& req) {
                    auto limit = QueryLimit(req);
                    if (!limit) return Error(limit.error(), req);
                    auto events =
                        svc->PersonHistory(ContextOf(req), std::string(req.Param("id")), *limit);
                    if (!events) return Error(events.error(), req);
                    json::array items;
                    for (const auto& e : *events) items.push_back(audit::ToJson(e));
                    return Response::Json(
                        200, json::object{{"items", std::move(items)}, {"next_cursor", nullptr}});
                }});
    router.Add({Method::kGet, "/api/v1/people/{id}", "org.read", http::RunOn::kWorker,
                [svc, person_full](Request& req) {
                    return Reply(svc->GetPerson(ContextOf(req), std::string(req.Param("id"))), req,
                                 200, person_full);
                }});
    router.Add({Method::kPatch, "/api/v1/people/{id}", "org.manage", http::RunOn::kWorker,
                [svc, person_json](Request& req) {
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Error(body.error(), req);
                    PersonUpdate u;
                    u.display_name = body->OptionalString("display_name", kMaxNameChars);
                    if (body->Has("reading"))
                        u.reading = body->OptionalString("reading", kMaxNameChars).value_or("");
                    if (body->Has("email"))
                        u.email = body->OptionalString("email", 254).value_or("");
                    u.unit_id = body->OptionalString("unit_id", kMaxIdChars);
                    u.employment_type = body->OptionalChoice(
                        "employment_type", {"regular", "fiscal_year", "contractor", "other"});
                    if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    return Reply(svc->UpdatePerson(ContextOf(req), std::string(req.Param("id")), u),
                                 req, 200, person_json);
                }});
    auto simple_action = [&](const char* path, const char* permission, auto call) {
        router.Add({Method::kPost, path, permission, http::RunOn::kWorker,
                    [svc, person_json, call](Request& req) {
                        auto body = OptionalBody(req);
                        if (!body) return Error(body.error(), req);
                        if (auto f = body->Finish(); !f) return Error(f.error(), req);
                        return Reply(call(*svc, ContextOf(req), std::string(req.Param("id"))), req,
                                     200, person_json);
                    }});
    };
    simple_action("/api/v1/people/{id}/suspend", "org.manage",
                  [](OrgService& s, const Context& c, const std::string& id) {
                      return s.SuspendPerson(c, id);
                  });
    simple_action("/api/v1/people/{id}/reactivate", "org.manage",
                  [](OrgService& s, const Context& c, const std::string& id) {
                      return s.ReactivatePerson(c, id);
                  });
    simple_action("/api/v1/people/{id}/unlock", "accounts.manage",
                  [](OrgService& s, const Context& c, const std::string& id) {
                      return s.UnlockPerson(c, id);
                  });
    router.Add({Method::kPost, "/api/v1/people/{id}/leave", "org.manage", http::RunOn::kWorker,
                [svc, person_json](Request& req) {
                    auto body = OptionalBody(req);
                    if (!body) return Error(body.error(), req);
                    auto left_on = body->OptionalDate("left_on").value_or("");
                    if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    return Reply(
                        svc->LeavePerson(ContextOf(req), std::string(req.Param("id")), left_on),
                        req, 200, person_json);
                }});
    router.Add({Method::kPost, "/api/v1/people/{id}/reset-password", "accounts.manage",
                http::RunOn::kWorker, [svc, person_json](Request& req) {
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Error(body.error(), req);
                    auto password = body->RequiredString("password", 200);
                    if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    return Reply(
                        svc->ResetPassword(ContextOf(req), std::string(req.Param("id")), password),
                        req, 200, person_json);
                }});

    router.Add({Method::kPost, "/api/v1/people/{id}/reset-mfa", "accounts.manage",
                http::RunOn::kWorker, [svc, person_json](Request& req) {
                    if (!req.body.empty()) {  // no fields; an empty JSON object is fine
                        auto body = http::JsonReader::FromBody(req);
                        if (!body) return Error(body.error(), req);
                        if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    }
                    return Reply(svc->ResetMfa(ContextOf(req), std::string(req.Param("id"))), req,
                                 200, person_json);
                }});

    // ---- appointments
    router.Add({Method::kGet, "/api/v1/appointments", "org.read", http::RunOn::kWorker,
                [svc, appt_json](Request& req) {
                    auto limit = QueryLimit(req);
                    if (!limit) return Error(limit.error(), req);
                    AppointmentFilter f{.person_id = QueryString(req, "person_id"),
                                        .unit_id = QueryString(req, "unit_id"),
                                        .system_id = QueryString(req, "system_id"),
                                        .role = QueryString(req, "role"),
                                        .current_on = QueryString(req, "current_on"),
                                        .cursor = QueryString(req, "cursor"),
                                        .limit = *limit};
                    auto r = svc->ListAppointments(ContextOf(req), f);
                    if (!r) return Error(r.error(), req);
                    return Response::Json(200, PageJson(*r, appt_json));
                }});
    router.Add({Method::kPost, "/api/v1/appointments", "org.manage", http::RunOn::kWorker,
                [svc, appt_json](Request& req) {
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Error(body.error(), req);
                    NewAppointment a;
                    a.person_id = body->RequiredString("person_id", kMaxIdChars);
                    a.role = body->RequiredString("role", kMaxIdChars);
                    a.unit_id = body->OptionalString("unit_id", kMaxIdChars).value_or("");
                    a.system_id = body->OptionalString("system_id", kMaxIdChars).value_or("");
                    a.starts_on = body->RequiredDate("starts_on");
                    a.ends_on = body->OptionalDate("ends_on");
                    if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    return Reply(svc->CreateAppointment(ContextOf(req), a), req, 201, appt_json);
                }});
    router.Add({Method::kGet, "/api/v1/appointments/{id}", "org.read", http::RunOn::kWorker,
                [svc, appt_json](Request& req) {
                    return Reply(svc->GetAppointment(ContextOf(req), std::string(req.Param("id"))),
                                 req, 200, appt_json);
                }});
    router.Add({Method::kPost, "/api/v1/appointments/{id}/end", "org.manage", http::RunOn::kWorker,
                [svc, appt_json](Request& req) {
                    auto body = OptionalBody(req);
                    if (!body) return Error(body.error(), req);
                    auto ends_on = body->OptionalDate("ends_on").value_or("");
                    if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    return Reply(
                        svc->EndAppointment(ContextOf(req), std::string(req.Param("id")), ends_on),
                        req, 200, appt_json);
                }});

    // ---- roles
    router.Add(
        {Method::kGet, "/api/v1/roles", "session", http::RunOn::kWorker, [catalog](Request&) {
             json::array items;
             for (const auto& r : catalog->roles()) {
                 json::array perms;
                 for (const auto& p : r.permissions) perms.emplace_back(p);
                 const char* scope = r.scope == RoleScope::kSubtree        ? "subtree"
                                     : r.scope == RoleScope::kOrganisation ? "organisation"
                                                                           : "own";
                 items.push_back({{"key", r.key},
                                  {"name", r.name},
                                  {"description", r.description},
                                  {"scope", scope},
                                  {"system", r.for_system},
                                  {"permissions", std::move(perms)}});
             }
             json::array rules;
             for (const auto& rule : catalog->incompatible())
                 rules.push_back(
                     {{"name", rule.name}, {"roles", json::array{rule.first, rule.second}}});
             json::array escalation;
             for (const auto& e : catalog->escalation()) escalation.emplace_back(e);
             return Response::Json(200,
                                   json::object{{"items", std::move(items)},
                                                {"next_cursor", nullptr},
                                                {"incompatible_roles", std::move(rules)},
                                                {"approval_escalation", std::move(escalation)}});
         }});
}

}  // namespace mamori::org
