#include "incidents/incidents_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "audit/audit.h"
#include "core/service_support.h"
#include "http/json_reader.h"
#include "org/access.h"
#include "org/org_service.h"
#include "workflow/workflow_service.h"

namespace mamori::incidents {

// A mail to send once the transaction has committed.
struct Outgoing {
    std::string notification_id, to, subject, body;
};

namespace {

using service::ActorOf;
using service::Forbidden;

constexpr std::string_view kRead = "incidents.read";
constexpr std::string_view kManage = "incidents.manage";
constexpr std::size_t kMaxTitleChars = 200;
constexpr std::size_t kMaxTextChars = 4000;
constexpr std::size_t kMaxCommentChars = 2000;
constexpr std::size_t kMaxLinks = 50;
constexpr std::size_t kMaxFiles = 10;
constexpr int kMaxPage = 200;
constexpr std::string_view kPrefix = "INC";

// Who is told, by the policy's path (対策基準 7-3): the unit's 情報セキュリティ管理者 and the
// CSIRT at once; from the escalation severity up, the 統括情報セキュリティ責任者 and the CISO.
constexpr std::string_view kFirstContact = "section_manager";
constexpr std::string_view kCsirt = "csirt_member";
const std::vector<std::string> kEscalateTo = {"general_manager", "ciso"};

const std::vector<std::pair<std::string, std::string>> kStates = {
    {"reported", "報告"},          {"accepted", "受付"},         {"responding", "対応中"},
    {"investigating", "原因調査"}, {"preventing", "再発防止策"}, {"closed", "完了"},
    {"duplicate", "重複"}};

const std::vector<std::pair<std::string_view, std::string_view>> kTransitions = {
    {"reported", "accepted"},        {"accepted", "responding"}, {"responding", "investigating"},
    {"investigating", "preventing"}, {"preventing", "closed"},   {"closed", "responding"},
    {"reported", "duplicate"},       {"accepted", "duplicate"}};

const std::vector<EntryKind> kKinds = {{"reported", "報告", false},
                                       {"state", "状態の変更", false},
                                       {"severity", "重大度の判定", false},
                                       {"change", "内容の変更", false},
                                       {"notified", "通知", false},
                                       {"note", "メモ", true},
                                       {"action", "対応", true},
                                       {"decision", "判断", true},
                                       {"contact", "連絡", true},
                                       {"outside_report", "外部機関への報告", true},
                                       {"correction", "訂正", true}};

// Kinds anyone who may read the incident may add; the rest need incidents.manage.
bool OpenToReaders(std::string_view kind) {
    return kind == "note" || kind == "action" || kind == "correction";
}

constexpr std::string_view kColumns =
    "SELECT i.id, i.number, i.title, i.description, i.category, i.state, i.severity, "
    "i.discovered_at, i.discovered_on, i.occurred_at, i.unit_id, u.name, i.personal_information, "
    "i.specific_personal_information, i.malicious, i.scope_estimate, i.links, i.source, "
    "i.outside_reporter, i.reporter_id, rp.display_name, i.handler_id, hp.display_name, "
    "i.containment, i.cause, i.recurrence_prevention, i.exception_request_id, i.review_note, "
    "i.duplicate_of, d.number, i.catalog_version, i.created_at, i.updated_at, i.closed_at "
    "FROM incidents i JOIN units u ON u.id = i.unit_id JOIN people rp ON rp.id = i.reporter_id "
    "LEFT JOIN people hp ON hp.id = i.handler_id LEFT JOIN incidents d ON d.id = i.duplicate_of";

std::vector<std::string> StringsOf(const boost::json::value* v) {
    std::vector<std::string> out;
    if (!v || !v->is_array()) return out;
    for (const auto& e : v->as_array())
        if (e.is_string()) out.emplace_back(e.as_string());
    return out;
}

boost::json::array ArrayOf(const std::vector<std::string>& v) {
    boost::json::array a;
    for (const auto& s : v) a.emplace_back(s);
    return a;
}

Incident IncidentFrom(const store::Row& r, const policy::IncidentRules& rules) {
    Incident i;
    i.id = r.Text(0);
    i.number = r.Text(1);
    i.title = r.Text(2);
    i.description = r.Text(3);
    i.category = r.Text(4);
    for (const auto& c : rules.categories)
        if (c.key == i.category) i.category_name = c.name;
    i.state = r.Text(5);
    i.severity = r.OptText(6).value_or("");
    if (const auto* s = rules.FindSeverity(i.severity)) i.severity_name = s->name;
    i.escalated = !i.severity.empty() && !rules.escalate_from.empty() &&
                  rules.SeverityRank(i.severity) >= rules.SeverityRank(rules.escalate_from);
    i.discovered_at = r.Text(7);
    i.discovered_on = r.Text(8);
    i.occurred_at = r.OptText(9).value_or("");
    i.unit_id = r.Text(10);
    i.unit_name = r.Text(11);
    i.personal_information = r.Bool(12);
    i.specific_personal_information = r.Bool(13);
    i.malicious = r.Bool(14);
    i.scope_estimate = r.Text(15);
    boost::system::error_code ec;
    auto links = boost::json::parse(r.Text(16), ec);
    if (!ec && links.is_object()) {
        i.system_ids = StringsOf(links.as_object().if_contains("system_ids"));
        i.asset_ids = StringsOf(links.as_object().if_contains("asset_ids"));
        i.control_refs = StringsOf(links.as_object().if_contains("control_refs"));
    }
    i.source = r.Text(17);
    if (auto o = r.OptText(18)) {
        auto v = boost::json::parse(*o, ec);
        if (!ec && v.is_object()) {
            auto text = [&](const char* k) {
                const auto* s = v.as_object().if_contains(k);
                return s && s->is_string() ? std::string(s->as_string()) : std::string();
            };
            i.outside_reporter =
                OutsideReporter{text("name"), text("organisation"), text("contact")};
        }
    }
    i.reporter_id = r.Text(19);
    i.reporter_name = r.Text(20);
    i.handler_id = r.OptText(21).value_or("");
    i.handler_name = r.OptText(22).value_or("");
    i.containment = r.Text(23);
    i.cause = r.Text(24);
    i.recurrence_prevention = r.Text(25);
    i.exception_request_id = r.OptText(26).value_or("");
    i.review_note = r.Text(27);
    i.duplicate_of = r.OptText(28).value_or("");
    i.duplicate_of_number = r.OptText(29).value_or("");
    i.catalog_version = r.Text(30);
    i.created_at = r.Text(31);
    i.updated_at = r.Text(32);
    i.closed_at = r.OptText(33).value_or("");
    return i;
}

// The order of a number, INC-2026-0007 → 2026000007, so that INC-2026-10000 comes after
// INC-2026-9999; nullopt when `number` is not one.
std::optional<std::int64_t> SerialOf(const std::string& number) {
    static const std::regex kNumber(R"([A-Z]{1,10}-([0-9]{4})-([0-9]{4,6}))");
    std::smatch m;
    if (!std::regex_match(number, m, kNumber)) return std::nullopt;
    return std::stoll(m[1].str()) * 1000000 + std::stoll(m[2].str());
}

std::string LinksJson(const Incident& i) {
    return boost::json::serialize(boost::json::object{{"system_ids", ArrayOf(i.system_ids)},
                                                      {"asset_ids", ArrayOf(i.asset_ids)},
                                                      {"control_refs", ArrayOf(i.control_refs)}});
}

Error Invalid(std::string code, std::string message, std::string field) {
    return Error::Invalid(std::move(code), std::move(message), std::move(field));
}

// Text of one line (a title): required, no control characters, bounded.
Result<void> CheckLine(const std::string& s, std::string_view label, const std::string& field,
                       std::size_t max) {
    if (s.find_first_not_of(" \t") == std::string::npos)
        return Fail(Invalid("missing_field", fmt::format("{}を入力してください", label), field));
    for (unsigned char c : s)
        if (c < 0x20)
            return Fail(Invalid("invalid_field",
                                fmt::format("{}に改行や制御文字は使えません", label), field));
    if (http::CountChars(s) > max)
        return Fail(
            Invalid("too_long", fmt::format("{}は {} 文字以内にしてください", label, max), field));
    return {};
}

// Text of several lines: bounded, required when asked.
Result<void> CheckText(const std::string& s, std::string_view label, const std::string& field,
                       bool required, std::size_t max = kMaxTextChars) {
    if (required && s.find_first_not_of(" \t\r\n") == std::string::npos)
        return Fail(Invalid("missing_field", fmt::format("{}を入力してください", label), field));
    for (unsigned char c : s)
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t')
            return Fail(
                Invalid("invalid_field", fmt::format("{}に制御文字は使えません", label), field));
    if (http::CountChars(s) > max)
        return Fail(
            Invalid("too_long", fmt::format("{}は {} 文字以内にしてください", label, max), field));
    return {};
}

// An RFC 3339 time not in the future (a minute of clock skew allowed), as UTC text.
Result<std::string> CheckTime(const std::string& s, std::string_view label,
                              const std::string& field, Clock::TimePoint now) {
    auto t = ParseTimestamp(s);
    if (!t)
        return Fail(Invalid(
            "invalid_field",
            fmt::format("{}は 2026-05-01T09:30+09:00 の形で指定してください", label), field));
    if (*t > now + std::chrono::minutes(1))
        return Fail(
            Invalid("invalid_field", fmt::format("{}に未来の日時は指定できません", label), field));
    return FormatRfc3339(*t);
}

Result<void> CheckCategory(const policy::IncidentRules& rules, const std::string& key) {
    for (const auto& c : rules.categories)
        if (c.key == key) return {};
    return Fail(Invalid(key.empty() ? "missing_field" : "invalid_field", "分類を選んでください",
                        "category"));
}

Result<void> CheckSeverity(const policy::IncidentRules& rules, const std::string& key) {
    if (rules.FindSeverity(key)) return {};
    return Fail(Invalid(key.empty() ? "missing_field" : "invalid_field", "重大度を選んでください",
                        "severity"));
}

// Every id exists (`sql` selects 1 for one id); at most kMaxLinks, no repeats.
Result<void> CheckIds(store::Tx& tx, const std::vector<std::string>& ids, const char* sql,
                      std::string_view label, const std::string& field) {
    if (ids.size() > kMaxLinks)
        return Fail(
            Invalid("too_many", fmt::format("{}は {} 件までです", label, kMaxLinks), field));
    std::set<std::string> seen;
    for (const auto& id : ids) {
        if (!seen.insert(id).second)
            return Fail(Invalid("invalid_field", fmt::format("{}が重複しています", label), field));
        auto rs = tx.Query(sql, {id});
        if (!rs) return Fail(rs.error());
        if (rs->rows.empty())
            return Fail(Invalid("unknown_reference",
                                fmt::format("{} {} が見つかりません", label, id), field));
    }
    return {};
}

Result<void> CheckControls(const policy::Catalog& catalog, const std::vector<std::string>& refs) {
    if (refs.size() > kMaxLinks)
        return Fail(Invalid("too_many", "対策基準の項目は 50 件までです", "control_refs"));
    for (const auto& ref : refs)
        if (!catalog.Find(ref))
            return Fail(Invalid("unknown_reference",
                                fmt::format("対策基準の項目 {} が見つかりません", ref),
                                "control_refs"));
    return {};
}

Result<void> CheckOutsideReporter(const OutsideReporter& o) {
    if (auto r = CheckLine(o.name, "報告者の氏名", "outside_reporter.name", 100); !r) return r;
    if (!o.organisation.empty())
        if (auto r =
                CheckLine(o.organisation, "報告者の所属", "outside_reporter.organisation", 200);
            !r)
            return r;
    if (!o.contact.empty())
        if (auto r = CheckLine(o.contact, "報告者の連絡先", "outside_reporter.contact", 200); !r)
            return r;
    return {};
}

// The caller's uploads for a timeline entry: their own, named by nothing yet.
Result<boost::json::array> ClaimFiles(store::Tx& tx, const std::vector<std::string>& ids,
                                      const std::string& owner, const std::string& entry_id) {
    if (ids.size() > kMaxFiles)
        return Fail(Invalid("too_many", "添付ファイルは 10 件までです", "attachments"));
    boost::json::array out;
    for (const auto& id : ids) {
        auto a = workflow::FindAttachment(tx, id);
        if (!a) return Fail(a.error());
        if (!*a || (*a)->uploaded_by != owner || !(*a)->request_id.empty() ||
            !(*a)->incident_entry_id.empty())
            return Fail(Invalid(
                "unknown_reference",
                fmt::format("添付ファイル {} が見つかりません。もう一度添付してください", id),
                "attachments"));
        auto up = tx.Exec(
            "UPDATE attachments SET incident_entry_id = ? WHERE id = ? AND request_id IS NULL "
            "AND incident_entry_id IS NULL",
            {entry_id, id});
        if (!up) return Fail(up.error());
        if (*up != 1)
            return Fail(Error::Conflict("changed", "添付ファイルが同時に別の記録で使われました"));
        out.push_back({{"id", id}, {"filename", (*a)->filename}, {"sha256", (*a)->sha256}});
    }
    return out;
}

// Appends an entry (the caller holds the incident's row: every write touches it first).
Result<Entry> Append(store::Tx& tx, const std::string& incident_id, const std::string& author,
                     const NewEntry& n, const std::string& now) {
    auto next =
        tx.Query("SELECT COALESCE(MAX(seq), 0) + 1 FROM incident_entries WHERE incident_id = ?",
                 {incident_id});
    if (!next) return Fail(next.error());
    Entry e;
    e.id = service::NewId();
    e.seq = static_cast<int>(next->rows.at(0).Int(0));
    e.at = now;
    e.author_id = author;
    e.kind = n.kind;
    e.text = n.text;
    e.outside_body = n.outside_body;
    e.reported_on = n.reported_on;
    e.deadline = n.deadline;
    e.corrects = n.corrects;
    auto opt = [](const std::string& s) {
        return s.empty() ? store::Value(nullptr) : store::Value(s);
    };
    auto ins = tx.Exec(
        "INSERT INTO incident_entries (id, incident_id, seq, at, author_id, kind, text, "
        "outside_body, reported_on, deadline, corrects) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {e.id, incident_id, e.seq, now, opt(author), e.kind, e.text, opt(e.outside_body),
         opt(e.reported_on), opt(e.deadline),
         e.corrects ? store::Value(e.corrects) : store::Value(nullptr)});
    if (!ins) return Fail(ins.error());
    return e;
}

// Locks the incident for a write (its row) and bumps updated_at; 404 when missing.
Result<void> Touch(store::Tx& tx, const std::string& id, const std::string& now) {
    auto up = tx.Exec("UPDATE incidents SET updated_at = ? WHERE id = ?", {now, id});
    if (!up) return Fail(up.error());
    if (*up == 0) return Fail(Error::NotFound("インシデントが見つかりません"));
    return {};
}

// Read helpers take a transaction (inside a change) or the database (a read: no write lock).
template <typename Q>
Result<std::optional<Incident>> Load(Q& tx, const std::string& id,
                                     const policy::IncidentRules& rules) {
    auto rs = tx.Query(std::string(kColumns) + " WHERE i.id = ?", {id});
    if (!rs) return Fail(rs.error());
    if (rs->rows.empty()) return std::optional<Incident>();
    return std::optional<Incident>(IncidentFrom(rs->rows[0], rules));
}

struct Recipient {
    std::string person_id, role, email;
};

// Active holders of an organisation-wide role on `today`.
Result<std::vector<Recipient>> HoldersOf(store::Tx& tx, const std::string& role,
                                         const std::string& today) {
    auto rs = tx.Query(
        "SELECT DISTINCT p.id, p.email FROM appointments a JOIN people p ON p.id = a.person_id "
        "WHERE a.role = ? AND a.starts_on <= ? AND (a.ends_on IS NULL OR a.ends_on >= ?) AND "
        "p.status = 'active' ORDER BY p.id",
        {role, today, today});
    if (!rs) return Fail(rs.error());
    std::vector<Recipient> out;
    for (const auto& r : rs->rows) out.push_back({r.Text(0), role, r.Text(1)});
    return out;
}

}  // namespace

