#include "workflow/workflow_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "assets/handling.h"
#include "core/service_support.h"
#include "http/json_reader.h"
#include "org/access.h"
#include "org/org_service.h"
#include "workflow/attachments.h"
#include "workflow/form.h"

namespace mamori::workflow {

namespace {

using service::ActorOf;
using service::Forbidden;

constexpr std::string_view kRead = "requests.read";
constexpr std::size_t kMaxTitleChars = 200;
constexpr std::size_t kMaxCommentChars = 2000;
constexpr int kMaxPage = 200;
constexpr std::string_view kMergedNote =
    "直前の段階の承認者のほかに承認できる人がいないため、直前の承認に含めました";

constexpr std::string_view kColumns =
    "SELECT r.id, r.number, r.type, r.catalog_version, r.title, r.applicant_id, p.display_name, "
    "r.unit_id, r.state, r.form, r.round, r.step, r.valid_from, r.valid_until, r.submitted_at, "
    "r.decided_at, r.created_at, r.updated_at, u.name FROM requests r "
    "JOIN people p ON p.id = r.applicant_id JOIN units u ON u.id = r.unit_id";

Error Transition(std::string_view state, Action action) {
    return Error::Conflict(
        "invalid_transition",
        fmt::format("状態「{}」の申請には「{}」を行えません", state, ActionName(action)));
}

Error Rule(std::string code, std::string message, std::string field = {}) {
    return Error{ErrorKind::kRuleViolation, std::move(code), std::move(message), std::move(field)};
}

Request RequestFrom(const store::Row& r) {
    Request q;
    q.id = r.Text(0);
    q.number = r.Text(1);
    q.type = r.Text(2);
    q.catalog_version = r.Text(3);
    q.title = r.Text(4);
    q.applicant_id = r.Text(5);
    q.applicant_name = r.Text(6);
    q.unit_id = r.Text(7);
    q.state = r.Text(8);
    boost::system::error_code ec;
    auto form = boost::json::parse(r.Text(9), ec);
    if (!ec && form.is_object()) q.form = std::move(form.as_object());
    q.round = static_cast<int>(r.Int(10));
    q.step = static_cast<int>(r.Int(11));
    q.valid_from = r.OptText(12).value_or("");
    q.valid_until = r.OptText(13).value_or("");
    q.submitted_at = r.Text(14);
    q.decided_at = r.OptText(15).value_or("");
    q.created_at = r.Text(16);
    q.updated_at = r.Text(17);
    q.unit_name = r.Text(18);
    return q;
}

Result<void> CheckTitle(const std::string& title) {
    if (title.find_first_not_of(" \t") == std::string::npos)
        return Fail(Error::Invalid("missing_field", "件名を入力してください", "title"));
    for (unsigned char c : title)
        if (c < 0x20)
            return Fail(
                Error::Invalid("invalid_field", "件名に改行や制御文字は使えません", "title"));
    if (http::CountChars(title) > kMaxTitleChars)
        return Fail(Error::Invalid("too_long", "件名は 200 文字以内にしてください", "title"));
    return {};
}

Result<void> CheckComment(const std::string& comment, bool required) {
    if (required && comment.find_first_not_of(" \t\r\n") == std::string::npos)
        return Fail(
            Error::Invalid("missing_field", "理由 (コメント) を入力してください", "comment"));
    if (http::CountChars(comment) > kMaxCommentChars)
        return Fail(
            Error::Invalid("too_long", "コメントは 2000 文字以内にしてください", "comment"));
    return {};
}

// A step of the chain as planned when a round starts.
struct PlannedStep {
    std::string role;
    std::string system_id;
    std::string label;
};

std::string EscalationJson(const std::vector<org::EscalationStep>& steps) {
    boost::json::array a;
    for (const auto& s : steps)
        a.push_back(
            boost::json::object{{"role", s.role}, {"reason", s.reason}, {"message", s.message}});
    return boost::json::serialize(a);
}

std::vector<org::EscalationStep> EscalationFrom(const std::string& json) {
    std::vector<org::EscalationStep> out;
    boost::system::error_code ec;
    auto v = boost::json::parse(json, ec);
    if (ec || !v.is_array()) return out;
    for (const auto& e : v.as_array()) {
        const auto* o = e.if_object();
        if (!o) continue;
        auto text = [&](const char* k) {
            const auto* s = o->if_contains(k);
            return s && s->is_string() ? std::string(s->as_string()) : std::string();
        };
        out.push_back({text("role"), text("reason"), text("message")});
    }
    return out;
}

std::string FieldText(const boost::json::object& form, const std::string& key) {
    const auto* v = form.if_contains(key);
    if (!v) return {};
    if (v->is_string()) return std::string(v->as_string());
    if (v->is_bool()) return v->as_bool() ? "true" : "false";
    return {};
}

}  // namespace

std::string_view ActionName(Action a) {
    switch (a) {
        case Action::kApprove:
            return "approve";
        case Action::kReject:
            return "reject";
        case Action::kReturn:
            return "return";
        case Action::kWithdraw:
            return "withdraw";
        case Action::kResubmit:
            return "resubmit";
        case Action::kExpire:
            return "expire";
    }
    return "";
}

std::optional<std::string> NextState(std::string_view state, Action action, bool last_step) {
    if (state == "submitted") {
        switch (action) {
            case Action::kApprove:
                return last_step ? "approved" : "submitted";
            case Action::kReject:
                return "rejected";
            case Action::kReturn:
                return "returned";
            case Action::kWithdraw:
                return "withdrawn";
            default:
                return std::nullopt;
        }
    }
    if (state == "returned") {
        if (action == Action::kResubmit) return "submitted";
        if (action == Action::kWithdraw) return "withdrawn";
        return std::nullopt;
    }
    if (state == "approved" && action == Action::kExpire) return "expired";
    return std::nullopt;
}

const std::vector<std::string>& States() {
    static const std::vector<std::string> kStates = {"submitted", "returned",  "approved",
                                                     "rejected",  "withdrawn", "expired"};
    return kStates;
}

// ---------------------------------------------------------------------------------------

struct WorkflowService::Loaded {
    Request request;
    const policy::RequestType* type = nullptr;  // null when the type left the catalog
};

WorkflowService::WorkflowService(store::Database& db, const Clock& clock,
                                 const org::RoleCatalog& roles, assets::CatalogSource catalog)
    : db_(db), clock_(clock), roles_(roles), catalog_(std::move(catalog)), separation_(db, roles) {}

std::string WorkflowService::Now() const { return FormatRfc3339(clock_.Now()); }
std::string WorkflowService::Today() const { return org::TodayJst(clock_.Now()); }

Result<std::shared_ptr<const policy::Catalog>> WorkflowService::CatalogInForce() {
    return catalog_();
}

namespace {

// Loads the steps of the request's current round.
Result<void> LoadSteps(store::Tx& tx, Request& q) {
    auto rs = tx.Query(
        "SELECT s.seq, s.role, s.system_id, s.label, s.state, s.approver_id, p.display_name, "
        "s.approver_role, s.escalation, s.decided_by, s.decided_at, s.comment "
        "FROM request_steps s LEFT JOIN people p ON p.id = s.approver_id "
        "WHERE s.request_id = ? AND s.round = ? ORDER BY s.seq",
        {q.id, q.round});
    if (!rs) return Fail(rs.error());
    q.steps.clear();
    for (const auto& r : rs->rows) {
        Step s;
        s.seq = static_cast<int>(r.Int(0));
        s.role = r.Text(1);
        s.system_id = r.OptText(2).value_or("");
        s.label = r.Text(3);
        s.state = r.Text(4);
        s.approver_id = r.OptText(5).value_or("");
        s.approver_name = r.OptText(6).value_or("");
        s.approver_role = r.OptText(7).value_or("");
        s.escalation = EscalationFrom(r.Text(8));
        s.decided_by = r.OptText(9).value_or("");
        s.decided_at = r.OptText(10).value_or("");
        s.comment = r.OptText(11).value_or("");
        q.steps.push_back(std::move(s));
    }
    return {};
}

Result<std::optional<Request>> FindRequest(store::Tx& tx, const std::string& id) {
    auto rs = tx.Query(std::string(kColumns) + " WHERE r.id = ?", {id});
    if (!rs) return Fail(rs.error());
    if (rs->rows.empty()) return std::optional<Request>{};
    Request q = RequestFrom(rs->rows[0]);
    if (auto r = LoadSteps(tx, q); !r) return Fail(r.error());
    return std::optional<Request>{std::move(q)};
}

// Every referenced record exists (assets not disposed, units and systems known, people
// active).
// Checks every record the form names. An attached file must be the applicant's own upload,
// named by no other request; the files are returned, to be linked to the request.
Result<std::vector<Attachment>> CheckReferences(store::Tx& tx, const policy::RequestType& type,
                                                const std::vector<FormReference>& refs,
                                                const std::string& applicant_id,
                                                const std::string& request_id) {
    std::vector<Attachment> files;
    for (const auto& ref : refs) {
        const policy::FormField* f = type.FindField(ref.field);
        const std::string label = f ? f->label : ref.field;
        if (ref.type == policy::FieldType::kFile) {
            auto a = FindAttachment(tx, ref.id);
            if (!a) return Fail(a.error());
            const bool usable = *a && (*a)->uploaded_by == applicant_id &&
                                (*a)->incident_entry_id.empty() &&
                                ((*a)->request_id.empty() || (*a)->request_id == request_id);
            if (!usable)
                return Fail(Error::Invalid(
                    "unknown_reference",
                    fmt::format("{}: 添付ファイル {} が見つかりません。もう一度添付してください",
                                label, ref.id),
                    "form." + ref.field));
            files.push_back(std::move(**a));
            continue;
        }
        const char* sql = nullptr;
        switch (ref.type) {
            case policy::FieldType::kAsset:
                sql = "SELECT 1 FROM assets WHERE id = ? AND status = 'active'";
                break;
            case policy::FieldType::kSystem:
                sql = "SELECT 1 FROM systems WHERE id = ?";
                break;
            case policy::FieldType::kUnit:
                sql = "SELECT 1 FROM units WHERE id = ? AND status = 'active'";
                break;
            case policy::FieldType::kPerson:
                sql = "SELECT 1 FROM people WHERE id = ? AND status = 'active'";
                break;
            default:
                continue;
        }
        auto rs = tx.Query(sql, {ref.id});
        if (!rs) return Fail(rs.error());
        if (rs->rows.empty())
            return Fail(Error::Invalid("unknown_reference",
                                       fmt::format("{}: {} が見つかりません", label, ref.id),
                                       "form." + ref.field));
    }
    return files;
}

// Links the checked files to the request; their names and hashes, for its audit event.
Result<boost::json::array> LinkAttachments(store::Tx& tx, const std::vector<Attachment>& files,
                                           const std::string& request_id) {
    boost::json::array out;
    for (const auto& a : files) {
        auto up = tx.Exec(
            "UPDATE attachments SET request_id = ? WHERE id = ? AND incident_entry_id IS NULL AND "
            "(request_id IS NULL OR request_id = ?)",
            {request_id, a.id, request_id});
        if (!up) return Fail(up.error());
        if (*up != 1)
            return Fail(Error::Conflict("changed", "添付ファイルが同時に別の申請で使われました"));
        out.push_back({{"id", a.id}, {"filename", a.filename}, {"sha256", a.sha256}});
    }
    return out;
}

}  // namespace

Result<std::string> NextNumber(store::Tx& tx, const std::string& prefix, int year) {
    auto up = tx.Query(
        "INSERT INTO request_counters (prefix, year, last) VALUES (?, ?, 1) "
        "ON CONFLICT (prefix, year) DO UPDATE SET last = request_counters.last + 1 "
        "RETURNING last",
        {prefix, year});
    if (!up) return Fail(up.error());
    return fmt::format("{}-{}-{:04d}", prefix, year, up->rows.at(0).Int(0));
}

// The steps that apply to this form, in order: conditions evaluated, handling rules of the
// chosen asset applied, consecutive duplicates merged; the applicant's section manager
// when nothing applies.
static Result<std::vector<PlannedStep>> PlanChain(store::Tx& tx, const policy::RequestType& type,
                                                  const policy::Catalog& catalog,
                                                  const boost::json::object& form) {
    const auto& scheme = catalog.classification();
    struct Levels {
        std::string c, i, a;
    };
    auto levels_of = [&](const std::string& asset_id) -> Result<Levels> {
        auto rs = tx.Query(
            "SELECT confidentiality, integrity, availability FROM assets WHERE id = ?", {asset_id});
        if (!rs) return Fail(rs.error());
        if (rs->rows.empty()) return Fail(Error::NotFound("情報資産が見つかりません"));
        return Levels{rs->rows[0].Text(0), rs->rows[0].Text(1), rs->rows[0].Text(2)};
    };
    auto rank = [&](const std::string& level) {
        const policy::Axis* axis = scheme.FindAxis("confidentiality");
        if (axis)
            for (const auto& l : axis->levels)
                if (l.key == level) return l.rank;
        return -1;
    };
    std::vector<PlannedStep> plan;
    for (const auto& step : type.chain) {
        if (step.when) {
            const auto& w = *step.when;
            const std::string value = FieldText(form, w.field);
            bool holds = false;
            if (w.equals) {
                holds = value == *w.equals ||
                        (value.empty() && *w.equals == "false" && type.FindField(w.field) &&
                         type.FindField(w.field)->type == policy::FieldType::kBoolean);
            } else if (!w.in.empty()) {
                holds = std::find(w.in.begin(), w.in.end(), value) != w.in.end();
            } else if (!w.confidentiality_at_least.empty() && !value.empty()) {
                auto lv = levels_of(value);
                if (!lv) return Fail(lv.error());
                holds = rank(lv->c) >= rank(w.confidentiality_at_least);
            }
            if (!holds) continue;
        }
        if (step.from_handling()) {
            const std::string asset_id = FieldText(form, step.handling_field);
            if (asset_id.empty()) continue;
            auto lv = levels_of(asset_id);
            if (!lv) return Fail(lv.error());
            for (const auto& rule : assets::HandlingFor(scheme, lv->c, lv->i, lv->a)) {
                if (rule.key != step.handling_rule) continue;
                auto by = rule.fields.find("requires_approval_by");
                if (by != rule.fields.end() && !by->second.empty())
                    plan.push_back(
                        {by->second, "",
                         step.label.empty() ? assets::RuleTitle(rule.key) + "の承認" : step.label});
            }
            continue;
        }
        PlannedStep p{step.role, "", step.label};
        if (!step.system_field.empty()) p.system_id = FieldText(form, step.system_field);
        plan.push_back(std::move(p));
    }
    std::vector<PlannedStep> merged;
    for (auto& p : plan)
        if (merged.empty() || merged.back().role != p.role ||
            merged.back().system_id != p.system_id)
            merged.push_back(std::move(p));
    if (merged.empty()) merged.push_back({"section_manager", "", ""});
    for (auto& p : merged)
        if (p.label.empty()) {
            const org::Role* r = catalog.roles().Find(p.role);
            p.label = (r ? r->name : p.role) + "の承認";
        }
    return merged;
}

// Makes step `seq` of the request's round pending with its approver: the role's holder on
// `today`, never the applicant nor the approver of the step before (兼務の禁止), passed up
// the escalation when vacant.
static Result<void> Activate(store::Tx& tx, const org::Separation& separation, Request& q, int seq,
                             const std::string& today) {
    Step& s = q.steps.at(static_cast<std::size_t>(seq));
    org::ApproverQuery query;
    query.applicant_id = q.applicant_id;
    query.starting_role = s.role;
    query.unit_id = q.unit_id;
    query.date = today;
    if (!s.system_id.empty()) {
        auto sys = tx.Query("SELECT owner_unit_id FROM systems WHERE id = ?", {s.system_id});
        if (!sys) return Fail(sys.error());
        if (!sys->rows.empty()) query.unit_id = sys->rows[0].Text(0);
        query.system_id = s.system_id;
    }
    for (int i = seq - 1; i >= 0; --i) {  // the step decided just before
        const Step& before = q.steps[static_cast<std::size_t>(i)];
        if (before.state == "skipped") continue;
        if (!before.decided_by.empty()) query.excluded.push_back(before.decided_by);
        break;
    }
    auto approver = separation.ResolveApprover(tx, query);
    if (!approver) return Fail(approver.error());
    auto up = tx.Exec(
        "UPDATE request_steps SET state = 'pending', approver_id = ?, approver_role = ?, "
        "escalation = ? WHERE request_id = ? AND round = ? AND seq = ?",
        {approver->person_id, approver->role, EscalationJson(approver->steps), q.id, q.round, seq});
    if (!up) return Fail(up.error());
    s.state = "pending";
    s.approver_id = approver->person_id;
    s.approver_name = approver->display_name;
    s.approver_role = approver->role;
    s.escalation = approver->steps;
    q.step = seq;
    return {};
}

// Makes the first step from `from` that still applies pending. A step asking for a role of
// the approval escalation at or below the highest role that has already approved in this
// round is skipped (that role's holder, or someone above, has decided): so a request whose
// first step passed up to the CISO is not sent back down the chain. False when no step is
// left (the request is approved).
static Result<bool> Advance(store::Tx& tx, const org::Separation& separation,
                            const org::RoleCatalog& roles, Request& q, int from,
                            const std::string& today, const std::string& now) {
    const auto& esc = roles.escalation();
    auto rank = [&](const std::string& role) {
        auto it = std::find(esc.begin(), esc.end(), role);
        return it == esc.end() ? -1 : static_cast<int>(it - esc.begin());
    };
    int highest = -1;
    for (int i = 0; i < from && i < static_cast<int>(q.steps.size()); ++i)
        if (q.steps[static_cast<std::size_t>(i)].state == "approved")
            highest = std::max(highest, rank(q.steps[static_cast<std::size_t>(i)].approver_role));
    for (int seq = from; seq < static_cast<int>(q.steps.size()); ++seq) {
        Step& s = q.steps[static_cast<std::size_t>(seq)];
        const int r = rank(s.role);
        if (r >= 0 && r <= highest) {
            auto up = tx.Exec(
                "UPDATE request_steps SET state = 'skipped', decided_at = ? WHERE request_id = ? "
                "AND round = ? AND seq = ?",
                {now, q.id, q.round, seq});
            if (!up) return Fail(up.error());
            s.state = "skipped";
            s.decided_at = now;
            continue;
        }
        auto a = Activate(tx, separation, q, seq, today);
        if (a) return true;
        if (a.error().code != "no_approver" || seq == 0) return Fail(a.error());
        // Nobody but the approver of the step before holds the role or any above it: the
        // step is part of that approval rather than a dead end.
        auto up = tx.Exec(
            "UPDATE request_steps SET state = 'skipped', decided_at = ?, comment = ? WHERE "
            "request_id = ? AND round = ? AND seq = ?",
            {now, std::string(kMergedNote), q.id, q.round, seq});
        if (!up) return Fail(up.error());
        s.state = "skipped";
        s.decided_at = now;
        s.comment = kMergedNote;
    }
    return false;
}

// Writes a new round's planned steps as waiting and activates the first.
static Result<void> StartRound(store::Tx& tx, const org::Separation& separation, Request& q,
                               const std::vector<PlannedStep>& plan, const std::string& today) {
    q.steps.clear();
    int seq = 0;
    for (const auto& p : plan) {
        auto ins = tx.Exec(
            "INSERT INTO request_steps (request_id, round, seq, role, system_id, label, state, "
            "escalation) VALUES (?, ?, ?, ?, ?, ?, 'waiting', '[]')",
            {q.id, q.round, seq, p.role,
             p.system_id.empty() ? store::Value(nullptr) : store::Value(p.system_id), p.label});
        if (!ins) return Fail(ins.error());
        Step s;
        s.seq = seq++;
        s.role = p.role;
        s.system_id = p.system_id;
        s.label = p.label;
        s.state = "waiting";
        q.steps.push_back(std::move(s));
    }
    return Activate(tx, separation, q, 0, today);
}

Result<Request> WorkflowService::Submit(const Context& ctx, const NewRequest& n) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    auto catalog = CatalogInForce();
    if (!catalog) return Fail(catalog.error());
    const policy::RequestType* type = (*catalog)->FindRequestType(n.type);
    if (!type)
        return Fail(Error::Invalid("unknown_reference",
                                   fmt::format("申請の種類 {} はありません", n.type), "type"));
    if (auto r = CheckTitle(n.title); !r) return Fail(r.error());
    auto form = CheckForm(*type, **catalog, n.form);
    if (!form) return Fail(form.error());
    const std::string now = Now();
    const std::string today = Today();
    return db_.Transact([&](store::Tx& tx) -> Result<Request> {
        auto person = tx.Query(
            "SELECT p.unit_id, u.name FROM people p LEFT JOIN units u ON u.id = p.unit_id WHERE "
            "p.id = ?",
            {(*actor)->person_id});
        if (!person) return Fail(person.error());
        if (person->rows.empty() || !person->rows[0].OptText(0))
            return Fail(Rule("no_unit",
                             "所属部署が登録されていないため申請できません。管理者に所属の登録を"
                             "依頼してください"));
        auto files = CheckReferences(tx, *type, form->references, (*actor)->person_id, "");
        if (!files) return Fail(files.error());
        auto number = NextNumber(tx, type->prefix, std::stoi(today.substr(0, 4)));
        if (!number) return Fail(number.error());
        Request q;
        q.id = service::NewId();
        q.number = *number;
        q.type = type->key;
        q.type_name = type->name;
        q.catalog_version = (*catalog)->policy().version;
        q.title = n.title;
        q.applicant_id = (*actor)->person_id;
        q.applicant_name = (*actor)->display_name;
        q.unit_id = *person->rows[0].OptText(0);
        q.unit_name = person->rows[0].OptText(1).value_or("");
        q.state = "submitted";
        q.form = form->values;
        q.valid_from = form->valid_from;
        q.valid_until = form->valid_until;
        q.submitted_at = q.created_at = q.updated_at = now;
        auto ins = tx.Exec(
            "INSERT INTO requests (id, number, type, catalog_version, title, applicant_id, "
            "unit_id, state, form, round, step, valid_from, valid_until, submitted_at, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'submitted', ?, 1, 0, ?, ?, "
            "?, ?, ?)",
            {q.id, q.number, q.type, q.catalog_version, q.title, q.applicant_id, q.unit_id,
             boost::json::serialize(q.form),
             q.valid_from.empty() ? store::Value(nullptr) : store::Value(q.valid_from),
             q.valid_until.empty() ? store::Value(nullptr) : store::Value(q.valid_until), now, now,
             now});
        if (!ins) return Fail(ins.error());
        auto linked = LinkAttachments(tx, *files, q.id);
        if (!linked) return Fail(linked.error());
        auto plan = PlanChain(tx, *type, **catalog, q.form);
        if (!plan) return Fail(plan.error());
        if (auto r = StartRound(tx, separation_, q, *plan, today); !r) return Fail(r.error());
        if (auto r = audit::RecordChange(tx, ctx, "request.submit", "request", q.id,
                                         {{"number", q.number},
                                          {"type", q.type},
                                          {"title", q.title},
                                          {"approver", q.steps[0].approver_id},
                                          {"attachments", std::move(*linked)}},
                                         now);
            !r)
            return Fail(r.error());
        return q;
    });
}

