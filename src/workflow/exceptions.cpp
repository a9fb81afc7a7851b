#include "workflow/exceptions.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "audit/audit.h"
#include "core/service_support.h"
#include "http/json_reader.h"
#include "org/access.h"
#include "org/org_service.h"

namespace mamori::workflow {

namespace {

constexpr std::string_view kRead = "exceptions.read";
constexpr std::string_view kReview = "exceptions.review";
constexpr std::size_t kMaxNoteChars = 2000;

const policy::RequestType* ExceptionType(const policy::Catalog& c) {
    for (const auto& t : c.request_types())
        if (t.exception) return &t;
    return nullptr;
}

Result<const Principal*> Holding(const Context& ctx, const org::RoleCatalog& roles,
                                 std::string_view permission) {
    auto actor = service::ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    if (!org::Access::CanEverywhere(**actor, roles, permission)) return Fail(service::Forbidden());
    return *actor;
}

}  // namespace

ExceptionsLedger::ExceptionsLedger(store::Database& db, const Clock& clock,
                                   const org::RoleCatalog& roles, WorkflowService& service)
    : db_(db), clock_(clock), roles_(roles), service_(service) {}

std::string ExceptionsLedger::Today() const { return org::TodayJst(clock_.Now()); }

Result<std::vector<ExceptionEntry>> ExceptionsLedger::Load(const std::string& id,
                                                           bool overdue_only) {
    auto catalog = service_.CatalogInForce();
    if (!catalog) return Fail(catalog.error());
    const policy::RequestType* type = ExceptionType(**catalog);
    std::vector<ExceptionEntry> out;
    if (!type) return out;
    auto requests = service_.AllOfType(type->key, {"approved", "expired"});
    if (!requests) return Fail(requests.error());
    const std::string today = Today();
    for (auto& q : *requests) {
        if (!id.empty() && q.id != id) continue;
        ExceptionEntry e;
        auto reviews = db_.Query(
            "SELECT r.id, r.reviewed_on, r.result, r.note, r.next_review_on, r.reviewer_id, "
            "p.display_name FROM exception_reviews r JOIN people p ON p.id = r.reviewer_id "
            "WHERE r.request_id = ? ORDER BY r.created_at DESC, r.id DESC",
            {q.id});
        if (!reviews) return Fail(reviews.error());
        for (const auto& r : reviews->rows)
            e.reviews.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3),
                                 r.OptText(4).value_or(""), r.Text(5), r.Text(6)});
        if (!e.reviews.empty() && !e.reviews.front().next_review_on.empty()) {
            e.review_due_on = e.reviews.front().next_review_on;
        } else if (e.reviews.empty()) {
            const std::string approved_on =
                (q.decided_at.empty() ? q.submitted_at : q.decided_at).substr(0, 10);
            e.review_due_on = AddDays(approved_on, kFirstReviewDays);
            if (!q.valid_until.empty() && q.valid_until < e.review_due_on)
                e.review_due_on = q.valid_until;
        }
        e.overdue = q.state == "approved" && !e.review_due_on.empty() && e.review_due_on < today;
        q.type_name = type->name;
        e.request = std::move(q);
        if (overdue_only && !e.overdue) continue;
        out.push_back(std::move(e));
    }
    return out;
}

Result<std::vector<ExceptionEntry>> ExceptionsLedger::List(const Context& ctx, bool overdue_only) {
    if (auto p = Holding(ctx, roles_, kRead); !p) return Fail(p.error());
    return Load("", overdue_only);
}

Result<ExceptionEntry> ExceptionsLedger::Get(const Context& ctx, const std::string& id) {
    if (auto p = Holding(ctx, roles_, kRead); !p) return Fail(p.error());
    auto entries = Load(id, false);
    if (!entries) return Fail(entries.error());
    if (entries->empty()) return Fail(Error::NotFound("例外措置が見つかりません"));
    ExceptionEntry e = std::move(entries->front());
    auto names = service_.NamesOf(e.request);  // the ledger's readers need not read registers
    if (!names) return Fail(names.error());
    e.request.names = std::move(*names);
    return e;
}