namespace {

// Who is calling and the catalog in force: what every call starts with.
struct Caller {
    const Principal* me = nullptr;
    std::shared_ptr<const policy::Catalog> catalog;
};

Result<Caller> CallerOf(const Context& ctx, IncidentsService& service) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    auto catalog = service.CatalogInForce();
    if (!catalog) return Fail(catalog.error());
    return Caller{*actor, std::move(*catalog)};
}

}  // namespace

const std::vector<std::string>& States() {
    static const std::vector<std::string> all = [] {
        std::vector<std::string> v;
        for (const auto& s : kStates) v.push_back(s.first);
        return v;
    }();
    return all;
}

std::string_view StateName(std::string_view state) {
    for (const auto& s : kStates)
        if (s.first == state) return s.second;
    return state;
}

bool Allowed(std::string_view from, std::string_view to) {
    return std::find(kTransitions.begin(), kTransitions.end(), std::pair{from, to}) !=
           kTransitions.end();
}

const std::vector<EntryKind>& EntryKinds() { return kKinds; }

IncidentsService::IncidentsService(store::Database& db, const Clock& clock,
                                   const org::RoleCatalog& roles, assets::CatalogSource catalog,
                                   Mailer mailer, Later later)
    : db_(db),
      clock_(clock),
      roles_(roles),
      catalog_(std::move(catalog)),
      mailer_(std::move(mailer)),
      later_(std::move(later)),
      separation_(db, roles) {}

std::string IncidentsService::Now() const { return FormatRfc3339(clock_.Now()); }
std::string IncidentsService::Today() const { return org::TodayJst(clock_.Now()); }