namespace {

// Whether the principal may read the request: its applicant, an approver of any of its
// steps, or a holder of requests.read reaching its unit.
Result<bool> MayRead(store::Tx& tx, const org::RoleCatalog& roles, const Principal& p,
                     const Request& q) {
    if (q.applicant_id == p.person_id) return true;
    auto step = tx.Query("SELECT 1 FROM request_steps WHERE request_id = ? AND approver_id = ?",
                         {q.id, p.person_id});
    if (!step) return Fail(step.error());
    if (!step->rows.empty()) return true;
    if (org::Access::CanEverywhere(p, roles, kRead)) return true;
    auto tree = org::UnitTree::Load(tx);
    if (!tree) return Fail(tree.error());
    return org::Access(roles, std::move(*tree)).Can(p, kRead, q.unit_id);
}

}  // namespace

namespace {

// The pending step's label and approver of each submitted request, in one query.
Result<void> FillWaiting(store::Database& db, std::vector<Request>& items) {
    std::vector<std::string> ids;
    for (const auto& q : items)
        if (q.state == "submitted") ids.push_back(q.id);
    if (ids.empty()) return {};
    store::Where where;
    where.Add("s.state = 'pending'");
    where.AddIn("s.request_id", ids);
    auto rs = db.Query(
        "SELECT s.request_id, s.label, p.display_name FROM request_steps s "
        "JOIN people p ON p.id = s.approver_id" +
            where.Sql(),
        where.With());
    if (!rs) return Fail(rs.error());
    for (const auto& r : rs->rows)
        for (auto& q : items)
            if (q.id == r.Text(0)) {
                q.waiting_step = r.Text(1);
                q.waiting_for = r.Text(2);
            }
    return {};
}

}  // namespace