Result<ExceptionEntry> ExceptionsLedger::Review(const Context& ctx, const std::string& id,
                                                const NewExceptionReview& r) {
    auto actor = Holding(ctx, roles_, kReview);
    if (!actor) return Fail(actor.error());
    if (r.result != "continue" && r.result != "end")
        return Fail(
            Error::Invalid("invalid_field", "結果は continue (継続) か end (終了) です", "result"));
    if (r.note.find_first_not_of(" \t\r\n") == std::string::npos)
        return Fail(Error::Invalid("missing_field", "見直しの所見を入力してください", "note"));
    if (http::CountChars(r.note) > kMaxNoteChars)
        return Fail(Error::Invalid("too_long", "所見は 2000 文字以内にしてください", "note"));
    auto before = Get(ctx, id);
    if (!before) return Fail(before.error());
    const Request& q = before->request;
    if (q.state != "approved")
        return Fail(Error::Conflict("exception_ended", "有効な例外措置だけを見直せます"));
    if (std::any_of(before->reviews.begin(), before->reviews.end(),
                    [](const ExceptionReview& v) { return v.result == "end"; }))
        return Fail(Error::Conflict("exception_ended",
                                    "この例外措置は見直しで終了としたため、見直せません"));
    const std::string today = Today();
    if (r.result == "continue") {
        if (r.next_review_on.empty())
            return Fail(Error::Invalid("missing_field",
                                       "継続とするときは次回の見直し日を入力してください",
                                       "next_review_on"));
        if (!http::IsValidDate(r.next_review_on) || r.next_review_on <= today)
            return Fail(Error::Invalid(
                "invalid_field", "次回の見直し日は明日以降の日付にしてください", "next_review_on"));
        if (!q.valid_until.empty() && r.next_review_on > q.valid_until)
            return Fail(Error::Invalid(
                "invalid_field",
                fmt::format("次回の見直し日は有効期間の終わり ({}) までにしてください",
                            q.valid_until),
                "next_review_on"));
    } else if (!r.next_review_on.empty()) {
        return Fail(Error::Invalid("invalid_field", "終了とするときは次回の見直し日を指定しません",
                                   "next_review_on"));
    }
    const std::string now = FormatRfc3339(clock_.Now());
    auto written = db_.Transact([&](store::Tx& tx) -> Result<void> {
        auto ins = tx.Exec(
            "INSERT INTO exception_reviews (id, request_id, reviewed_on, result, note, "
            "next_review_on, reviewer_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            {service::NewId(), q.id, today, r.result, r.note,
             r.next_review_on.empty() ? store::Value(nullptr) : store::Value(r.next_review_on),
             (*actor)->person_id, now});
        if (!ins) return Fail(ins.error());
        if (r.result == "end") {
            // It ends today: the validity's last day becomes today, and it expires tomorrow.
            auto up = tx.Exec(
                "UPDATE requests SET valid_until = ?, updated_at = ? WHERE id = ? AND state = "
                "'approved'",
                {today, now, q.id});
            if (!up) return Fail(up.error());
            if (*up != 1) return Fail(Error::Conflict("changed", "例外措置が同時に変更されました"));
        }
        boost::json::object summary{{"number", q.number}, {"result", r.result}, {"note", r.note}};
        if (!r.next_review_on.empty()) summary["next_review_on"] = r.next_review_on;
        return audit::RecordChange(tx, ctx, "exception.review", "request", q.id, std::move(summary),
                                   now);
    });
    if (!written) return Fail(written.error());
    return Get(ctx, id);
}

Result<sheets::File> ExceptionsLedger::Export(const Context& ctx, sheets::Format format) {
    auto entries = List(ctx, false);
    if (!entries) return Fail(entries.error());
    auto catalog = service_.CatalogInForce();
    if (!catalog) return Fail(catalog.error());
    const policy::RequestType* type = ExceptionType(**catalog);
    sheets::Sheet sheet;
    sheet.name = "例外措置台帳";
    sheet.header = {"申請番号",   "件名",           "申請者",         "状態",
                    "承認日",     "有効期間(開始)", "有効期間(終了)", "次回見直し",
                    "見直し超過", "最終見直し",     "見直し結果"};
    if (type)
        for (const auto& f : type->fields) sheet.header.push_back(f.label);
    // Names for references, read once.
    auto names = [&](const char* sql) {
        std::map<std::string, std::string> m;
        if (auto rs = db_.Query(sql))
            for (const auto& r : rs->rows) m[r.Text(0)] = r.Text(1);
        return m;
    };
    const auto units = names("SELECT id, name FROM units");
    const auto systems = names("SELECT id, name FROM systems");
    const auto assets = names("SELECT id, asset_number || ' ' || name FROM assets");
    const auto people = names("SELECT id, display_name FROM people");
    auto value_text = [&](const policy::FormField& f, const boost::json::value* v) -> std::string {
        if (!v || v->is_null()) return "";
        auto one = [&](const boost::json::value& e) -> std::string {
            const std::string s = e.is_string() ? std::string(e.as_string()) : "";
            auto look = [&](const std::map<std::string, std::string>& m) {
                auto it = m.find(s);
                return it == m.end() ? s : it->second;
            };
            switch (f.type) {
                case policy::FieldType::kUnit:
                    return look(units);
                case policy::FieldType::kSystem:
                    return look(systems);
                case policy::FieldType::kAsset:
                    return look(assets);
                case policy::FieldType::kPerson:
                    return look(people);
                case policy::FieldType::kControl: {
                    const policy::Control* c = (*catalog)->Find(s);
                    return c ? s + " " + c->title : s;
                }
                case policy::FieldType::kBoolean:
                    return e.is_bool() && e.as_bool() ? "はい" : "いいえ";
                case policy::FieldType::kChoice:
                    for (const auto& o : f.options)
                        if (o.value == s) return o.label;
                    return s;
                case policy::FieldType::kDateRange:
                    if (const auto* r = e.if_object();
                        r && r->contains("from") && r->contains("to"))
                        return fmt::format("{}〜{}", std::string(r->at("from").as_string()),
                                           std::string(r->at("to").as_string()));
                    return "";
                case policy::FieldType::kNumber:
                    return e.is_int64() ? std::to_string(e.as_int64()) : "";
                default:
                    return s;
            }
        };
        if (v->is_array()) {
            std::string joined;
            for (const auto& e : v->as_array()) joined += (joined.empty() ? "" : "、") + one(e);
            return joined;
        }
        return one(*v);
    };
    for (const auto& e : *entries) {
        const Request& q = e.request;
        const ExceptionReview* last = e.reviews.empty() ? nullptr : &e.reviews.front();
        std::vector<std::string> row{q.number,
                                     q.title,
                                     q.applicant_name,
                                     q.state == "approved" ? "有効" : "期限切れ",
                                     q.decided_at.substr(0, 10),
                                     q.valid_from,
                                     q.valid_until,
                                     e.review_due_on,
                                     e.overdue ? "超過" : "",
                                     last ? last->reviewed_on : "",
                                     last ? (last->result == "continue" ? "継続" : "終了") : ""};
        if (type)
            for (const auto& f : type->fields)
                row.push_back(value_text(f, q.form.if_contains(f.key)));
        sheet.rows.push_back(std::move(row));
    }
    return sheets::MakeFile(format, "exceptions", {sheet}, Today());
}

}  // namespace mamori::workflow