Result<std::shared_ptr<const policy::Catalog>> IncidentsService::CatalogInForce() {
    auto c = catalog_();
    if (!c) return Fail(c.error());
    if (!(*c)->incident_rules().defined)
        return Fail(Error{ErrorKind::kNotFound, "no_incident_rules",
                          "ポリシーカタログにインシデントの定め (incidents.yaml) がありません",
                          ""});
    return c;
}

namespace {

// The notification rows for `who`, with mail to send after commit.
Result<void> Notify(store::Tx& tx, const Incident& i, const std::vector<Recipient>& who,
                    const std::string& reason, const std::string& now, bool can_mail,
                    const std::string& exclude, std::vector<Outgoing>& mail,
                    std::vector<std::string>& notified) {
    std::set<std::string> done;
    for (const auto& r : who) {
        if (r.person_id == exclude || !done.insert(r.person_id).second) continue;
        const std::string email_state =
            !can_mail ? "not_configured" : (r.email.empty() ? "no_address" : "pending");
        const std::string id = service::NewId();
        auto ins = tx.Exec(
            "INSERT INTO incident_notifications (id, incident_id, person_id, role, reason, "
            "sent_at, email) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (incident_id, person_id, reason) DO NOTHING",
            {id, i.id, r.person_id, r.role, reason, now, email_state});
        if (!ins) return Fail(ins.error());
        if (*ins == 0) continue;
        notified.push_back(r.person_id);
        if (email_state == "pending") {
            const std::string what =
                reason == "escalated" ? "重大度の高いインシデント" : "インシデントの報告";
            mail.push_back(
                {id, r.email, fmt::format("[mamori] {} {} {}", what, i.number, i.title),
                 fmt::format("{}がありました。\n\n番号: {}\n件名: {}\n分類: {}\n重大度: {}\n"
                             "発見: {}\n部署: {}\n\nmamori にログインして内容を確認してください。\n"
                             "(このメールには詳しい内容を載せていません。)\n",
                             what, i.number, i.title, i.category_name,
                             i.severity_name.empty() ? "未判定" : i.severity_name, i.discovered_on,
                             i.unit_name)});
        }
    }
    return {};
}

// Mails the notifications written by a committed transaction and records the outcome.
void SendMail(store::Database& db, const Mailer& mailer, const std::vector<Outgoing>& mail) {
    for (const auto& m : mail) {
        const std::string state = mailer(m.to, m.subject, m.body);
        auto up = db.Query("UPDATE incident_notifications SET email = ? WHERE id = ?",
                           {state == "sent" ? "sent" : "failed", m.notification_id});
        if (!up)
            spdlog::warn("incident notification {}: {}", m.notification_id, up.error().message);
    }
}

// A severity set or changed: its timeline entry, and the escalation when it reaches
// escalate_from for the first time.
Result<void> RecordSeverity(store::Tx& tx, const policy::IncidentRules& rules, Incident& i,
                            const std::string& old_severity, const std::string& author,
                            const std::string& now, const std::string& today, bool can_mail,
                            std::vector<Outgoing>& mail, std::vector<std::string>& notified) {
    const auto* s = rules.FindSeverity(i.severity);
    i.severity_name = s ? s->name : i.severity;
    std::string text =
        old_severity.empty()
            ? fmt::format("重大度を「{}」と判定しました", i.severity_name)
            : fmt::format("重大度を「{}」から「{}」に変えました",
                          rules.FindSeverity(old_severity) ? rules.FindSeverity(old_severity)->name
                                                           : old_severity,
                          i.severity_name);
    const int from = rules.SeverityRank(rules.escalate_from);
    const bool escalate = !rules.escalate_from.empty() && rules.SeverityRank(i.severity) >= from &&
                          (old_severity.empty() || rules.SeverityRank(old_severity) < from);
    if (escalate) text += "。統括情報セキュリティ責任者と CISO に知らせました";
    if (auto e = Append(tx, i.id, author, {"severity", text, "", "", "", 0, {}}, now); !e)
        return Fail(e.error());
    if (!escalate) return {};
    std::vector<Recipient> who;
    for (const auto& role : kEscalateTo) {
        auto h = HoldersOf(tx, role, today);
        if (!h) return Fail(h.error());
        who.insert(who.end(), h->begin(), h->end());
    }
    return Notify(tx, i, who, "escalated", now, can_mail, author, mail, notified);
}

}  // namespace

void IncidentsService::Mail(std::vector<Outgoing> mail) {
    if (!mailer_ || mail.empty()) return;
    // A slow or unreachable mail server must not hold up the answer to the person reporting.
    auto job = [db = &db_, mailer = mailer_, mail = std::move(mail)] {
        SendMail(*db, mailer, mail);
    };
    if (later_)
        later_(std::move(job));
    else
        job();
}

Result<Incident> IncidentsService::Report(const Context& ctx, const NewIncident& n) {
    auto call = CallerOf(ctx, *this);
    if (!call) return Fail(call.error());
    const Principal& me = *call->me;
    const policy::Catalog& catalog = *call->catalog;
    const auto& rules = catalog.incident_rules();
    if (n.outside_reporter && !org::Access::CanEverywhere(me, roles_, kManage)) {
        // Only the contact point (incidents.manage) enters reports from outside (7-3(2)).
        auto tree = org::UnitTree::Load(db_);
        if (!tree) return Fail(tree.error());
        if (org::Access(roles_, std::move(*tree)).VisibleUnits(me, kManage).units.empty())
            return Fail(Forbidden());
    }
    if (auto r = CheckLine(n.title, "件名", "title", kMaxTitleChars); !r) return Fail(r.error());
    if (auto r = CheckText(n.description, "起きたこと", "description", true); !r)
        return Fail(r.error());
    if (auto r = CheckCategory(rules, n.category); !r) return Fail(r.error());
    const auto now_tp = clock_.Now();
    auto discovered = CheckTime(n.discovered_at, "発見日時", "discovered_at", now_tp);
    if (!discovered) return Fail(discovered.error());
    std::string occurred;
    if (!n.occurred_at.empty()) {
        auto o = CheckTime(n.occurred_at, "発生日時", "occurred_at", now_tp);
        if (!o) return Fail(o.error());
        occurred = *o;
    }
    if (auto r = CheckText(n.scope_estimate, "影響の見込み", "scope_estimate", false); !r)
        return Fail(r.error());
    if (n.outside_reporter)
        if (auto r = CheckOutsideReporter(*n.outside_reporter); !r) return Fail(r.error());
    const std::string now = Now();
    const std::string today = Today();
    std::vector<Outgoing> mail;
    auto made = db_.Transact([&](store::Tx& tx) -> Result<Incident> {
        mail.clear();
        Incident i;
        i.unit_id = n.unit_id;
        if (i.unit_id.empty()) {
            auto u = tx.Query("SELECT unit_id FROM people WHERE id = ?", {me.person_id});
            if (!u) return Fail(u.error());
            if (u->rows.empty() || !u->rows[0].OptText(0))
                return Fail(Invalid("missing_field", "関係する部署を選んでください", "unit_id"));
            i.unit_id = *u->rows[0].OptText(0);
        } else if (auto r = CheckIds(tx, {i.unit_id},
                                     "SELECT 1 FROM units WHERE id = ? AND status = 'active'",
                                     "部署", "unit_id");
                   !r) {
            return Fail(r.error());
        }
        if (auto r = CheckIds(tx, n.system_ids, "SELECT 1 FROM systems WHERE id = ?",
                              "情報システム", "system_ids");
            !r)
            return Fail(r.error());
        if (auto r =
                CheckIds(tx, n.asset_ids, "SELECT 1 FROM assets WHERE id = ? AND status = 'active'",
                         "情報資産", "asset_ids");
            !r)
            return Fail(r.error());
        auto number = workflow::NextNumber(tx, std::string(kPrefix), std::stoi(today.substr(0, 4)));
        if (!number) return Fail(number.error());
        i.id = service::NewId();
        i.number = *number;
        i.title = n.title;
        i.description = n.description;
        i.category = n.category;
        i.state = "reported";
        i.discovered_at = *discovered;
        i.discovered_on = org::TodayJst(*ParseTimestamp(*discovered));
        i.occurred_at = occurred;
        i.system_ids = n.system_ids;
        i.asset_ids = n.asset_ids;
        i.personal_information = n.personal_information || n.specific_personal_information;
        i.specific_personal_information = n.specific_personal_information;
        i.malicious = n.malicious;
        i.scope_estimate = n.scope_estimate;
        i.source = n.outside_reporter ? "outside" : "staff";
        i.outside_reporter = n.outside_reporter;
        i.reporter_id = me.person_id;
        i.catalog_version = catalog.policy().version;
        i.created_at = i.updated_at = now;
        store::Value outside(nullptr);
        if (n.outside_reporter)
            outside = boost::json::serialize(
                boost::json::object{{"name", n.outside_reporter->name},
                                    {"organisation", n.outside_reporter->organisation},
                                    {"contact", n.outside_reporter->contact}});
        auto ins = tx.Exec(
            "INSERT INTO incidents (id, number, serial, title, description, category, state, "
            "discovered_at, discovered_on, occurred_at, unit_id, personal_information, "
            "specific_personal_information, malicious, scope_estimate, links, source, "
            "outside_reporter, reporter_id, containment, cause, recurrence_prevention, "
            "review_note, catalog_version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, "
            "'reported', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '', '', ?, ?, ?)",
            {i.id,
             i.number,
             *SerialOf(i.number),
             i.title,
             i.description,
             i.category,
             i.discovered_at,
             i.discovered_on,
             occurred.empty() ? store::Value(nullptr) : store::Value(occurred),
             i.unit_id,
             i.personal_information ? 1 : 0,
             i.specific_personal_information ? 1 : 0,
             i.malicious ? 1 : 0,
             i.scope_estimate,
             LinksJson(i),
             i.source,
             outside,
             i.reporter_id,
             i.catalog_version,
             now,
             now});
        if (!ins) return Fail(ins.error());
        auto loaded = Load(tx, i.id, rules);  // names of unit and reporter
        if (!loaded) return Fail(loaded.error());
        i = std::move(**loaded);
        std::string text = i.description;
        if (i.outside_reporter)
            text = fmt::format("{} ({}) からの報告。連絡先: {}\n{}", i.outside_reporter->name,
                               i.outside_reporter->organisation, i.outside_reporter->contact,
                               i.description);
        auto entry = Append(tx, i.id, me.person_id, {"reported", text, "", "", "", 0, {}}, now);
        if (!entry) return Fail(entry.error());
        auto files = ClaimFiles(tx, n.attachments, me.person_id, entry->id);
        if (!files) return Fail(files.error());
        // Who is told at once: the unit's 情報セキュリティ管理者 (or the next role up when the
        // post is vacant or the reporter holds it) and every CSIRT member.
        std::vector<Recipient> who;
        auto first = separation_.ResolveApprover(tx, me.person_id, std::string(kFirstContact),
                                                 i.unit_id, today);
        if (first) {
            auto e = tx.Query("SELECT email FROM people WHERE id = ?", {first->person_id});
            if (!e) return Fail(e.error());
            who.push_back(
                {first->person_id, first->role, e->rows.empty() ? "" : e->rows[0].Text(0)});
        } else if (first.error().kind != ErrorKind::kRuleViolation) {
            return Fail(first.error());
        }
        auto csirt = HoldersOf(tx, std::string(kCsirt), today);
        if (!csirt) return Fail(csirt.error());
        who.insert(who.end(), csirt->begin(), csirt->end());
        std::vector<std::string> notified;
        if (auto r = Notify(tx, i, who, "reported", now, static_cast<bool>(mailer_), me.person_id,
                            mail, notified);
            !r)
            return Fail(r.error());
        if (auto r = audit::RecordChange(tx, ctx, "incident.report", "incident", i.id,
                                         {{"number", i.number},
                                          {"category", i.category},
                                          {"source", i.source},
                                          {"personal_information", i.personal_information},
                                          {"notified", ArrayOf(notified)},
                                          {"attachments", std::move(*files)}},
                                         now);
            !r)
            return Fail(r.error());
        return i;
    });
    if (!made) return Fail(made.error());
    Mail(std::move(mail));
    return Get(ctx, made->id);
}