namespace {

// What each id named by the form stands for, as people read it (the request's page).
Result<boost::json::object> FormNames(store::Tx& tx, const policy::RequestType& type,
                                      const policy::Catalog& catalog,
                                      const boost::json::object& form) {
    using policy::FieldType;
    boost::json::object names;
    for (const auto& f : type.fields) {
        const char* sql = nullptr;
        switch (f.type) {
            case FieldType::kAsset:
                sql = "SELECT asset_number || ' ' || name FROM assets WHERE id = ?";
                break;
            case FieldType::kSystem:
                sql = "SELECT name FROM systems WHERE id = ?";
                break;
            case FieldType::kUnit:
                sql = "SELECT name FROM units WHERE id = ?";
                break;
            case FieldType::kPerson:
                sql = "SELECT display_name FROM people WHERE id = ?";
                break;
            case FieldType::kFile:
                sql = "SELECT filename FROM attachments WHERE id = ?";
                break;
            case FieldType::kControl:
                break;
            default:
                continue;
        }
        const auto* v = form.if_contains(f.key);
        if (!v) continue;
        std::vector<std::string> ids;
        if (v->is_string()) ids.emplace_back(v->as_string());
        if (v->is_array())
            for (const auto& e : v->as_array())
                if (e.is_string()) ids.emplace_back(e.as_string());
        for (const auto& id : ids) {
            if (names.contains(id)) continue;
            if (!sql) {  // a 対策基準 item of the catalog in force
                if (const auto* c = catalog.Find(id)) names[id] = c->ref + " " + c->title;
                continue;
            }
            auto rs = tx.Query(sql, {id});
            if (!rs) return Fail(rs.error());
            if (!rs->rows.empty()) names[id] = rs->rows[0].Text(0);
        }
    }
    return names;
}

}  // namespace

