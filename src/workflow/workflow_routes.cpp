#include "workflow/workflow_routes.h"

#include <fmt/format.h>

#include "audit/audit.h"
#include "auth/auth_routes.h"
#include "http/json_reader.h"
#include "sheets/download.h"
#include "workflow/lookup.h"

namespace mamori::workflow {

namespace {

namespace json = boost::json;
using http::Method;
using http::Response;

constexpr std::size_t kMaxTitleChars = 200;
constexpr std::size_t kMaxCommentChars = 2000;

using http::OrNull;

Response Error(const mamori::Error& e, const http::Request& req) {
    return http::ErrorResponse(e, req.request_id);
}

json::object StepJson(const Step& s) {
    json::array escalation;
    for (const auto& e : s.escalation)
        escalation.push_back({{"role", e.role}, {"reason", e.reason}, {"message", e.message}});
    return {{"seq", s.seq},
            {"role", s.role},
            {"system_id", OrNull(s.system_id)},
            {"label", s.label},
            {"state", s.state},
            {"approver_id", OrNull(s.approver_id)},
            {"approver_name", OrNull(s.approver_name)},
            {"approver_role", OrNull(s.approver_role)},
            {"escalation", std::move(escalation)},
            {"decided_by", OrNull(s.decided_by)},
            {"decided_at", OrNull(s.decided_at)},
            {"comment", OrNull(s.comment)}};
}

json::object RequestJson(const Request& q) {
    json::array steps;
    for (const auto& s : q.steps) steps.push_back(StepJson(s));
    return {{"id", q.id},
            {"number", q.number},
            {"type", q.type},
            {"type_name", q.type_name},
            {"catalog_version", q.catalog_version},
            {"title", q.title},
            {"applicant_id", q.applicant_id},
            {"applicant_name", q.applicant_name},
            {"unit_id", q.unit_id},
            {"unit_name", q.unit_name},
            {"state", q.state},
            {"form", q.form},
            {"round", q.round},
            {"step", q.step},
            {"valid_from", OrNull(q.valid_from)},
            {"valid_until", OrNull(q.valid_until)},
            {"submitted_at", q.submitted_at},
            {"decided_at", OrNull(q.decided_at)},
            {"created_at", q.created_at},
            {"updated_at", q.updated_at},
            {"steps", std::move(steps)},
            {"waiting_step", OrNull(q.waiting_step)},
            {"waiting_for", OrNull(q.waiting_for)},
            {"names", q.names}};
}

json::object ListJson(const std::vector<Request>& items, const std::string& cursor) {
    json::array a;
    for (const auto& q : items) a.push_back(RequestJson(q));
    return {{"items", std::move(a)}, {"next_cursor", OrNull(cursor)}};
}

Response Reply(const Result<workflow::Request>& r, const http::Request& req, int status) {
    if (!r) return Error(r.error(), req);
    return Response::Json(status, RequestJson(*r));
}

// {type, title, form} of a submission ({title, form, comment} of a resubmission).
Result<NewRequest> ReadSubmission(http::JsonReader& body, bool with_type) {
    NewRequest n;
    if (with_type) n.type = body.RequiredString("type", 40);
    // Checked by the service, which names the field in Japanese (件名).
    n.title = body.OptionalString("title", kMaxTitleChars).value_or("");
    n.form = body.OptionalObject("form").value_or(json::object{});
    return n;
}

json::object EntryJson(const ExceptionEntry& e) {
    json::array reviews;
    for (const auto& r : e.reviews)
        reviews.push_back({{"id", r.id},
                           {"reviewed_on", r.reviewed_on},
                           {"result", r.result},
                           {"note", r.note},
                           {"next_review_on", OrNull(r.next_review_on)},
                           {"reviewer_id", r.reviewer_id},
                           {"reviewer_name", r.reviewer_name}});
    json::object o = RequestJson(e.request);
    o["review_due_on"] = OrNull(e.review_due_on);
    o["overdue"] = e.overdue;
    o["reviews"] = std::move(reviews);
    return o;
}

json::object AttachmentJson(const Attachment& a) {
    return {{"id", a.id},
            {"filename", a.filename},
            {"content_type", a.content_type},
            {"size_bytes", a.size_bytes},
            {"sha256", a.sha256},
            {"uploaded_by", a.uploaded_by},
            {"uploaded_at", a.uploaded_at},
            {"request_id", OrNull(a.request_id)}};
}

}  // namespace

json::object RequestTypeJson(const policy::RequestType& t) {
    json::array fields;
    for (const auto& f : t.fields) {
        json::object o{{"key", f.key},
                       {"label", f.label},
                       {"type", std::string(policy::FieldTypeName(f.type))},
                       {"required", f.required},
                       {"multiple", f.multiple},
                       {"help", OrNull(f.help)}};
        if (f.max_length) o["max_length"] = f.max_length;
        if (f.min) o["min"] = *f.min;
        if (f.max) o["max"] = *f.max;
        if (!f.options.empty()) {
            json::array options;
            for (const auto& opt : f.options)
                options.push_back({{"value", opt.value}, {"label", opt.label}});
            o["options"] = std::move(options);
        }
        fields.push_back(std::move(o));
    }
    json::array chain;
    for (const auto& s : t.chain) {
        json::object o{{"label", OrNull(s.label)}};
        if (s.from_handling()) {
            o["from_handling"] = {{"field", s.handling_field}, {"rule", s.handling_rule}};
        } else {
            o["role"] = s.role;
            if (!s.system_field.empty()) o["system_field"] = s.system_field;
        }
        if (s.when) {
            json::object w{{"field", s.when->field}};
            if (s.when->equals) w["equals"] = *s.when->equals;
            if (!s.when->in.empty()) w["in"] = json::value_from(s.when->in);
            if (!s.when->confidentiality_at_least.empty())
                w["confidentiality_at_least"] = s.when->confidentiality_at_least;
            o["when"] = std::move(w);
        }
        chain.push_back(std::move(o));
    }
    json::value validity = nullptr;
    if (t.validity)
        validity =
            json::object{{"field", t.validity->field},
                         {"max_days", t.validity->max_days ? json::value(t.validity->max_days)
                                                           : json::value(nullptr)},
                         {"expiring_soon_days", t.validity->expiring_soon_days}};
    json::value privileged = nullptr;
    if (t.privileged_access)
        privileged = json::object{{"system_field", t.privileged_access->system_field},
                                  {"account_field", t.privileged_access->account_field}};
    return {{"key", t.key},
            {"prefix", t.prefix},
            {"name", t.name},
            {"description", t.description},
            {"refs", json::value_from(t.refs)},
            {"exception", t.exception},
            {"validity", std::move(validity)},
            {"privileged_access", std::move(privileged)},
            {"fields", std::move(fields)},
            {"chain", std::move(chain)}};
}

void AddWorkflowRoutes(http::Router& router, WorkflowService& service, ExceptionsLedger& ledger,
                       AttachmentStore& attachments, AttachmentVisibility others) {
    WorkflowService* svc = &service;
    ExceptionsLedger* book = &ledger;
    AttachmentStore* files = &attachments;
    const std::string any(auth::kAnySession);

    router.Add({Method::kGet, "/api/v1/request-types", any, http::RunOn::kWorker,
                [svc](http::Request& req) {
                    auto c = svc->CatalogInForce();
                    if (!c) return Error(c.error(), req);
                    json::array items;
                    for (const auto& t : (*c)->request_types()) items.push_back(RequestTypeJson(t));
                    return Response::Json(
                        200, json::object{{"items", std::move(items)}, {"next_cursor", nullptr}});
                }});
    router.Add({Method::kGet, "/api/v1/request-types/{key}", any, http::RunOn::kWorker,
                [svc](http::Request& req) {
                    auto c = svc->CatalogInForce();
                    if (!c) return Error(c.error(), req);
                    const auto* t = (*c)->FindRequestType(req.Param("key"));
                    if (!t)
                        return Error(mamori::Error::NotFound("申請の種類が見つかりません"), req);
                    return Response::Json(200, RequestTypeJson(*t));
                }});
    router.Add(
        {Method::kGet, "/api/v1/requests", any, http::RunOn::kWorker, [svc](http::Request& req) {
             RequestFilter f;
             auto type = http::QueryText(req, "type", 40);
             auto state = http::QueryText(req, "state", 20);
             auto mine = http::QueryText(req, "mine", 5);
             auto cursor = http::QueryText(req, "cursor", 64);
             auto q = http::QueryText(req, "q", 100 * 4);
             auto limit = http::QueryInt(req, "limit", 50, 1, 200);
             for (const auto* r : {&type, &state, &mine, &cursor, &q})
                 if (!*r) return Error(r->error(), req);
             if (!limit) return Error(limit.error(), req);
             if (!mine->empty() && *mine != "true" && *mine != "false")
                 return Error(
                     mamori::Error::Invalid("invalid_field", "mine は true か false です", "mine"),
                     req);
             f.type = *type;
             f.state = *state;
             f.mine = *mine == "true";
             f.cursor = *cursor;
             f.q = *q;
             f.limit = static_cast<int>(*limit);
             auto page = svc->List(ContextOf(req), f);
             if (!page) return Error(page.error(), req);
             return Response::Json(200, ListJson(page->items, page->next_cursor));
         }});
    router.Add(
        {Method::kPost, "/api/v1/requests", any, http::RunOn::kWorker, [svc](http::Request& req) {
             auto body = http::JsonReader::FromBody(req);
             if (!body) return Error(body.error(), req);
             auto n = ReadSubmission(*body, true);
             if (auto f = body->Finish(); !f) return Error(f.error(), req);
             return Reply(svc->Submit(ContextOf(req), *n), req, 201);
         }});
    router.Add({Method::kGet, "/api/v1/requests/{id}", any, http::RunOn::kWorker,
                [svc](http::Request& req) {
                    return Reply(svc->Get(ContextOf(req), std::string(req.Param("id"))), req, 200);
                }});
    router.Add({Method::kGet, "/api/v1/requests/{id}/history", any, http::RunOn::kWorker,
                [svc](http::Request& req) {
                    auto limit = http::QueryInt(req, "limit", 50, 1, 200);
                    if (!limit) return Error(limit.error(), req);
                    auto h = svc->History(ContextOf(req), std::string(req.Param("id")),
                                          static_cast<int>(*limit));
                    if (!h) return Error(h.error(), req);
                    return Response::Json(200, audit::HistoryJson(*h));
                }});
    for (Action action : {Action::kApprove, Action::kReject, Action::kReturn, Action::kWithdraw}) {
        router.Add({Method::kPost, fmt::format("/api/v1/requests/{{id}}/{}", ActionName(action)),
                    any, http::RunOn::kWorker, [svc, action](http::Request& req) {
                        std::string comment;
                        if (!req.body.empty()) {
                            auto body = http::JsonReader::FromBody(req);
                            if (!body) return Error(body.error(), req);
                            comment =
                                body->OptionalLongText("comment", kMaxCommentChars).value_or("");
                            if (auto f = body->Finish(); !f) return Error(f.error(), req);
                        }
                        return Reply(
                            svc->Act(ContextOf(req), std::string(req.Param("id")), action, comment),
                            req, 200);
                    }});
    }
    router.Add({Method::kPost, "/api/v1/requests/{id}/resubmit", any, http::RunOn::kWorker,
                [svc](http::Request& req) {
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Error(body.error(), req);
                    auto n = ReadSubmission(*body, false);
                    const std::string comment =
                        body->OptionalLongText("comment", kMaxCommentChars).value_or("");
                    if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    return Reply(
                        svc->Resubmit(ContextOf(req), std::string(req.Param("id")), *n, comment),
                        req, 200);
                }});
    router.Add({Method::kGet, "/api/v1/requests/{id}/attachments", any, http::RunOn::kWorker,
                [svc, files](http::Request& req) {
                    const std::string id(req.Param("id"));
                    auto q = svc->Get(ContextOf(req), id);  // the request's own visibility
                    if (!q) return Error(q.error(), req);
                    auto list = files->OfRequest(id);
                    if (!list) return Error(list.error(), req);
                    json::array items;
                    for (const auto& a : *list) items.push_back(AttachmentJson(a));
                    return Response::Json(
                        200, json::object{{"items", std::move(items)}, {"next_cursor", nullptr}});
                }});

    // ---- names to pick in a form, for everyone who may apply
    router.Add(
        {Method::kGet, "/api/v1/lookup", any, http::RunOn::kWorker, [svc](http::Request& req) {
             auto kind = http::QueryText(req, "kind", 10);
             auto q = http::QueryText(req, "q", 100 * 4);
             auto limit = http::QueryInt(req, "limit", 20, 1, 50);
             if (!kind) return Error(kind.error(), req);
             if (!q) return Error(q.error(), req);
             if (!limit) return Error(limit.error(), req);
             LookupKind k;
             if (*kind == "person")
                 k = LookupKind::kPerson;
             else if (*kind == "unit")
                 k = LookupKind::kUnit;
             else if (*kind == "system")
                 k = LookupKind::kSystem;
             else
                 return Error(
                     mamori::Error::Invalid("invalid_field",
                                            "kind は person、unit、system のどれかです", "kind"),
                     req);
             auto items = Lookup(svc->database(), ContextOf(req), k, *q, static_cast<int>(*limit));
             if (!items) return Error(items.error(), req);
             json::array a;
             for (const auto& i : *items)
                 a.push_back({{"id", i.id}, {"name", i.name}, {"detail", i.detail}});
             return Response::Json(200,
                                   json::object{{"items", std::move(a)}, {"next_cursor", nullptr}});
         }});

    // ---- attachments: uploaded first, then named by id in a `file` field of a form
    router.Add({Method::kPost, "/api/v1/attachments", any, http::RunOn::kWorker,
                [files](http::Request& req) {
                    auto name = http::QueryText(req, "filename", 1000);
                    if (!name) return Error(name.error(), req);
                    auto a = files->Upload(ContextOf(req), *name, req.body);
                    if (!a) return Error(a.error(), req);
                    return Response::Json(201, AttachmentJson(*a));
                },
                // A little more than the limit, so that a file just over it is refused by
                // the service, which names the limit in words; far larger ones by the server.
                attachments.max_bytes() + 1024 * 1024});
    router.Add(
        {Method::kGet, "/api/v1/attachments/{id}", any, http::RunOn::kWorker,
         [files, may_read = RequestVisibility(service, std::move(others))](http::Request& req) {
             auto f = files->Read(ContextOf(req), std::string(req.Param("id")), may_read);
             if (!f) return Error(f.error(), req);
             return Response::Download(std::move(f->meta.content_type), std::move(f->content),
                                       f->meta.filename);
         }});

    router.Add(
        {Method::kGet, "/api/v1/inbox", any, http::RunOn::kWorker, [svc](http::Request& req) {
             auto inbox = svc->InboxOf(ContextOf(req));
             if (!inbox) return Error(inbox.error(), req);
             auto list = [](const std::vector<Request>& items) {
                 json::array a;
                 for (const auto& q : items) a.push_back(RequestJson(q));
                 return a;
             };
             return Response::Json(200, json::object{{"to_approve", list(inbox->to_approve)},
                                                     {"mine", list(inbox->mine)},
                                                     {"expiring", list(inbox->expiring)},
                                                     {"counts",
                                                      {{"to_approve", inbox->to_approve.size()},
                                                       {"mine", inbox->mine.size()},
                                                       {"expiring", inbox->expiring.size()}}}});
         }});

    // ---- the exceptions ledger
    const std::string read_ledger = "exceptions.read";
    router.Add({Method::kGet, "/api/v1/exceptions", read_ledger, http::RunOn::kWorker,
                [book](http::Request& req) {
                    auto overdue = http::QueryText(req, "overdue", 5);
                    if (!overdue) return Error(overdue.error(), req);
                    if (!overdue->empty() && *overdue != "true" && *overdue != "false")
                        return Error(
                            mamori::Error::Invalid("invalid_field", "overdue は true か false です",
                                                   "overdue"),
                            req);
                    auto list = book->List(ContextOf(req), *overdue == "true");
                    if (!list) return Error(list.error(), req);
                    json::array items;
                    for (const auto& e : *list) items.push_back(EntryJson(e));
                    return Response::Json(
                        200, json::object{{"items", std::move(items)}, {"next_cursor", nullptr}});
                }});
    router.Add({Method::kGet, "/api/v1/exceptions/export", read_ledger, http::RunOn::kWorker,
                [book](http::Request& req) {
                    auto format = sheets::FormatParam(req);
                    if (!format) return Error(format.error(), req);
                    auto f = book->Export(ContextOf(req), *format);
                    if (!f) return Error(f.error(), req);
                    return sheets::Download(std::move(*f));
                }});
    router.Add({Method::kGet, "/api/v1/exceptions/{id}", read_ledger, http::RunOn::kWorker,
                [book](http::Request& req) {
                    auto e = book->Get(ContextOf(req), std::string(req.Param("id")));
                    if (!e) return Error(e.error(), req);
                    return Response::Json(200, EntryJson(*e));
                }});
    router.Add({Method::kPost, "/api/v1/exceptions/{id}/reviews", "exceptions.review",
                http::RunOn::kWorker, [book](http::Request& req) {
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Error(body.error(), req);
                    NewExceptionReview r;
                    r.result = body->RequiredChoice("result", {"continue", "end"});
                    r.note = body->OptionalLongText("note", kMaxCommentChars).value_or("");
                    r.next_review_on = body->OptionalDate("next_review_on").value_or("");
                    if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    auto e = book->Review(ContextOf(req), std::string(req.Param("id")), r);
                    if (!e) return Error(e.error(), req);
                    return Response::Json(201, EntryJson(*e));
                }});
}

}  // namespace mamori::workflow