namespace {

// Whether `p` may read the incident: its reporter, anyone notified of it, a holder of
// incidents.read (or .manage) reaching its unit.
template <typename Q>
Result<bool> MayRead(Q& tx, const org::RoleCatalog& roles, const Principal& p, const Incident& i) {
    if (i.reporter_id == p.person_id) return true;
    if (org::Access::CanEverywhere(p, roles, kRead) ||
        org::Access::CanEverywhere(p, roles, kManage))
        return true;
    auto n =
        tx.Query("SELECT 1 FROM incident_notifications WHERE incident_id = ? AND person_id = ?",
                 {i.id, p.person_id});
    if (!n) return Fail(n.error());
    if (!n->rows.empty()) return true;
    auto tree = org::UnitTree::Load(tx);
    if (!tree) return Fail(tree.error());
    org::Access access(roles, std::move(*tree));
    return access.Can(p, kRead, i.unit_id) || access.Can(p, kManage, i.unit_id);
}

template <typename Q>
Result<bool> MayManage(Q& tx, const org::RoleCatalog& roles, const Principal& p,
                       const std::string& unit_id) {
    if (org::Access::CanEverywhere(p, roles, kManage)) return true;
    if (!p.Has(std::string(kManage))) return false;
    auto tree = org::UnitTree::Load(tx);
    if (!tree) return Fail(tree.error());
    return org::Access(roles, std::move(*tree)).Can(p, kManage, unit_id);
}

// Records that `person_id` opened the incident, in each of their notifications of it not yet
// opened (acting on an incident opens it too).
template <typename Q>
Result<void> MarkOpened(Q& q, const std::string& id, const std::string& person_id,
                        const std::string& now) {
    auto r = q.Query(
        "UPDATE incident_notifications SET opened_at = ? WHERE incident_id = ? AND "
        "person_id = ? AND opened_at IS NULL",
        {now, id, person_id});
    if (!r) return Fail(r.error());
    return {};
}

// The incident, for a change by `p`: 404 when it is missing or `p` may not read it, 403 when
// they may read it but not manage it.
Result<Incident> ToManage(store::Tx& tx, const org::RoleCatalog& roles, const Principal& p,
                          const std::string& id, const policy::IncidentRules& rules) {
    const auto not_found = Error::NotFound("インシデントが見つかりません");
    auto found = Load(tx, id, rules);
    if (!found) return Fail(found.error());
    if (!*found) return Fail(not_found);
    auto manage = MayManage(tx, roles, p, (*found)->unit_id);
    if (!manage) return Fail(manage.error());
    if (*manage) return std::move(**found);
    auto may = MayRead(tx, roles, p, **found);
    if (!may) return Fail(may.error());
    return Fail(*may ? Forbidden() : not_found);
}

// Each applicable deadline, and whether an outside report recorded against it met it.
template <typename Q>
Result<void> FillDeadlines(Q& tx, const policy::IncidentRules& rules, std::vector<Incident>& items,
                           const std::string& today) {
    if (items.empty()) return {};
    std::vector<std::string> ids;
    for (const auto& i : items)
        if (i.personal_information) ids.push_back(i.id);
    std::map<std::pair<std::string, std::string>, std::string> met;
    if (!ids.empty()) {
        store::Where where;
        where.Add("kind = 'outside_report' AND deadline IS NOT NULL");
        where.AddIn("incident_id", ids);
        auto rs = tx.Query("SELECT incident_id, deadline, MIN(reported_on) FROM incident_entries" +
                               where.Sql() + " GROUP BY incident_id, deadline",
                           where.With());
        if (!rs) return Fail(rs.error());
        for (const auto& r : rs->rows) met[{r.Text(0), r.Text(1)}] = r.Text(2);
    }
    for (auto& i : items) {
        i.deadlines.clear();
        auto d = DeadlinesFor(rules, {i.discovered_on, i.personal_information, i.malicious}, today);
        if (!d) return Fail(d.error());
        for (auto& x : *d) {
            DeadlineView v{std::move(x), false, ""};
            if (auto it = met.find({i.id, v.deadline.key}); it != met.end()) {
                v.done = true;
                v.reported_on = it->second;
            }
            i.deadlines.push_back(std::move(v));
        }
    }
    return {};
}

// What each linked id stands for, as people read it.
template <typename Q>
Result<boost::json::object> NamesOf(Q& tx, const policy::Catalog& catalog, const Incident& i) {
    boost::json::object names;
    auto put = [&](const std::string& id, const char* sql) -> Result<void> {
        auto rs = tx.Query(sql, {id});
        if (!rs) return Fail(rs.error());
        if (!rs->rows.empty()) names[id] = rs->rows[0].Text(0);
        return {};
    };
    for (const auto& id : i.system_ids)
        if (auto r = put(id, "SELECT name FROM systems WHERE id = ?"); !r) return Fail(r.error());
    for (const auto& id : i.asset_ids)
        if (auto r = put(id, "SELECT asset_number || ' ' || name FROM assets WHERE id = ?"); !r)
            return Fail(r.error());
    if (!i.exception_request_id.empty())
        if (auto r = put(i.exception_request_id,
                         "SELECT number || ' ' || title FROM requests WHERE id = ?");
            !r)
            return Fail(r.error());
    for (const auto& ref : i.control_refs)
        if (const auto* c = catalog.Find(ref)) names[ref] = fmt::format("{} {}", ref, c->title);
    return names;
}

}  // namespace