Result<boost::json::object> WorkflowService::NamesOf(const Request& q) {
    auto catalog = CatalogInForce();
    if (!catalog) return Fail(catalog.error());
    const auto* type = (*catalog)->FindRequestType(q.type);
    if (!type) return boost::json::object{};
    return db_.Transact([&](store::Tx& tx) -> Result<boost::json::object> {
        return FormNames(tx, *type, **catalog, q.form);
    });
}

Result<Request> WorkflowService::Get(const Context& ctx, const std::string& id) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    auto catalog = CatalogInForce();
    if (!catalog) return Fail(catalog.error());
    return db_.Transact([&](store::Tx& tx) -> Result<Request> {
        auto found = FindRequest(tx, id);
        if (!found) return Fail(found.error());
        if (!*found) return Fail(Error::NotFound("申請が見つかりません"));
        auto may = MayRead(tx, roles_, **actor, **found);
        if (!may) return Fail(may.error());
        if (!*may) return Fail(Error::NotFound("申請が見つかりません"));
        Request q = std::move(**found);
        if (const auto* t = (*catalog)->FindRequestType(q.type)) {
            q.type_name = t->name;
            auto names = FormNames(tx, *t, **catalog, q.form);
            if (!names) return Fail(names.error());
            q.names = std::move(*names);
        }
        return q;
    });
}