Result<Incident> IncidentsService::Get(const Context& ctx, const std::string& id) {
    auto call = CallerOf(ctx, *this);
    if (!call) return Fail(call.error());
    const Principal& me = *call->me;
    const policy::Catalog& catalog = *call->catalog;
    const auto& rules = catalog.incident_rules();
    auto found = Load(db_, id, rules);
    if (!found) return Fail(found.error());
    const auto not_found = Error::NotFound("インシデントが見つかりません");
    if (!*found) return Fail(not_found);
    auto may = MayRead(db_, roles_, me, **found);
    if (!may) return Fail(may.error());
    if (!*may) return Fail(not_found);
    // The caller's first opening of their notifications (a write only when there is one).
    auto unopened = db_.Query(
        "SELECT 1 FROM incident_notifications WHERE incident_id = ? AND person_id = ? AND "
        "opened_at IS NULL",
        {id, me.person_id});
    if (!unopened) return Fail(unopened.error());
    if (!unopened->rows.empty()) {
        if (auto r = MarkOpened(db_, id, me.person_id, Now()); !r) return Fail(r.error());
    }
    std::vector<Incident> one{std::move(**found)};
    if (auto r = FillDeadlines(db_, rules, one, Today()); !r) return Fail(r.error());
    Incident i = std::move(one[0]);
    auto names = NamesOf(db_, catalog, i);
    if (!names) return Fail(names.error());
    i.names = std::move(*names);
    auto manage = MayManage(db_, roles_, me, i.unit_id);
    if (!manage) return Fail(manage.error());
    i.can_manage = *manage;
    if (i.can_manage)
        for (const auto& [from, to] : kTransitions)
            if (from == i.state) i.transitions.emplace_back(to);
    return i;
}

Result<Page<Incident>> IncidentsService::List(const Context& ctx, const IncidentFilter& f) {
    auto call = CallerOf(ctx, *this);
    if (!call) return Fail(call.error());
    const Principal& me = *call->me;
    const policy::Catalog& catalog = *call->catalog;
    const auto& rules = catalog.incident_rules();
    if (!f.state.empty() && std::find(States().begin(), States().end(), f.state) == States().end())
        return Fail(Invalid("invalid_field", "状態の指定が正しくありません", "state"));
    if (!f.severity.empty() && f.severity != "none")
        if (auto r = CheckSeverity(rules, f.severity); !r) return Fail(r.error());
    if (!f.category.empty())
        if (auto r = CheckCategory(rules, f.category); !r) return Fail(r.error());
    if (http::CountChars(f.q) > 100)
        return Fail(Invalid("too_long", "検索語は 100 文字以内にしてください", "q"));
    const int limit = service::ClampLimit(f.limit, kMaxPage);
    store::Where where;
    if (!org::Access::CanEverywhere(me, roles_, kRead) &&
        !org::Access::CanEverywhere(me, roles_, kManage)) {
        auto tree = org::UnitTree::Load(db_);
        if (!tree) return Fail(tree.error());
        org::Access access(roles_, std::move(*tree));
        std::set<std::string> units;
        for (auto perm : {kRead, kManage})
            for (auto& u : access.VisibleUnits(me, perm).units) units.insert(u);
        std::string cond =
            "(i.reporter_id = ? OR EXISTS (SELECT 1 FROM incident_notifications n WHERE "
            "n.incident_id = i.id AND n.person_id = ?)";
        std::vector<store::Value> params{me.person_id, me.person_id};
        if (!units.empty()) {
            cond += " OR i.unit_id IN (";
            bool first = true;
            for (const auto& u : units) {
                cond += first ? "?" : ", ?";
                first = false;
                params.emplace_back(u);
            }
            cond += ")";
        }
        where.Add(cond + ")", params);
    }
    if (!f.state.empty()) where.Add("i.state = ?", {f.state});
    if (f.open) where.Add("i.state NOT IN ('closed', 'duplicate')");
    if (f.severity == "none")
        where.Add("i.severity IS NULL");
    else if (!f.severity.empty())
        where.Add("i.severity = ?", {f.severity});
    if (!f.category.empty()) where.Add("i.category = ?", {f.category});
    if (!f.unit_id.empty()) where.Add("i.unit_id = ?", {f.unit_id});
    if (f.personal_information)
        where.Add("i.personal_information = ?", {*f.personal_information ? 1 : 0});
    if (!f.q.empty()) {
        const std::string like = service::LikePattern(f.q);
        std::string upper = like;
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        where.Add(
            "i.serial IN (SELECT s.serial FROM incidents s WHERE s.number LIKE ? ESCAPE "
            "'\\' OR s.title LIKE ? ESCAPE '\\')",
            {upper, like});
    }
    if (!f.cursor.empty()) {
        auto serial = SerialOf(f.cursor);
        if (!serial) return Fail(Invalid("invalid_field", "cursor が正しくありません", "cursor"));
        where.Add("i.serial < ?", {*serial});
    }
    auto rs = db_.Query(std::string(kColumns) + where.Sql() + " ORDER BY i.serial DESC LIMIT ?",
                        where.With({limit + 1}));
    if (!rs) return Fail(rs.error());
    Page<Incident> page;
    for (const auto& r : rs->rows) {
        if (static_cast<int>(page.items.size()) == limit) {
            page.next_cursor = page.items.back().number;
            break;
        }
        page.items.push_back(IncidentFrom(r, rules));
    }
    if (auto r = FillDeadlines(db_, rules, page.items, Today()); !r) return Fail(r.error());
    return page;
}

namespace {

struct Changed {
    boost::json::object audit;        // field → new value
    std::vector<std::string> labels;  // for the timeline
};

template <typename T>
void Note(Changed& c, const char* field, const char* label, const T& value) {
    c.audit[field] = boost::json::value_from(value);
    c.labels.emplace_back(label);
}

}  // namespace

Result<Incident> IncidentsService::Update(const Context& ctx, const std::string& id,
                                          const IncidentChange& c) {
    auto call = CallerOf(ctx, *this);
    if (!call) return Fail(call.error());
    const Principal& me = *call->me;
    const policy::Catalog& catalog = *call->catalog;
    const auto& rules = catalog.incident_rules();
    if (c.title)
        if (auto r = CheckLine(*c.title, "件名", "title", kMaxTitleChars); !r)
            return Fail(r.error());
    if (c.description)
        if (auto r = CheckText(*c.description, "起きたこと", "description", true); !r)
            return Fail(r.error());
    if (c.category)
        if (auto r = CheckCategory(rules, *c.category); !r) return Fail(r.error());
    if (c.severity)
        if (auto r = CheckSeverity(rules, *c.severity); !r) return Fail(r.error());
    std::optional<std::string> occurred;
    if (c.occurred_at && !c.occurred_at->empty()) {
        auto o = CheckTime(*c.occurred_at, "発生日時", "occurred_at", clock_.Now());
        if (!o) return Fail(o.error());
        occurred = *o;
    } else if (c.occurred_at) {
        occurred = "";
    }
    const std::vector<
        std::pair<const std::optional<std::string>*, std::pair<const char*, const char*>>>
        texts = {{&c.scope_estimate, {"scope_estimate", "影響の見込み"}},
                 {&c.containment, {"containment", "封じ込めの内容"}},
                 {&c.cause, {"cause", "原因"}},
                 {&c.recurrence_prevention, {"recurrence_prevention", "再発防止策"}},
                 {&c.review_note, {"review_note", "ポリシー見直しへの申し送り"}}};
    for (const auto& [v, meta] : texts)
        if (*v)
            if (auto r = CheckText(**v, meta.second, meta.first, false); !r) return Fail(r.error());
    if (c.control_refs)
        if (auto r = CheckControls(catalog, *c.control_refs); !r) return Fail(r.error());
    const std::string now = Now(), today = Today();
    std::vector<Outgoing> mail;
    auto done = db_.Transact([&](store::Tx& tx) -> Result<void> {
        mail.clear();
        auto found = ToManage(tx, roles_, me, id, rules);
        if (!found) return Fail(found.error());
        Incident i = std::move(*found);
        if (i.state == "closed" || i.state == "duplicate")
            return Fail(Error::Conflict(
                "incident_closed",
                "完了または重複としたインシデントは変更できません。再開してから変更してください"));
        if (auto r = Touch(tx, id, now); !r) return Fail(r.error());
        if (auto r = MarkOpened(tx, id, me.person_id, now); !r) return Fail(r.error());
        Changed ch;
        const std::string old_severity = i.severity;
        auto set_text = [&](const std::optional<std::string>& v, std::string& field,
                            const char* key, const char* label) {
            if (v && *v != field) {
                field = *v;
                Note(ch, key, label, field);
            }
        };
        set_text(c.title, i.title, "title", "件名");
        set_text(c.description, i.description, "description", "起きたこと");
        set_text(c.category, i.category, "category", "分類");
        set_text(occurred, i.occurred_at, "occurred_at", "発生日時");
        set_text(c.scope_estimate, i.scope_estimate, "scope_estimate", "影響の見込み");
        set_text(c.containment, i.containment, "containment", "封じ込めの内容");
        set_text(c.cause, i.cause, "cause", "原因");
        set_text(c.recurrence_prevention, i.recurrence_prevention, "recurrence_prevention",
                 "再発防止策");
        set_text(c.review_note, i.review_note, "review_note", "ポリシー見直しへの申し送り");
        if (c.unit_id && *c.unit_id != i.unit_id) {
            if (auto r = CheckIds(tx, {*c.unit_id},
                                  "SELECT 1 FROM units WHERE id = ? AND status = 'active'", "部署",
                                  "unit_id");
                !r)
                return Fail(r.error());
            set_text(c.unit_id, i.unit_id, "unit_id", "部署");
        }
        if (c.handler_id && *c.handler_id != i.handler_id) {
            if (!c.handler_id->empty())
                if (auto r = CheckIds(tx, {*c.handler_id},
                                      "SELECT 1 FROM people WHERE id = ? AND status = 'active'",
                                      "担当者", "handler_id");
                    !r)
                    return Fail(r.error());
            set_text(c.handler_id, i.handler_id, "handler_id", "担当者");
        }
        if (c.exception_request_id && *c.exception_request_id != i.exception_request_id) {
            if (!c.exception_request_id->empty())
                if (auto r = CheckIds(tx, {*c.exception_request_id},
                                      "SELECT 1 FROM requests WHERE id = ?", "申請",
                                      "exception_request_id");
                    !r)
                    return Fail(r.error());
            set_text(c.exception_request_id, i.exception_request_id, "exception_request_id",
                     "関連する例外措置");
        }
        auto set_ids = [&](const std::optional<std::vector<std::string>>& v,
                           std::vector<std::string>& field, const char* sql, const char* key,
                           const char* label) -> Result<void> {
            if (!v || *v == field) return {};
            if (sql)
                if (auto r = CheckIds(tx, *v, sql, label, key); !r) return r;
            field = *v;
            Note(ch, key, label, field);
            return {};
        };
        if (auto r = set_ids(c.system_ids, i.system_ids, "SELECT 1 FROM systems WHERE id = ?",
                             "system_ids", "情報システム");
            !r)
            return Fail(r.error());
        if (auto r = set_ids(c.asset_ids, i.asset_ids, "SELECT 1 FROM assets WHERE id = ?",
                             "asset_ids", "情報資産");
            !r)
            return Fail(r.error());
        if (auto r =
                set_ids(c.control_refs, i.control_refs, nullptr, "control_refs", "対策基準の項目");
            !r)
            return Fail(r.error());
        auto set_flag = [&](const std::optional<bool>& v, bool& field, const char* key,
                            const char* label) {
            if (v && *v != field) {
                field = *v;
                Note(ch, key, label, field);
            }
        };
        set_flag(c.personal_information, i.personal_information, "personal_information",
                 "個人情報");
        set_flag(c.specific_personal_information, i.specific_personal_information,
                 "specific_personal_information", "特定個人情報");
        set_flag(c.malicious, i.malicious, "malicious", "不正の目的のおそれ");
        if (i.specific_personal_information) i.personal_information = true;
        const bool severity_changed = c.severity && *c.severity != i.severity;
        if (severity_changed) {
            i.severity = *c.severity;
            ch.audit["severity"] = i.severity;
        }
        if (ch.audit.empty()) return {};
        auto up = tx.Exec(
            "UPDATE incidents SET title = ?, description = ?, category = ?, severity = ?, "
            "severity_rank = ?, occurred_at = ?, unit_id = ?, personal_information = ?, "
            "specific_personal_information = ?, malicious = ?, scope_estimate = ?, links = ?, "
            "handler_id = ?, containment = ?, cause = ?, recurrence_prevention = ?, "
            "exception_request_id = ?, review_note = ? WHERE id = ?",
            {i.title, i.description, i.category,
             i.severity.empty() ? store::Value(nullptr) : store::Value(i.severity),
             i.severity.empty() ? store::Value(nullptr)
                                : store::Value(rules.SeverityRank(i.severity)),
             i.occurred_at.empty() ? store::Value(nullptr) : store::Value(i.occurred_at), i.unit_id,
             i.personal_information ? 1 : 0, i.specific_personal_information ? 1 : 0,
             i.malicious ? 1 : 0, i.scope_estimate, LinksJson(i),
             i.handler_id.empty() ? store::Value(nullptr) : store::Value(i.handler_id),
             i.containment, i.cause, i.recurrence_prevention,
             i.exception_request_id.empty() ? store::Value(nullptr)
                                            : store::Value(i.exception_request_id),
             i.review_note, id});
        if (!up) return Fail(up.error());
        if (!ch.labels.empty()) {
            std::string text = "変更した項目: ";
            for (std::size_t k = 0; k < ch.labels.size(); ++k)
                text += (k ? "、" : "") + ch.labels[k];
            if (auto e = Append(tx, id, me.person_id, {"change", text, "", "", "", 0, {}}, now); !e)
                return Fail(e.error());
        }
        std::vector<std::string> notified;
        if (severity_changed) {
            if (auto r = RecordSeverity(tx, rules, i, old_severity, me.person_id, now, today,
                                        static_cast<bool>(mailer_), mail, notified);
                !r)
                return Fail(r.error());
            ch.audit["notified"] = ArrayOf(notified);
        }
        if (c.handler_id && !i.handler_id.empty() && ch.audit.contains("handler_id")) {
            auto e = tx.Query("SELECT email FROM people WHERE id = ?", {i.handler_id});
            if (!e) return Fail(e.error());
            if (auto r =
                    Notify(tx, i, {{i.handler_id, "handler", e->rows.at(0).Text(0)}}, "assigned",
                           now, static_cast<bool>(mailer_), me.person_id, mail, notified);
                !r)
                return Fail(r.error());
        }
        ch.audit["number"] = i.number;
        return audit::RecordChange(tx, ctx, "incident.update", "incident", id, std::move(ch.audit),
                                   now);
    });
    if (!done) return Fail(done.error());
    Mail(std::move(mail));
    return Get(ctx, id);
}