Result<Request> WorkflowService::Act(const Context& ctx, const std::string& id, Action action,
                                     const std::string& comment) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    if (action != Action::kApprove && action != Action::kReject && action != Action::kReturn &&
        action != Action::kWithdraw)
        return Fail(Error::Invalid("invalid_field", "この操作はここでは行えません", "action"));
    if (auto r = CheckComment(comment, action == Action::kReject || action == Action::kReturn); !r)
        return Fail(r.error());
    auto catalog = CatalogInForce();
    if (!catalog) return Fail(catalog.error());
    const std::string now = Now();
    const std::string today = Today();
    const Principal& me = **actor;
    return db_.Transact([&](store::Tx& tx) -> Result<Request> {
        auto found = FindRequest(tx, id);
        if (!found) return Fail(found.error());
        if (!*found) return Fail(Error::NotFound("申請が見つかりません"));
        Request q = std::move(**found);
        auto may = MayRead(tx, roles_, me, q);
        if (!may) return Fail(may.error());
        if (!*may) return Fail(Error::NotFound("申請が見つかりません"));
        auto next = NextState(q.state, action, false);
        if (!next) return Fail(Transition(q.state, action));
        const std::string before_state = q.state;
        boost::json::object summary{{"number", q.number}, {"from", q.state}, {"to", *next}};
        if (action == Action::kWithdraw) {
            if (me.person_id != q.applicant_id) return Fail(Forbidden());
        } else {
            // 兼務の禁止: the applicant never decides their own request, and nobody decides
            // two consecutive steps; otherwise only the pending step's approver may.
            if (auto r = org::Separation::CheckNotSelfApproval(q.applicant_id, me.person_id); !r)
                return Fail(r.error());
            Step& s = q.steps.at(static_cast<std::size_t>(q.step));
            std::string previous;
            for (int i = q.step - 1; i >= 0 && previous.empty(); --i)
                if (q.steps[static_cast<std::size_t>(i)].state != "skipped")
                    previous = q.steps[static_cast<std::size_t>(i)].decided_by;
            if (!previous.empty() && previous == me.person_id)
                return Fail(Rule("consecutive_steps",
                                 "同じ申請の連続する段階を同じ人が承認することはできません "
                                 "(兼務の禁止)",
                                 "approver"));
            if (s.state != "pending" || s.approver_id != me.person_id)
                return Fail(Error{ErrorKind::kForbidden, "not_approver",
                                  fmt::format("この段階 ({}) の承認者ではありません", s.label),
                                  ""});
            const char* step_state = action == Action::kApprove  ? "approved"
                                     : action == Action::kReject ? "rejected"
                                                                 : "returned";
            auto up = tx.Exec(
                "UPDATE request_steps SET state = ?, decided_by = ?, decided_at = ?, comment = ? "
                "WHERE request_id = ? AND round = ? AND seq = ? AND state = 'pending'",
                {step_state, me.person_id, now, comment, q.id, q.round, q.step});
            if (!up) return Fail(up.error());
            s.state = step_state;
            s.decided_by = me.person_id;
            s.decided_at = now;
            s.comment = comment;
            summary["step"] = q.step;
            summary["role"] = s.approver_role;
        }
        if (action == Action::kApprove) {
            const int decided = q.step;
            auto pending = Advance(tx, separation_, roles_, q, decided + 1, today, now);
            if (!pending) return Fail(pending.error());
            if (*pending) {
                summary["next_approver"] = q.steps[static_cast<std::size_t>(q.step)].approver_id;
            } else {
                next = NextState(before_state, action, true);
                q.step = decided;
                q.decided_at = now;
            }
            summary["to"] = *next;
        } else {
            auto cancel = tx.Exec(
                "UPDATE request_steps SET state = 'cancelled' WHERE request_id = ? AND round = ? "
                "AND state IN ('waiting', 'pending')",
                {q.id, q.round});
            if (!cancel) return Fail(cancel.error());
            for (auto& s : q.steps)
                if (s.state == "waiting" || s.state == "pending") s.state = "cancelled";
            q.decided_at = now;
        }
        if (!comment.empty()) summary["comment"] = comment;
        // The state changes only if nobody changed the request meanwhile.
        auto up = tx.Exec(
            "UPDATE requests SET state = ?, step = ?, decided_at = ?, updated_at = ? "
            "WHERE id = ? AND state = ? AND round = ?",
            {*next, q.step,
             q.decided_at.empty() ? store::Value(nullptr) : store::Value(q.decided_at), now, q.id,
             before_state, q.round});
        if (!up) return Fail(up.error());
        if (*up != 1)
            return Fail(
                Error::Conflict("changed", "申請が同時に変更されました。開き直してください"));
        q.state = *next;
        q.updated_at = now;
        if (auto r = audit::RecordChange(tx, ctx, fmt::format("request.{}", ActionName(action)),
                                         "request", q.id, std::move(summary), now);
            !r)
            return Fail(r.error());
        if (const auto* t = (*catalog)->FindRequestType(q.type)) q.type_name = t->name;
        return q;
    });
}

Result<Request> WorkflowService::Resubmit(const Context& ctx, const std::string& id,
                                          const NewRequest& changed, const std::string& comment) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    if (auto r = CheckComment(comment, false); !r) return Fail(r.error());
    if (auto r = CheckTitle(changed.title); !r) return Fail(r.error());
    auto catalog = CatalogInForce();
    if (!catalog) return Fail(catalog.error());
    const std::string now = Now();
    const std::string today = Today();
    return db_.Transact([&](store::Tx& tx) -> Result<Request> {
        auto found = FindRequest(tx, id);
        if (!found) return Fail(found.error());
        if (!*found) return Fail(Error::NotFound("申請が見つかりません"));
        Request q = std::move(**found);
        auto may = MayRead(tx, roles_, **actor, q);
        if (!may) return Fail(may.error());
        if (!*may) return Fail(Error::NotFound("申請が見つかりません"));
        if (!NextState(q.state, Action::kResubmit, false))
            return Fail(Transition(q.state, Action::kResubmit));
        if ((*actor)->person_id != q.applicant_id) return Fail(Forbidden());
        const policy::RequestType* type = (*catalog)->FindRequestType(q.type);
        if (!type)
            return Fail(Error::Conflict(
                "type_removed", "この申請の種類は現在のポリシーにないため再申請できません"));
        auto form = CheckForm(*type, **catalog, changed.form);
        if (!form) return Fail(form.error());
        auto files = CheckReferences(tx, *type, form->references, q.applicant_id, q.id);
        if (!files) return Fail(files.error());
        auto linked = LinkAttachments(tx, *files, q.id);
        if (!linked) return Fail(linked.error());
        const int before_round = q.round;
        q.round += 1;
        q.title = changed.title;
        q.form = form->values;
        q.valid_from = form->valid_from;
        q.valid_until = form->valid_until;
        q.catalog_version = (*catalog)->policy().version;
        auto plan = PlanChain(tx, *type, **catalog, q.form);
        if (!plan) return Fail(plan.error());
        if (auto r = StartRound(tx, separation_, q, *plan, today); !r) return Fail(r.error());
        auto up = tx.Exec(
            "UPDATE requests SET state = 'submitted', title = ?, form = ?, round = ?, step = 0, "
            "valid_from = ?, valid_until = ?, catalog_version = ?, submitted_at = ?, "
            "updated_at = ? WHERE id = ? AND state = 'returned' AND round = ?",
            {q.title, boost::json::serialize(q.form), q.round,
             q.valid_from.empty() ? store::Value(nullptr) : store::Value(q.valid_from),
             q.valid_until.empty() ? store::Value(nullptr) : store::Value(q.valid_until),
             q.catalog_version, now, now, q.id, before_round});
        if (!up) return Fail(up.error());
        if (*up != 1)
            return Fail(
                Error::Conflict("changed", "申請が同時に変更されました。開き直してください"));
        q.state = "submitted";
        q.submitted_at = q.updated_at = now;
        boost::json::object summary{
            {"number", q.number}, {"round", q.round}, {"approver", q.steps[0].approver_id}};
        if (!comment.empty()) summary["comment"] = comment;
        summary["attachments"] = std::move(*linked);
        if (auto r = audit::RecordChange(tx, ctx, "request.resubmit", "request", q.id,
                                         std::move(summary), now);
            !r)
            return Fail(r.error());
        q.type_name = type->name;
        return q;
    });
}