Result<Incident> IncidentsService::Move(const Context& ctx, const std::string& id,
                                        const Transition& t) {
    auto call = CallerOf(ctx, *this);
    if (!call) return Fail(call.error());
    const Principal& me = *call->me;
    const policy::Catalog& catalog = *call->catalog;
    const auto& rules = catalog.incident_rules();
    if (std::find(States().begin(), States().end(), t.to) == States().end())
        return Fail(Invalid(t.to.empty() ? "missing_field" : "invalid_field",
                            "移す先の状態を指定してください", "to"));
    if (auto r = CheckText(t.comment, "コメント", "comment", false, kMaxCommentChars); !r)
        return Fail(r.error());
    if (!t.severity.empty())
        if (auto r = CheckSeverity(rules, t.severity); !r) return Fail(r.error());
    const std::string now = Now(), today = Today();
    std::vector<Outgoing> mail;
    auto done = db_.Transact([&](store::Tx& tx) -> Result<void> {
        mail.clear();
        auto found = ToManage(tx, roles_, me, id, rules);
        if (!found) return Fail(found.error());
        Incident i = std::move(*found);
        if (!Allowed(i.state, t.to))
            return Fail(Error::Conflict("invalid_transition",
                                        fmt::format("「{}」のインシデントを「{}」にはできません",
                                                    StateName(i.state), StateName(t.to))));
        const bool reopen = i.state == "closed";
        if (reopen)
            if (auto r = CheckText(t.comment, "再開の理由", "comment", true, kMaxCommentChars); !r)
                return Fail(r.error());
        auto need = [](const std::string& v, const char* field, const char* label) -> Result<void> {
            if (v.find_first_not_of(" \t\r\n") != std::string::npos) return {};
            return Fail(
                Invalid("missing_field", fmt::format("先に{}を記録してください", label), field));
        };
        if (t.to == "accepted" && t.severity.empty())
            if (auto r = need(i.severity, "severity", "重大度"); !r) return Fail(r.error());
        if (t.to == "investigating")
            if (auto r = need(i.containment, "containment", "封じ込めの内容"); !r)
                return Fail(r.error());
        if (t.to == "preventing")
            if (auto r = need(i.cause, "cause", "原因"); !r) return Fail(r.error());
        if (t.to == "closed") {
            if (auto r = need(i.cause, "cause", "原因"); !r) return Fail(r.error());
            if (auto r = need(i.recurrence_prevention, "recurrence_prevention", "再発防止策"); !r)
                return Fail(r.error());
        }
        std::string duplicate_number;
        if (t.to == "duplicate") {
            if (t.duplicate_of.empty() || t.duplicate_of == id)
                return Fail(Invalid("missing_field", "重複元のインシデントを指定してください",
                                    "duplicate_of"));
            auto d = tx.Query("SELECT number, state FROM incidents WHERE id = ?", {t.duplicate_of});
            if (!d) return Fail(d.error());
            if (d->rows.empty() || d->rows[0].Text(1) == "duplicate")
                return Fail(
                    Invalid("unknown_reference",
                            "重複元のインシデントが見つかりません (重複としたものは指定できません)",
                            "duplicate_of"));
            duplicate_number = d->rows[0].Text(0);
        }
        if (auto r = Touch(tx, id, now); !r) return Fail(r.error());
        if (auto r = MarkOpened(tx, id, me.person_id, now); !r) return Fail(r.error());
        const std::string old_severity = i.severity;
        const bool severity_changed = !t.severity.empty() && t.severity != i.severity;
        if (severity_changed) i.severity = t.severity;
        auto up = tx.Exec(
            "UPDATE incidents SET state = ?, severity = ?, severity_rank = ?, duplicate_of = ?, "
            "closed_at = ? WHERE id = ? AND state = ?",
            {t.to, i.severity.empty() ? store::Value(nullptr) : store::Value(i.severity),
             i.severity.empty() ? store::Value(nullptr)
                                : store::Value(rules.SeverityRank(i.severity)),
             t.to == "duplicate"
                 ? store::Value(t.duplicate_of)
                 : (i.duplicate_of.empty() ? store::Value(nullptr) : store::Value(i.duplicate_of)),
             t.to == "closed" || t.to == "duplicate" ? store::Value(now) : store::Value(nullptr),
             id, i.state});
        if (!up) return Fail(up.error());
        if (*up != 1)
            return Fail(
                Error::Conflict("changed", "ほかの人が同時に状態を変えました。開き直してください"));
        std::vector<std::string> notified;
        if (severity_changed)
            if (auto r = RecordSeverity(tx, rules, i, old_severity, me.person_id, now, today,
                                        static_cast<bool>(mailer_), mail, notified);
                !r)
                return Fail(r.error());
        std::string text = fmt::format("「{}」から「{}」へ", StateName(i.state), StateName(t.to));
        if (!duplicate_number.empty()) text += fmt::format(" ({} と重複)", duplicate_number);
        if (!t.comment.empty()) text += "\n" + t.comment;
        if (auto e = Append(tx, id, me.person_id, {"state", text, "", "", "", 0, {}}, now); !e)
            return Fail(e.error());
        boost::json::object summary{{"number", i.number}, {"from", i.state}, {"to", t.to}};
        if (!t.comment.empty()) summary["comment"] = t.comment;
        if (severity_changed) summary["severity"] = i.severity;
        if (!notified.empty()) summary["notified"] = ArrayOf(notified);
        if (!t.duplicate_of.empty() && t.to == "duplicate")
            summary["duplicate_of"] = t.duplicate_of;
        return audit::RecordChange(tx, ctx, "incident.transition", "incident", id,
                                   std::move(summary), now);
    });
    if (!done) return Fail(done.error());
    Mail(std::move(mail));
    return Get(ctx, id);
}

namespace {

template <typename Q>
Result<std::vector<Entry>> EntriesOf(Q& tx, const std::string& id) {
    auto rs = tx.Query(
        "SELECT e.id, e.seq, e.at, e.author_id, p.display_name, e.kind, e.text, e.outside_body, "
        "e.reported_on, e.deadline, e.corrects FROM incident_entries e LEFT JOIN people p ON "
        "p.id = e.author_id WHERE e.incident_id = ? ORDER BY e.seq",
        {id});
    if (!rs) return Fail(rs.error());
    std::vector<Entry> out;
    std::map<std::string, std::size_t> at;
    for (const auto& r : rs->rows) {
        Entry e;
        e.id = r.Text(0);
        e.seq = static_cast<int>(r.Int(1));
        e.at = r.Text(2);
        e.author_id = r.OptText(3).value_or("");
        e.author_name = r.OptText(4).value_or("");
        e.kind = r.Text(5);
        e.text = r.Text(6);
        e.outside_body = r.OptText(7).value_or("");
        e.reported_on = r.OptText(8).value_or("");
        e.deadline = r.OptText(9).value_or("");
        e.corrects = static_cast<int>(r.OptInt(10).value_or(0));
        at[e.id] = out.size();
        out.push_back(std::move(e));
    }
    auto files = tx.Query(
        "SELECT a.incident_entry_id, a.id, a.filename, a.sha256, a.content_type, a.size_bytes "
        "FROM attachments a JOIN incident_entries e ON e.id = a.incident_entry_id WHERE "
        "e.incident_id = ? ORDER BY a.uploaded_at, a.id",
        {id});
    if (!files) return Fail(files.error());
    for (const auto& r : files->rows)
        if (auto it = at.find(r.Text(0)); it != at.end())
            out[it->second].attachments.push_back(
                {r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Int(5)});
    return out;
}

}  // namespace

Result<void> IncidentsService::CheckReadable(const Context& ctx, const std::string& id) {
    auto call = CallerOf(ctx, *this);
    if (!call) return Fail(call.error());
    const auto not_found = Error::NotFound("インシデントが見つかりません");
    auto found = Load(db_, id, call->catalog->incident_rules());
    if (!found) return Fail(found.error());
    if (!*found) return Fail(not_found);
    auto may = MayRead(db_, roles_, *call->me, **found);
    if (!may) return Fail(may.error());
    if (!*may) return Fail(not_found);
    return {};
}

Result<std::vector<Entry>> IncidentsService::Timeline(const Context& ctx, const std::string& id) {
    if (auto r = CheckReadable(ctx, id); !r) return Fail(r.error());
    return EntriesOf(db_, id);
}

Result<Entry> IncidentsService::AddEntry(const Context& ctx, const std::string& id,
                                         const NewEntry& n) {
    auto call = CallerOf(ctx, *this);
    if (!call) return Fail(call.error());
    const Principal& me = *call->me;
    const policy::Catalog& catalog = *call->catalog;
    const auto& rules = catalog.incident_rules();
    const auto kind = std::find_if(kKinds.begin(), kKinds.end(),
                                   [&](const EntryKind& k) { return k.key == n.kind; });
    if (kind == kKinds.end() || !kind->manual)
        return Fail(Invalid(n.kind.empty() ? "missing_field" : "invalid_field",
                            "記録の種類を選んでください", "kind"));
    if (auto r = CheckText(n.text, "内容", "text", true); !r) return Fail(r.error());
    const std::string today = Today();
    if (n.kind == "outside_report") {
        if (std::find(rules.outside_bodies.begin(), rules.outside_bodies.end(), n.outside_body) ==
            rules.outside_bodies.end())
            return Fail(Invalid(n.outside_body.empty() ? "missing_field" : "invalid_field",
                                "報告先の機関を選んでください", "outside_body"));
        if (!http::IsValidDate(n.reported_on))
            return Fail(Invalid(n.reported_on.empty() ? "missing_field" : "invalid_field",
                                "報告した日を YYYY-MM-DD で指定してください", "reported_on"));
        if (n.reported_on > today)
            return Fail(
                Invalid("invalid_field", "報告した日に未来の日付は指定できません", "reported_on"));
    } else if (!n.outside_body.empty() || !n.reported_on.empty() || !n.deadline.empty()) {
        return Fail(
            Invalid("invalid_field", "報告先と報告日は「外部機関への報告」にだけ指定できます",
                    n.outside_body.empty() ? (n.reported_on.empty() ? "deadline" : "reported_on")
                                           : "outside_body"));
    }
    if (n.kind == "correction" && n.corrects <= 0)
        return Fail(Invalid("missing_field", "訂正する記録を指定してください", "corrects"));
    if (n.kind != "correction" && n.corrects != 0)
        return Fail(
            Invalid("invalid_field", "訂正する記録は「訂正」にだけ指定できます", "corrects"));
    const std::string now = Now();
    return db_.Transact([&](store::Tx& tx) -> Result<Entry> {
        auto found = Load(tx, id, rules);
        if (!found) return Fail(found.error());
        const auto not_found = Error::NotFound("インシデントが見つかりません");
        if (!*found) return Fail(not_found);
        const Incident& i = **found;
        auto may = MayRead(tx, roles_, me, i);
        if (!may) return Fail(may.error());
        if (!*may) return Fail(not_found);
        if (!OpenToReaders(n.kind)) {
            auto manage = MayManage(tx, roles_, me, i.unit_id);
            if (!manage) return Fail(manage.error());
            if (!*manage) return Fail(Forbidden());
        }
        if (!n.deadline.empty()) {
            std::vector<Incident> one{i};
            if (auto r = FillDeadlines(tx, rules, one, today); !r) return Fail(r.error());
            const auto& ds = one[0].deadlines;
            const bool applies = std::any_of(ds.begin(), ds.end(), [&](const DeadlineView& d) {
                return d.deadline.key == n.deadline && d.deadline.to == n.outside_body;
            });
            if (!applies)
                return Fail(Invalid(
                    "invalid_field",
                    "この報告が満たす期限は、このインシデントの報告先の期限から選んでください",
                    "deadline"));
        }
        if (auto r = Touch(tx, id, now); !r) return Fail(r.error());
        if (auto r = MarkOpened(tx, id, me.person_id, now); !r) return Fail(r.error());
        if (n.kind == "correction") {
            auto c = tx.Query("SELECT 1 FROM incident_entries WHERE incident_id = ? AND seq = ?",
                              {id, n.corrects});
            if (!c) return Fail(c.error());
            if (c->rows.empty())
                return Fail(
                    Invalid("unknown_reference", "訂正する記録が見つかりません", "corrects"));
        }
        auto e = Append(tx, id, me.person_id, n, now);
        if (!e) return Fail(e.error());
        auto files = ClaimFiles(tx, n.attachments, me.person_id, e->id);
        if (!files) return Fail(files.error());
        boost::json::object summary{{"number", i.number}, {"seq", e->seq}, {"kind", e->kind}};
        if (!e->outside_body.empty()) {
            summary["outside_body"] = e->outside_body;
            summary["reported_on"] = e->reported_on;
        }
        if (!e->deadline.empty()) summary["deadline"] = e->deadline;
        if (e->corrects) summary["corrects"] = e->corrects;
        if (!files->empty()) summary["attachments"] = *files;
        if (auto r = audit::RecordChange(tx, ctx, "incident.entry", "incident", id,
                                         std::move(summary), now);
            !r)
            return Fail(r.error());
        e->author_name = me.display_name;
        for (const auto& f : *files) {
            const auto& o = f.as_object();
            auto a = workflow::FindAttachment(tx, std::string(o.at("id").as_string()));
            if (!a) return Fail(a.error());
            if (*a)
                e->attachments.push_back(
                    {(*a)->id, (*a)->filename, (*a)->sha256, (*a)->content_type, (*a)->size_bytes});
        }
        return *e;
    });
}

Result<std::vector<Notification>> IncidentsService::Notifications(const Context& ctx,
                                                                  const std::string& id) {
    if (auto r = CheckReadable(ctx, id); !r) return Fail(r.error());
    auto rs = db_.Query(
        "SELECT n.person_id, p.display_name, n.role, n.reason, n.sent_at, n.email, n.opened_at "
        "FROM incident_notifications n JOIN people p ON p.id = n.person_id WHERE "
        "n.incident_id = ? ORDER BY n.sent_at, p.display_name",
        {id});
    if (!rs) return Fail(rs.error());
    std::vector<Notification> out;
    for (const auto& r : rs->rows) {
        Notification n{r.Text(0), r.Text(1), r.Text(2), "",
                       r.Text(3), r.Text(4), r.Text(5), r.OptText(6).value_or("")};
        if (const auto* role = roles_.Find(n.role))
            n.role_name = role->name;
        else if (n.role == "handler")
            n.role_name = "担当者";
        out.push_back(std::move(n));
    }
    return out;
}

Result<std::vector<Alert>> IncidentsService::Alerts(const Context& ctx) {
    auto call = CallerOf(ctx, *this);
    if (!call) return Fail(call.error());
    const Principal& me = *call->me;
    const policy::Catalog& catalog = *call->catalog;
    const auto& rules = catalog.incident_rules();
    auto rs = db_.Query(
        "SELECT n.incident_id, i.number, i.title, i.severity, n.reason, n.sent_at FROM "
        "incident_notifications n JOIN incidents i ON i.id = n.incident_id WHERE "
        "n.person_id = ? AND n.opened_at IS NULL ORDER BY n.sent_at DESC, i.number DESC LIMIT 50",
        {me.person_id});
    if (!rs) return Fail(rs.error());
    std::vector<Alert> out;
    for (const auto& r : rs->rows) {
        Alert a{r.Text(0), r.Text(1), r.Text(2), r.OptText(3).value_or(""),
                "",        r.Text(4), r.Text(5)};
        if (const auto* s = rules.FindSeverity(a.severity)) a.severity_name = s->name;
        out.push_back(std::move(a));
    }
    return out;
}

Result<Stats> IncidentsService::StatsOf(const Context& ctx, int fiscal_year) {
    auto call = CallerOf(ctx, *this);
    if (!call) return Fail(call.error());
    const Principal& me = *call->me;
    const auto& rules = call->catalog->incident_rules();
    if (fiscal_year == 0) {
        const std::string today = Today();
        fiscal_year = std::stoi(today.substr(0, 4)) - (today.substr(5, 2) < "04" ? 1 : 0);
    }
    if (fiscal_year < 2000 || fiscal_year > 2100)
        return Fail(Invalid("invalid_field", "年度は 2000 から 2100 までで指定してください",
                            "fiscal_year"));
    Stats s;
    s.fiscal_year = fiscal_year;
    s.from = fmt::format("{}-04-01", fiscal_year);
    s.to = fmt::format("{}-03-31", fiscal_year + 1);
    store::Where where;
    where.Add("i.discovered_on >= ? AND i.discovered_on <= ? AND i.state <> 'duplicate'",
              {s.from, s.to});
    if (!org::Access::CanEverywhere(me, roles_, kRead)) {
        auto tree = org::UnitTree::Load(db_);
        if (!tree) return Fail(tree.error());
        const auto visible = org::Access(roles_, std::move(*tree)).VisibleUnits(me, kRead);
        if (visible.units.empty()) return Fail(Forbidden());
        where.AddIn("i.unit_id", visible.units);
    }
    auto count = [&](const std::string& column, const std::string& extra_join = "",
                     const std::string& name_column =
                         "''") -> Result<std::vector<std::tuple<std::string, std::string, int>>> {
        const std::string group = name_column == "''" ? column : column + ", " + name_column;
        auto rs = db_.Query(fmt::format("SELECT {}, {}, COUNT(*) FROM incidents i {}{} GROUP BY {}",
                                        column, name_column, extra_join, where.Sql(), group),
                            where.With());
        if (!rs) return Fail(rs.error());
        std::vector<std::tuple<std::string, std::string, int>> out;
        for (const auto& r : rs->rows)
            out.emplace_back(r.OptText(0).value_or(""), r.OptText(1).value_or(""),
                             static_cast<int>(r.Int(2)));
        return out;
    };
    auto find = [](const std::vector<std::tuple<std::string, std::string, int>>& rows,
                   const std::string& key) {
        for (const auto& [k, n, c] : rows)
            if (k == key) return c;
        return 0;
    };
    auto cat = count("i.category");
    if (!cat) return Fail(cat.error());
    for (const auto& c : rules.categories)
        s.by_category.push_back({c.key, c.name, find(*cat, c.key)});
    for (const auto& [k, n, c] : *cat) s.total += c;
    auto sev = count("i.severity");
    if (!sev) return Fail(sev.error());
    for (const auto& v : rules.severities)
        s.by_severity.push_back({v.key, v.name, find(*sev, v.key)});
    s.by_severity.push_back({"", "未判定", find(*sev, "")});
    auto unit = count("i.unit_id", "JOIN units u ON u.id = i.unit_id ", "u.name");
    if (!unit) return Fail(unit.error());
    for (const auto& [k, n, c] : *unit) s.by_unit.push_back({k, n, c});
    std::sort(s.by_unit.begin(), s.by_unit.end(), [](const Count& a, const Count& b) {
        return a.count != b.count ? a.count > b.count : a.name < b.name;
    });
    auto month = count("SUBSTR(i.discovered_on, 1, 7)");
    if (!month) return Fail(month.error());
    for (int m = 0; m < 12; ++m) {
        const int y = m < 9 ? fiscal_year : fiscal_year + 1;
        const std::string key = fmt::format("{}-{:02d}", y, (m + 3) % 12 + 1);
        s.by_month.push_back({key, key, find(*month, key)});
    }
    auto state = count("i.state");
    if (!state) return Fail(state.error());
    for (const auto& [k, name] : kStates)
        if (k != "duplicate") s.by_state.push_back({k, name, find(*state, k)});
    auto pi = db_.Query(
        "SELECT COUNT(*) FROM incidents i" + where.Sql() + " AND i.personal_information = 1",
        where.With());
    if (!pi) return Fail(pi.error());
    s.personal_information = static_cast<int>(pi->rows.at(0).Int(0));
    return s;
}

Result<void> IncidentsService::MayReadAttachment(const Context& ctx,
                                                 const workflow::Attachment& a) {
    if (a.incident_entry_id.empty()) return Fail(Error::NotFound("添付ファイルが見つかりません"));
    auto rs =
        db_.Query("SELECT incident_id FROM incident_entries WHERE id = ?", {a.incident_entry_id});
    if (!rs) return Fail(rs.error());
    if (rs->rows.empty()) return Fail(Error::NotFound("添付ファイルが見つかりません"));
    return CheckReadable(ctx, rs->rows[0].Text(0));
}

}  // namespace mamori::incidents