Result<Page<Request>> WorkflowService::List(const Context& ctx, const RequestFilter& f) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    const Principal& me = **actor;
    if (!f.state.empty() && std::find(States().begin(), States().end(), f.state) == States().end())
        return Fail(Error::Invalid("invalid_field", "状態の指定が正しくありません", "state"));
    const int limit = service::ClampLimit(f.limit, kMaxPage);
    auto catalog = CatalogInForce();
    if (!catalog) return Fail(catalog.error());
    if (!f.type.empty() && !(*catalog)->FindRequestType(f.type))
        return Fail(Error::Invalid("unknown_reference", "申請の種類が見つかりません", "type"));
    store::Where where;
    if (f.mine) {
        where.Add("r.applicant_id = ?", {me.person_id});
    } else if (!org::Access::CanEverywhere(me, roles_, kRead)) {
        auto tree = org::UnitTree::Load(db_);
        if (!tree) return Fail(tree.error());
        const auto visible = org::Access(roles_, std::move(*tree)).VisibleUnits(me, kRead);
        std::string cond =
            "(r.applicant_id = ? OR EXISTS (SELECT 1 FROM request_steps s WHERE s.request_id = "
            "r.id AND s.approver_id = ?)";
        std::vector<store::Value> params{me.person_id, me.person_id};
        if (!visible.units.empty()) {
            cond += " OR r.unit_id IN (";
            for (std::size_t i = 0; i < visible.units.size(); ++i) {
                cond += i ? ", ?" : "?";
                params.emplace_back(visible.units[i]);
            }
            cond += ")";
        }
        where.Add(cond + ")", params);
    }
    if (!f.type.empty()) where.Add("r.type = ?", {f.type});
    if (!f.state.empty()) where.Add("r.state = ?", {f.state});
    if (!f.q.empty()) {
        const std::string like = service::LikePattern(f.q);
        std::string upper = like;  // numbers are upper case: med-2026 finds MED-2026-0001
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        where.Add("(r.number LIKE ? ESCAPE '\\' OR r.title LIKE ? ESCAPE '\\')", {upper, like});
    }
    if (!f.cursor.empty())  // newest first: after the cursor's request in (created_at, id)
        where.Add(
            "(r.created_at, r.id) < ((SELECT c.created_at FROM requests c WHERE c.id = ?), ?)",
            {f.cursor, f.cursor});
    auto rs = db_.Query(
        std::string(kColumns) + where.Sql() + " ORDER BY r.created_at DESC, r.id DESC LIMIT ?",
        where.With({limit + 1}));
    if (!rs) return Fail(rs.error());
    Page<Request> page;
    for (const auto& r : rs->rows) {
        if (static_cast<int>(page.items.size()) == limit) {
            page.next_cursor = page.items.back().id;
            break;
        }
        Request q = RequestFrom(r);
        if (const auto* t = (*catalog)->FindRequestType(q.type)) q.type_name = t->name;
        page.items.push_back(std::move(q));
    }
    if (auto w = FillWaiting(db_, page.items); !w) return Fail(w.error());
    return page;
}

Result<std::vector<Request>> WorkflowService::AllOfType(const std::string& type,
                                                        const std::vector<std::string>& states) {
    store::Where where;
    where.Add("r.type = ?", {type});
    if (!states.empty()) where.AddIn("r.state", states);
    auto rs =
        db_.Query(std::string(kColumns) + where.Sql() + " ORDER BY r.number DESC", where.With());
    if (!rs) return Fail(rs.error());
    std::vector<Request> out;
    for (const auto& r : rs->rows) out.push_back(RequestFrom(r));
    return out;
}

Result<Inbox> WorkflowService::InboxOf(const Context& ctx) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    auto catalog = CatalogInForce();
    if (!catalog) return Fail(catalog.error());
    Inbox inbox;
    auto named = [&](Request q) {
        if (const auto* t = (*catalog)->FindRequestType(q.type)) q.type_name = t->name;
        return q;
    };
    auto waiting =
        db_.Query(std::string(kColumns) +
                      " JOIN request_steps s ON s.request_id = r.id AND s.round = "
                      "r.round AND s.seq = r.step WHERE r.state = 'submitted' AND "
                      "s.state = 'pending' AND s.approver_id = ? ORDER BY r.submitted_at",
                  {(*actor)->person_id});
    if (!waiting) return Fail(waiting.error());
    for (const auto& r : waiting->rows) inbox.to_approve.push_back(named(RequestFrom(r)));
    auto mine = db_.Query(std::string(kColumns) +
                              " WHERE r.applicant_id = ? AND r.state IN ('submitted', 'returned') "
                              "ORDER BY r.submitted_at DESC",
                          {(*actor)->person_id});
    if (!mine) return Fail(mine.error());
    for (const auto& r : mine->rows) inbox.mine.push_back(named(RequestFrom(r)));
    if (auto w = FillWaiting(db_, inbox.to_approve); !w) return Fail(w.error());
    if (auto w = FillWaiting(db_, inbox.mine); !w) return Fail(w.error());
    // Own approvals ending soon: within the type's expiring_soon_days (at most a year).
    const std::string today = Today();
    auto approved = db_.Query(std::string(kColumns) +
                                  " WHERE r.applicant_id = ? AND r.state = 'approved' AND "
                                  "r.valid_until IS NOT NULL AND r.valid_until >= ? AND "
                                  "r.valid_until <= ? ORDER BY r.valid_until",
                              {(*actor)->person_id, today, AddDays(today, 365)});
    if (!approved) return Fail(approved.error());
    for (const auto& r : approved->rows) {
        Request q = named(RequestFrom(r));
        const auto* t = (*catalog)->FindRequestType(q.type);
        const int soon = t && t->validity ? t->validity->expiring_soon_days : 14;
        if (DaysBetween(today, q.valid_until) <= soon) inbox.expiring.push_back(std::move(q));
    }
    return inbox;
}

Result<int> WorkflowService::ExpireDue() {
    const std::string now = Now();
    const std::string today = Today();
    return db_.Transact([&](store::Tx& tx) -> Result<int> {
        auto due = tx.Query(
            "SELECT id, number, valid_until FROM requests WHERE state = 'approved' AND "
            "valid_until IS NOT NULL AND valid_until < ? ORDER BY id",
            {today});
        if (!due) return Fail(due.error());
        const Context system;  // no actor: the system acts
        for (const auto& r : due->rows) {
            auto up = tx.Exec(
                "UPDATE requests SET state = 'expired', updated_at = ? WHERE id = ? AND state = "
                "'approved'",
                {now, r.Text(0)});
            if (!up) return Fail(up.error());
            if (auto a =
                    audit::RecordChange(tx, system, "request.expire", "request", r.Text(0),
                                        {{"number", r.Text(1)}, {"valid_until", r.Text(2)}}, now);
                !a)
                return Fail(a.error());
        }
        return static_cast<int>(due->rows.size());
    });
}

Result<std::optional<PrivilegedGrant>> WorkflowService::ActiveGrant(const std::string& person_id,
                                                                    const std::string& system_id,
                                                                    const std::string& account) {
    auto catalog = CatalogInForce();
    if (!catalog) return Fail(catalog.error());
    const std::string today = Today();
    std::optional<PrivilegedGrant> best;
    for (const auto& type : (*catalog)->request_types()) {
        if (!type.privileged_access) continue;
        const auto& pa = *type.privileged_access;
        auto rs = db_.Query(
            "SELECT id, number, form, valid_from, valid_until FROM requests WHERE applicant_id = "
            "? AND type = ? AND state = 'approved' AND valid_from <= ? AND valid_until >= ?",
            {person_id, type.key, today, today});
        if (!rs) return Fail(rs.error());
        for (const auto& r : rs->rows) {
            boost::json::error_code ec;
            const auto form = boost::json::parse(r.Text(2), ec);
            const auto* o = ec ? nullptr : form.if_object();
            if (!o) continue;
            const auto* sys = o->if_contains(pa.system_field);
            const auto* acc = o->if_contains(pa.account_field);
            if (!sys || !acc || !sys->is_string() || !acc->is_string() ||
                sys->as_string() != system_id || acc->as_string() != account)
                continue;
            PrivilegedGrant g{r.Text(0), r.Text(1), system_id, account, r.Text(3), r.Text(4), ""};
            // The last day ends at midnight in Japan (UTC+9, no summer time): 15:00 UTC.
            g.ends_at = g.valid_until + "T15:00:00Z";
            if (!best || g.valid_until > best->valid_until) best = std::move(g);
        }
    }
    return best;
}

Result<std::vector<audit::Event>> WorkflowService::History(const Context& ctx,
                                                           const std::string& id, int limit) {
    if (auto q = Get(ctx, id); !q) return Fail(q.error());
    audit::Filter f;
    f.object_type = "request";
    f.object_id = id;
    f.limit = service::ClampLimit(limit, kMaxPage);
    return audit::List(db_, f);
}

}  // namespace mamori::workflow
