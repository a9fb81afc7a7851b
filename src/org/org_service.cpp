#include "org/org_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <set>

#include "audit/audit.h"
#include "core/crypto.h"
#include "core/service_support.h"
#include "http/json_reader.h"
#include "store/where.h"

namespace mamori::org {

namespace {

using service::ActorOf;
using service::ClampLimit;
using service::Forbidden;
using service::LikePattern;
using service::NewId;
constexpr auto Audit = &audit::RecordChange;

constexpr std::size_t kMaxNameChars = 100;
constexpr std::size_t kMaxEmailChars = 254;
constexpr std::string_view kOrgRead = "org.read";
constexpr std::string_view kOrgManage = "org.manage";
constexpr std::string_view kAccountsManage = "accounts.manage";

constexpr std::string_view kUnitColumns =
    "SELECT id, name, kind, parent_id, status, closed_on, created_at, updated_at FROM units";
constexpr std::string_view kPersonColumns =
    "SELECT id, username, display_name, reading, email, unit_id, employment_type, status, "
    "left_on, is_platform_admin, must_change_password, locked_until, created_at, updated_at "
    "FROM people";
constexpr std::string_view kAppointmentColumns =
    "SELECT id, person_id, role, unit_id, starts_on, ends_on, created_at, updated_at, system_id "
    "FROM appointments";

Error StateError(std::string code, std::string message) {
    return Error::Conflict(std::move(code), std::move(message));
}

Unit UnitFrom(const store::Row& r) {
    Unit u;
    u.id = r.Text(0);
    u.name = r.Text(1);
    u.kind = r.Text(2);
    u.parent_id = r.OptText(3).value_or("");
    u.status = r.Text(4);
    u.closed_on = r.OptText(5).value_or("");
    u.created_at = r.Text(6);
    u.updated_at = r.Text(7);
    return u;
}

Person PersonFrom(const store::Row& r, const std::string& now) {
    Person p;
    p.id = r.Text(0);
    p.username = r.Text(1);
    p.display_name = r.Text(2);
    p.reading = r.Text(3);
    p.email = r.Text(4);
    p.unit_id = r.OptText(5).value_or("");
    p.employment_type = r.Text(6);
    p.status = r.Text(7);
    p.left_on = r.OptText(8).value_or("");
    p.platform_admin = r.Bool(9);
    p.must_change_password = r.Bool(10);
    auto locked_until = r.OptText(11);
    p.locked = locked_until && *locked_until > now;
    p.created_at = r.Text(12);
    p.updated_at = r.Text(13);
    return p;
}

Appointment AppointmentFrom(const store::Row& r) {
    Appointment a;
    a.id = r.Text(0);
    a.person_id = r.Text(1);
    a.role = r.Text(2);
    a.unit_id = r.OptText(3).value_or("");
    a.starts_on = r.Text(4);
    a.ends_on = r.OptText(5).value_or("");
    a.created_at = r.Text(6);
    a.updated_at = r.Text(7);
    a.system_id = r.OptText(8).value_or("");
    return a;
}

store::Value OptionalText(const std::string& s) {
    return s.empty() ? store::Value() : store::Value(s);
}

template <typename Q>
Result<std::optional<Unit>> FindUnit(Q& q, const std::string& id) {
    auto rs = q.Query(std::string(kUnitColumns) + " WHERE id = ?", {id});
    if (!rs) return Fail(rs.error());
    if (rs->rows.empty()) return std::optional<Unit>();
    return std::optional<Unit>(UnitFrom(rs->rows[0]));
}

template <typename Q>
Result<std::optional<Person>> FindPerson(Q& q, const std::string& id, const std::string& now) {
    auto rs = q.Query(std::string(kPersonColumns) + " WHERE id = ?", {id});
    if (!rs) return Fail(rs.error());
    if (rs->rows.empty()) return std::optional<Person>();
    return std::optional<Person>(PersonFrom(rs->rows[0], now));
}

/// Only spaces (ASCII and U+3000) or nothing.
bool IsBlank(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        if (s[i] == ' ') {
            ++i;
        } else if (s.substr(i, 3) == "\u3000") {
            i += 3;
        } else {
            return false;
        }
    }
    return true;
}

/// Decodes valid UTF-8 into code points; false on invalid bytes.
bool DecodeUtf8(std::string_view s, std::vector<char32_t>& out) {
    for (std::size_t i = 0; i < s.size();) {
        unsigned char c = s[i];
        int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + len > s.size()) return false;
        char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
        for (int k = 1; k < len; ++k) {
            unsigned char cc = s[i + k];
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        out.push_back(cp);
        i += len;
    }
    return true;
}

/// Text a person types: valid UTF-8, no control characters, not blank, at most max chars.
Result<void> CheckText(const std::string& v, std::string_view field, std::string_view label,
                       std::size_t max_chars, bool required) {
    std::vector<char32_t> cps;
    if (!DecodeUtf8(v, cps))
        return Fail(Error::Invalid("invalid_field",
                                   fmt::format("{}に不正な文字コードが含まれています", label),
                                   std::string(field)));
    for (char32_t c : cps)
        if (c < 0x20 || c == 0x7F)
            return Fail(Error::Invalid("invalid_field",
                                       fmt::format("{}に制御文字は使えません", label),
                                       std::string(field)));
    if (required && IsBlank(v))
        return Fail(Error::Invalid("missing_field", fmt::format("{}を入力してください", label),
                                   std::string(field)));
    if (cps.size() > max_chars)
        return Fail(Error::Invalid("too_long",
                                   fmt::format("{}は {} 文字以内にしてください", label, max_chars),
                                   std::string(field)));
    return {};
}

Result<void> CheckDate(const std::string& v, std::string_view field) {
    if (!http::IsValidDate(v))
        return Fail(Error::Invalid(
            "invalid_field", fmt::format("{} は YYYY-MM-DD 形式の正しい日付にしてください", field),
            std::string(field)));
    return {};
}

boost::json::object Change(const std::string& from, const std::string& to) {
    return {{"from", from}, {"to", to}};
}

const char* KindLabel(const std::string& kind) {
    if (kind == "department") return "部";
    if (kind == "section") return "課";
    return "係";
}

/// The parent a unit of `kind` needs: department → none, section → department,
/// team → section.
Result<void> CheckParentKind(const std::string& kind, const std::optional<Unit>& parent) {
    if (kind == "department") {
        if (parent)
            return Fail(Error::Invalid("invalid_parent", "部は最上位に置き、親部署は指定しません",
                                       "parent_id"));
        return {};
    }
    const std::string want = kind == "section" ? "department" : "section";
    if (!parent)
        return Fail(Error::Invalid(
            "invalid_parent",
            fmt::format("{}には親部署 ({}) を指定してください", KindLabel(kind), KindLabel(want)),
            "parent_id"));
    if (parent->kind != want)
        return Fail(Error::Invalid(
            "invalid_parent",
            fmt::format("{}は{}の下に置いてください", KindLabel(kind), KindLabel(want)),
            "parent_id"));
    if (parent->status != "active")
        return Fail(
            Error::Invalid("invalid_parent", "廃止された部署の下には置けません", "parent_id"));
    return {};
}

/// A unit name unused among the active children of `parent_id` (other than `self_id`).
Result<void> CheckSiblingName(store::Tx& tx, const std::string& name, const std::string& parent_id,
                              const std::string& self_id) {
    auto rs = parent_id.empty()
                  ? tx.Query(
                        "SELECT id FROM units WHERE parent_id IS NULL AND name = ? AND "
                        "status = 'active' AND id <> ?",
                        {name, self_id})
                  : tx.Query(
                        "SELECT id FROM units WHERE parent_id = ? AND name = ? AND "
                        "status = 'active' AND id <> ?",
                        {parent_id, name, self_id});
    if (!rs) return Fail(rs.error());
    if (!rs->rows.empty()) {
        Error e = Error::Conflict("duplicate_name",
                                  fmt::format("同じ親部署の下に「{}」が既にあります", name));
        e.field = "name";
        return Fail(e);
    }
    return {};
}

}  // namespace

std::string TodayJst(Clock::TimePoint t) {
    return FormatRfc3339(t + std::chrono::hours(9)).substr(0, 10);
}

std::string EmploymentTypeLabel(const std::string& type) {
    if (type == "regular") return "正職員";
    if (type == "fiscal_year") return "会計年度任用職員";
    if (type == "contractor") return "委託事業者";
    if (type == "other") return "その他";
    return type;
}

OrgService::OrgService(store::Database& db, const Clock& clock, const RoleCatalog& catalog,
                       auth::PasswordPolicy policy)
    : db_(db), clock_(clock), catalog_(catalog), policy_(policy), separation_(db, catalog) {}

std::string OrgService::Now() const { return FormatRfc3339(clock_.Now()); }
std::string OrgService::Today() const { return TodayJst(clock_.Now()); }

Result<Access> OrgService::AccessFor(const Principal& actor, std::string_view permission) {
    if (Access::CanEverywhere(actor, catalog_, permission)) return Access(catalog_, UnitTree());
    auto tree = UnitTree::Load(db_);
    if (!tree) return Fail(tree.error());
    return Access(catalog_, std::move(*tree));
}

// ---------------------------------------------------------------------------------------
// Validation

Result<void> OrgService::ValidateUsername(const std::string& v) {
    const bool ok = v.size() >= 3 && v.size() <= 32 && std::all_of(v.begin(), v.end(), [](char c) {
                        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                               c == '_' || c == '-';
                    });
    if (v.empty())
        return Fail(Error::Invalid("missing_field", "ユーザー名を入力してください", "username"));
    if (!ok)
        return Fail(Error::Invalid(
            "invalid_field",
            "ユーザー名は半角英小文字・数字・「.」「_」「-」の 3〜32 文字にしてください",
            "username"));
    return {};
}

Result<void> OrgService::ValidateDisplayName(const std::string& v) {
    return CheckText(v, "display_name", "氏名", kMaxNameChars, true);
}

Result<void> OrgService::ValidateReading(const std::string& v) {
    if (auto r = CheckText(v, "reading", "よみ", kMaxNameChars, false); !r) return r;
    std::vector<char32_t> cps;
    DecodeUtf8(v, cps);
    for (char32_t c : cps) {
        const bool kana = (c >= 0x3041 && c <= 0x309F) || (c >= 0x30A0 && c <= 0x30FF);
        if (!kana && c != U' ' && c != 0x3000)
            return Fail(Error::Invalid("invalid_field",
                                       "よみはひらがなかカタカナで入力してください", "reading"));
    }
    return {};
}

Result<void> OrgService::ValidateEmail(const std::string& v) {
    if (v.empty()) return {};
    const auto at = v.find('@');
    const bool ok =
        v.size() <= kMaxEmailChars && at != std::string::npos && at > 0 &&
        v.find('@', at + 1) == std::string::npos && v.find('.', at + 2) != std::string::npos &&
        v.back() != '.' && std::all_of(v.begin(), v.end(), [](char c) {
            return c > 0x20 && c < 0x7F && c != ',' && c != ';' && c != '<' && c != '>' && c != '"';
        });
    if (!ok)
        return Fail(Error::Invalid("invalid_field",
                                   "メールアドレスの形式が正しくありません (例: name@example.jp)",
                                   "email"));
    return {};
}

Result<void> OrgService::ValidateEmploymentType(const std::string& v) {
    if (v == "regular" || v == "fiscal_year" || v == "contractor" || v == "other") return {};
    return Fail(Error::Invalid(
        "invalid_field",
        "雇用形態は regular (正職員)、fiscal_year (会計年度任用職員)、contractor (委託事業者)、"
        "other (その他) のいずれかです",
        "employment_type"));
}

Result<void> OrgService::ValidatePassword(const std::string& password,
                                          const std::string& username) const {
    if (password.empty())
        return Fail(
            Error::Invalid("missing_field", "初期パスワードを入力してください", "password"));
    auto r = policy_.Check(password, username);
    if (!r) {
        Error e = r.error();
        e.field = "password";
        return Fail(e);
    }
    return {};
}

// ---------------------------------------------------------------------------------------
// Units

Result<Unit> OrgService::CreateUnit(const Context& ctx, const NewUnit& u) {
    const std::string now = Now();
    return db_.Transact([&](store::Tx& tx) { return InsertUnit(tx, ctx, u, now); });
}

Result<Unit> OrgService::InsertUnit(store::Tx& tx, const Context& ctx, const NewUnit& u,
                                    const std::string& now) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    if (auto r = CheckText(u.name, "name", "部署名", kMaxNameChars, true); !r)
        return Fail(r.error());
    if (u.kind != "department" && u.kind != "section" && u.kind != "team")
        return Fail(Error::Invalid(
            "invalid_field", "kind は department (部)、section (課)、team (係) のいずれかです",
            "kind"));
    std::optional<Unit> parent;
    if (!u.parent_id.empty()) {
        auto p = FindUnit(tx, u.parent_id);
        if (!p) return Fail(p.error());
        if (!*p)
            return Fail(Error::Invalid("unknown_reference", "親部署が見つかりません", "parent_id"));
        parent = std::move(*p);
    }
    if (auto r = CheckParentKind(u.kind, parent); !r) return Fail(r.error());
    auto tree = UnitTree::Load(tx);
    if (!tree) return Fail(tree.error());
    Access access(catalog_, std::move(*tree));
    if (!access.Can(**actor, kOrgManage, u.parent_id)) return Fail(Forbidden());
    if (auto r = CheckSiblingName(tx, u.name, u.parent_id, ""); !r) return Fail(r.error());
    Unit unit{NewId(), u.name, u.kind, u.parent_id, "active", "", now, now, 0};
    auto ins = tx.Exec(
        "INSERT INTO units (id, name, kind, parent_id, status, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, 'active', ?, ?)",
        {unit.id, unit.name, unit.kind, OptionalText(unit.parent_id), now, now});
    if (!ins) return Fail(ins.error());
    boost::json::object summary{{"name", unit.name}, {"kind", unit.kind}};
    if (!unit.parent_id.empty()) summary["parent_id"] = unit.parent_id;
    if (auto a = Audit(tx, ctx, "unit.create", "unit", unit.id, std::move(summary), now); !a)
        return Fail(a.error());
    return unit;
}

Result<std::pair<Unit, Access>> OrgService::ActiveUnitForChange(store::Tx& tx,
                                                                const Principal& actor,
                                                                const std::string& id,
                                                                const char* closed_message) {
    auto found = FindUnit(tx, id);
    if (!found) return Fail(found.error());
    if (!*found) return Fail(Error::NotFound("部署が見つかりません"));
    auto tree = UnitTree::Load(tx);
    if (!tree) return Fail(tree.error());
    Access access(catalog_, std::move(*tree));
    if (!access.Can(actor, kOrgManage, (*found)->id)) return Fail(Forbidden());
    if ((*found)->status != "active") return Fail(StateError("unit_closed", closed_message));
    return std::make_pair(std::move(**found), std::move(access));
}

Result<Unit> OrgService::UpdateUnit(const Context& ctx, const std::string& id,
                                    const UnitUpdate& u) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    if (u.name)
        if (auto r = CheckText(*u.name, "name", "部署名", kMaxNameChars, true); !r)
            return Fail(r.error());
    const std::string now = Now();
    return db_.Transact([&](store::Tx& tx) -> Result<Unit> {
        auto loaded = ActiveUnitForChange(tx, **actor, id, "廃止された部署は変更できません");
        if (!loaded) return Fail(loaded.error());
        auto& [unit, access] = *loaded;

        boost::json::object summary;
        const std::string new_name = u.name.value_or(unit.name);
        const std::string new_parent = u.parent_id.value_or(unit.parent_id);
        if (new_parent != unit.parent_id) {
            std::optional<Unit> parent;
            if (!new_parent.empty()) {
                auto p = FindUnit(tx, new_parent);
                if (!p) return Fail(p.error());
                if (!*p)
                    return Fail(Error::Invalid("unknown_reference",
                                               "移動先の親部署が見つかりません", "parent_id"));
                parent = std::move(*p);
            }
            if (auto r = CheckParentKind(unit.kind, parent); !r) return Fail(r.error());
            if (!new_parent.empty() && access.tree().Contains(unit.id, new_parent))
                return Fail(Error::Invalid("invalid_parent", "部署を自分の配下へは移動できません",
                                           "parent_id"));
            if (!access.Can(**actor, kOrgManage, new_parent)) return Fail(Forbidden());
            summary["parent_id"] = Change(unit.parent_id, new_parent);
        }
        if (new_name != unit.name) summary["name"] = Change(unit.name, new_name);
        if (summary.empty()) return unit;  // nothing changes, nothing is recorded
        if (auto r = CheckSiblingName(tx, new_name, new_parent, unit.id); !r)
            return Fail(r.error());
        auto upd = tx.Exec("UPDATE units SET name = ?, parent_id = ?, updated_at = ? WHERE id = ?",
                           {new_name, OptionalText(new_parent), now, unit.id});
        if (!upd) return Fail(upd.error());
        const char* action = summary.contains("parent_id") ? "unit.move" : "unit.rename";
        if (auto a = Audit(tx, ctx, action, "unit", unit.id, std::move(summary), now); !a)
            return Fail(a.error());
        unit.name = new_name;
        unit.parent_id = new_parent;
        unit.updated_at = now;
        return unit;
    });
}

Result<Unit> OrgService::RenameUnit(const Context& ctx, const std::string& id,
                                    const std::string& name) {
    return UpdateUnit(ctx, id, UnitUpdate{.name = name});
}

Result<Unit> OrgService::MoveUnit(const Context& ctx, const std::string& id,
                                  const std::string& parent_id) {
    return UpdateUnit(ctx, id, UnitUpdate{.parent_id = parent_id});
}

Result<Unit> OrgService::CloseUnit(const Context& ctx, const std::string& id,
                                   const std::string& closed_on_in) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    const std::string closed_on = closed_on_in.empty() ? Today() : closed_on_in;
    if (auto r = CheckDate(closed_on, "closed_on"); !r) return Fail(r.error());
    const std::string now = Now();
    return db_.Transact([&](store::Tx& tx) -> Result<Unit> {
        auto loaded = ActiveUnitForChange(tx, **actor, id, "この部署は既に廃止されています");
        if (!loaded) return Fail(loaded.error());
        auto& [unit, access] = *loaded;
        // A unit closes on a real day of its life: not before it was registered (its UTC
        // date, lenient by the nine hours to JST) and not in the future.
        if (closed_on > Today())
            return Fail(Error::Invalid("invalid_field", "廃止日は今日以前の日付にしてください",
                                       "closed_on"));
        if (closed_on < unit.created_at.substr(0, 10))
            return Fail(Error::Invalid("invalid_field",
                                       "廃止日は部署を登録した日より後の日付にしてください",
                                       "closed_on"));
        auto children =
            tx.Query("SELECT COUNT(*) FROM units WHERE parent_id = ? AND status = 'active'", {id});
        if (!children) return Fail(children.error());
        if (children->rows[0].Int(0) > 0)
            return Fail(StateError("unit_has_children",
                                   "配下に廃止されていない部署があるため廃止できません"));
        auto members =
            tx.Query("SELECT COUNT(*) FROM people WHERE unit_id = ? AND status <> 'left'", {id});
        if (!members) return Fail(members.error());
        if (members->rows[0].Int(0) > 0)
            return Fail(
                StateError("unit_has_members",
                           "所属している職員がいるため廃止できません。先に異動させてください"));
        auto appointed = tx.Query(
            "SELECT COUNT(*) FROM appointments WHERE unit_id = ? AND (ends_on IS NULL OR "
            "(ends_on > ? AND ends_on >= starts_on))",
            {id, closed_on});
        if (!appointed) return Fail(appointed.error());
        if (appointed->rows[0].Int(0) > 0)
            return Fail(StateError("unit_has_appointments",
                                   "廃止日より後も続く役割の任命があるため廃止できません"));
        auto upd = tx.Exec(
            "UPDATE units SET status = 'closed', closed_on = ?, updated_at = ? WHERE id = ?",
            {closed_on, now, id});
        if (!upd) return Fail(upd.error());
        if (auto a = Audit(tx, ctx, "unit.close", "unit", id, {{"closed_on", closed_on}}, now); !a)
            return Fail(a.error());
        unit.status = "closed";
        unit.closed_on = closed_on;
        unit.updated_at = now;
        return unit;
    });
}

Result<Unit> OrgService::GetUnit(const Context& ctx, const std::string& id) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    auto found = FindUnit(db_, id);
    if (!found) return Fail(found.error());
    if (!*found) return Fail(Error::NotFound("部署が見つかりません"));
    auto access = AccessFor(**actor, kOrgRead);
    if (!access) return Fail(access.error());
    if (!access->Can(**actor, kOrgRead, id)) return Fail(Forbidden());
    Unit u = std::move(**found);
    return u;
}

Result<std::vector<Unit>> OrgService::ListUnits(const Context& ctx, const UnitFilter& f) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    if (!f.status.empty() && f.status != "active" && f.status != "closed")
        return Fail(Error::Invalid("invalid_field", "status は active か closed です", "status"));
    auto rs = db_.Query(kUnitColumns);
    if (!rs) return Fail(rs.error());
    std::vector<UnitNode> nodes;
    std::map<std::string, Unit> by_id;
    for (const auto& r : rs->rows) {
        Unit u = UnitFrom(r);
        nodes.push_back({u.id, u.name, u.kind, u.parent_id, u.status});
        by_id.emplace(u.id, std::move(u));
    }
    Access access(catalog_, UnitTree(std::move(nodes)));
    const Visibility visible = access.VisibleUnits(**actor, kOrgRead);
    if (!visible.all && visible.units.empty()) return Fail(Forbidden());
    std::vector<Unit> out;
    // Depth-first from the departments; siblings by name (UnitTree keeps them so).
    std::vector<std::pair<const UnitNode*, int>> stack;
    auto roots = access.tree().Children("");
    for (auto it = roots.rbegin(); it != roots.rend(); ++it) stack.emplace_back(*it, 0);
    while (!stack.empty()) {
        auto [node, depth] = stack.back();
        stack.pop_back();
        if (access.Can(**actor, kOrgRead, node->id) &&
            (f.status.empty() || node->status == f.status)) {
            Unit u = by_id.at(node->id);
            u.depth = depth;
            out.push_back(std::move(u));
        }
        auto kids = access.tree().Children(node->id);
        if (depth > static_cast<int>(by_id.size())) continue;  // a corrupt cycle
        for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.emplace_back(*it, depth + 1);
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// People

Result<Person> OrgService::InsertPerson(store::Tx& tx, const Context& ctx, const NewPerson& p,
                                        const std::string& password_hash, const std::string& now,
                                        bool imported) {
    Person person;
    person.id = NewId();
    person.username = p.username;
    person.display_name = p.display_name;
    person.reading = p.reading;
    person.email = p.email;
    person.unit_id = p.unit_id;
    person.employment_type = p.employment_type.empty() ? "regular" : p.employment_type;
    person.status = "active";
    person.must_change_password = p.must_change_password;
    person.created_at = now;
    person.updated_at = now;
    auto ins = tx.Exec(
        "INSERT INTO people (id, username, display_name, reading, email, unit_id, "
        "employment_type, status, password_hash, password_changed_at, must_change_password, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)",
        {person.id, person.username, person.display_name, person.reading, person.email,
         OptionalText(person.unit_id), person.employment_type, password_hash, now,
         p.must_change_password ? 1 : 0, now, now});
    if (!ins) {
        if (ins.error().code == "duplicate") {
            Error e =
                Error::Conflict("duplicate_username",
                                fmt::format("ユーザー名 {} は既に使われています", p.username));
            e.field = "username";
            return Fail(e);
        }
        return Fail(ins.error());
    }
    auto hist = tx.Exec(
        "INSERT INTO password_history (person_id, password_hash, created_at) VALUES (?, ?, ?)",
        {person.id, password_hash, now});
    if (!hist) return Fail(hist.error());
    boost::json::object summary{{"username", person.username},
                                {"display_name", person.display_name},
                                {"reading", person.reading},
                                {"email", person.email},
                                {"unit_id", person.unit_id},
                                {"employment_type", person.employment_type},
                                {"must_change_password", person.must_change_password}};
    if (imported) summary["imported"] = true;
    if (auto a = Audit(tx, ctx, "person.create", "person", person.id, std::move(summary), now); !a)
        return Fail(a.error());
    return person;
}

Result<Person> OrgService::CreatePerson(const Context& ctx, const NewPerson& p) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    const std::string employment = p.employment_type.empty() ? "regular" : p.employment_type;
    for (auto r :
         {ValidateUsername(p.username), ValidateDisplayName(p.display_name),
          ValidateReading(p.reading), ValidateEmail(p.email), ValidateEmploymentType(employment)})
        if (!r) return Fail(r.error());
    if (p.unit_id.empty())
        return Fail(
            Error::Invalid("missing_field", "所属 (unit_id) を指定してください", "unit_id"));
    if (p.password_hash.empty())
        if (auto r = ValidatePassword(p.password, p.username); !r) return Fail(r.error());

    // Authorise and check the unit before the (slow) hashing, and again in the transaction.
    auto access = AccessFor(**actor, kOrgManage);
    if (!access) return Fail(access.error());
    if (!access->Can(**actor, kOrgManage, p.unit_id)) {
        auto unit = FindUnit(db_, p.unit_id);
        if (unit && !*unit)
            return Fail(
                Error::Invalid("unknown_reference", "所属の部署が見つかりません", "unit_id"));
        return Fail(Forbidden());
    }
    std::string hash = p.password_hash;
    if (hash.empty()) {
        auto h = auth::HashPassword(p.password);
        if (!h) return Fail(h.error());
        hash = std::move(*h);
    }
    NewPerson copy = p;
    copy.employment_type = employment;
    const std::string now = Now();
    return db_.Transact([&](store::Tx& tx) -> Result<Person> {
        auto unit = FindUnit(tx, p.unit_id);
        if (!unit) return Fail(unit.error());
        if (!*unit || (*unit)->status != "active")
            return Fail(Error::Invalid("unknown_reference",
                                       "所属の部署が見つからないか、廃止されています", "unit_id"));
        return InsertPerson(tx, ctx, copy, hash, now, false);
    });
}

namespace {

/// Loads a person for a change by `actor` needing `permission` on the person's unit.
Result<Person> PersonForChange(store::Tx& tx, const RoleCatalog& catalog, const Principal& actor,
                               std::string_view permission, const std::string& id,
                               const std::string& now, UnitTree* tree_out = nullptr) {
    auto found = FindPerson(tx, id, now);
    if (!found) return Fail(found.error());
    if (!*found) return Fail(Error::NotFound("職員が見つかりません"));
    auto tree = UnitTree::Load(tx);
    if (!tree) return Fail(tree.error());
    Access access(catalog, *tree);
    if (!access.Can(actor, permission, (*found)->unit_id)) return Fail(Forbidden());
    if (tree_out) *tree_out = std::move(*tree);
    return std::move(**found);
}

Result<std::int64_t> EndSessions(store::Tx& tx, const std::string& person_id) {
    return tx.Exec("DELETE FROM sessions WHERE person_id = ?", {person_id});
}

}  // namespace

Result<Person> OrgService::UpdatePerson(const Context& ctx, const std::string& id,
                                        const PersonUpdate& u) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    if (u.display_name)
        if (auto r = ValidateDisplayName(*u.display_name); !r) return Fail(r.error());
    if (u.reading)
        if (auto r = ValidateReading(*u.reading); !r) return Fail(r.error());
    if (u.email)
        if (auto r = ValidateEmail(*u.email); !r) return Fail(r.error());
    if (u.employment_type)
        if (auto r = ValidateEmploymentType(*u.employment_type); !r) return Fail(r.error());
    if (u.unit_id && u.unit_id->empty())
        return Fail(
            Error::Invalid("missing_field", "所属 (unit_id) を指定してください", "unit_id"));
    const std::string now = Now();
    return db_.Transact([&](store::Tx& tx) -> Result<Person> {
        UnitTree tree;
        auto found = PersonForChange(tx, catalog_, **actor, kOrgManage, id, now, &tree);
        if (!found) return Fail(found.error());
        Person p = std::move(*found);
        if (p.status == "left")
            return Fail(StateError("person_left", "退職した職員の情報は変更できません"));
        boost::json::object summary;
        auto change = [&](const char* field, std::string& current,
                          const std::optional<std::string>& next) {
            if (next && *next != current) {
                summary[field] = Change(current, *next);
                current = *next;
            }
        };
        if (u.unit_id && *u.unit_id != p.unit_id) {
            const UnitNode* unit = tree.Find(*u.unit_id);
            if (!unit || unit->status != "active")
                return Fail(Error::Invalid("unknown_reference",
                                           "異動先の部署が見つからないか、廃止されています",
                                           "unit_id"));
            Access access(catalog_, tree);
            if (!access.Can(**actor, kOrgManage, *u.unit_id)) return Fail(Forbidden());
        }
        change("display_name", p.display_name, u.display_name);
        change("reading", p.reading, u.reading);
        change("email", p.email, u.email);
        change("unit_id", p.unit_id, u.unit_id);
        change("employment_type", p.employment_type, u.employment_type);
        if (summary.empty()) return p;
        auto upd = tx.Exec(
            "UPDATE people SET display_name = ?, reading = ?, email = ?, unit_id = ?, "
            "employment_type = ?, updated_at = ? WHERE id = ?",
            {p.display_name, p.reading, p.email, OptionalText(p.unit_id), p.employment_type, now,
             p.id});
        if (!upd) return Fail(upd.error());
        if (auto a = Audit(tx, ctx, "person.update", "person", p.id, std::move(summary), now); !a)
            return Fail(a.error());
        p.updated_at = now;
        return p;
    });
}

Result<Person> OrgService::ChangePerson(
    const Context& ctx, std::string_view permission, const std::string& id,
    const std::function<Result<void>(store::Tx&, Person&, const Principal&, const std::string&)>&
        change) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    const std::string now = Now();
    return db_.Transact([&](store::Tx& tx) -> Result<Person> {
        auto found = PersonForChange(tx, catalog_, **actor, permission, id, now);
        if (!found) return Fail(found.error());
        Person p = std::move(*found);
        if (auto r = change(tx, p, **actor, now); !r) return Fail(r.error());
        p.updated_at = now;
        return p;
    });
}

Result<Person> OrgService::SuspendPerson(const Context& ctx, const std::string& id) {
    return ChangePerson(
        ctx, kOrgManage, id,
        [&](store::Tx& tx, Person& p, const Principal& actor,
            const std::string& now) -> Result<void> {
            if (p.id == actor.person_id)
                return Fail(StateError("self", "自分自身のアカウントは停止できません"));
            if (p.status != "active")
                return Fail(StateError("invalid_state", "利用中の職員だけを停止できます"));
            auto upd = tx.Exec(
                "UPDATE people SET status = 'suspended', updated_at = ? WHERE id = ?", {now, id});
            if (!upd) return Fail(upd.error());
            auto ended = EndSessions(tx, id);
            if (!ended) return Fail(ended.error());
            if (auto a = Audit(tx, ctx, "person.suspend", "person", id,
                               {{"sessions_ended", *ended}}, now);
                !a)
                return Fail(a.error());
            p.status = "suspended";
            return {};
        });
}

Result<Person> OrgService::ReactivatePerson(const Context& ctx, const std::string& id) {
    return ChangePerson(
        ctx, kOrgManage, id,
        [&](store::Tx& tx, Person& p, const Principal&, const std::string& now) -> Result<void> {
            if (p.status != "suspended")
                return Fail(StateError("invalid_state", "停止中の職員だけを再開できます"));
            auto upd = tx.Exec("UPDATE people SET status = 'active', updated_at = ? WHERE id = ?",
                               {now, id});
            if (!upd) return Fail(upd.error());
            if (auto a = Audit(tx, ctx, "person.reactivate", "person", id, {}, now); !a)
                return Fail(a.error());
            p.status = "active";
            return {};
        });
}

Result<Person> OrgService::LeavePerson(const Context& ctx, const std::string& id,
                                       const std::string& left_on_in) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    const std::string left_on = left_on_in.empty() ? Today() : left_on_in;
    if (auto r = CheckDate(left_on, "left_on"); !r) return Fail(r.error());
    const std::string now = Now();
    return db_.Transact([&](store::Tx& tx) -> Result<Person> {
        auto found = PersonForChange(tx, catalog_, **actor, kOrgManage, id, now);
        if (!found) return Fail(found.error());
        Person p = std::move(*found);
        if (p.id == (*actor)->person_id)
            return Fail(StateError("self", "自分自身を退職にはできません"));
        if (p.status == "left") return Fail(StateError("invalid_state", "既に退職しています"));
        auto open = tx.Query(
            "SELECT id FROM appointments WHERE person_id = ? AND (ends_on IS NULL OR ends_on > ?) "
            "ORDER BY id",
            {id, left_on});
        if (!open) return Fail(open.error());
        boost::json::array ended_ids;
        for (const auto& r : open->rows) {
            auto upd = tx.Exec("UPDATE appointments SET ends_on = ?, updated_at = ? WHERE id = ?",
                               {left_on, now, r.Text(0)});
            if (!upd) return Fail(upd.error());
            ended_ids.emplace_back(r.Text(0));
        }
        auto upd =
            tx.Exec("UPDATE people SET status = 'left', left_on = ?, updated_at = ? WHERE id = ?",
                    {left_on, now, id});
        if (!upd) return Fail(upd.error());
        auto sessions = EndSessions(tx, id);
        if (!sessions) return Fail(sessions.error());
        boost::json::object summary{{"left_on", left_on},
                                    {"ended_appointments", std::move(ended_ids)},
                                    {"sessions_ended", *sessions}};
        if (auto a = Audit(tx, ctx, "person.leave", "person", id, std::move(summary), now); !a)
            return Fail(a.error());
        p.status = "left";
        p.left_on = left_on;
        p.updated_at = now;
        return p;
    });
}

Result<Person> OrgService::ResetMfa(const Context& ctx, const std::string& id) {
    return ChangePerson(
        ctx, kAccountsManage, id,
        [&](store::Tx& tx, Person& p, const Principal& actor,
            const std::string& now) -> Result<void> {
            if (p.id == actor.person_id)
                return Fail(StateError(
                    "self", "自分の認証アプリは「わたしのアカウント」から登録し直してください"));
            if (p.status == "left") return Fail(StateError("person_left", "退職した職員です"));
            auto upd = tx.Exec(
                "UPDATE people SET mfa_secret = NULL, mfa_pending_secret = NULL, updated_at = ? "
                "WHERE id = ?",
                {now, id});
            if (!upd) return Fail(upd.error());
            auto codes = tx.Exec("DELETE FROM recovery_codes WHERE person_id = ?", {id});
            if (!codes) return Fail(codes.error());
            auto ended = EndSessions(tx, id);
            if (!ended) return Fail(ended.error());
            if (auto a = Audit(tx, ctx, "person.reset_mfa", "person", id,
                               {{"sessions_ended", *ended}}, now);
                !a)
                return Fail(a.error());
            return {};
        });
}

Result<Person> OrgService::UnlockPerson(const Context& ctx, const std::string& id) {
    return ChangePerson(
        ctx, kAccountsManage, id,
        [&](store::Tx& tx, Person& p, const Principal&, const std::string& now) -> Result<void> {
            if (p.status == "left") return Fail(StateError("person_left", "退職した職員です"));
            auto upd = tx.Exec(
                "UPDATE people SET failed_logins = 0, locked_until = NULL, "
                "updated_at = ? WHERE id = ?",
                {now, id});
            if (!upd) return Fail(upd.error());
            if (auto a = Audit(tx, ctx, "person.unlock", "person", id, {}, now); !a)
                return Fail(a.error());
            p.locked = false;
            return {};
        });
}

Result<Person> OrgService::ResetPassword(const Context& ctx, const std::string& id,
                                         const std::string& password) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    const std::string now = Now();
    // Authorise and validate first; hash outside the transaction (it takes a while).
    auto pre = db_.Transact([&](store::Tx& tx) {
        return PersonForChange(tx, catalog_, **actor, kAccountsManage, id, now);
    });
    if (!pre) return Fail(pre.error());
    if (pre->status == "left") return Fail(StateError("person_left", "退職した職員です"));
    if (auto r = ValidatePassword(password, pre->username); !r) return Fail(r.error());
    auto hash = auth::HashPassword(password);
    if (!hash) return Fail(hash.error());
    return db_.Transact([&](store::Tx& tx) -> Result<Person> {
        auto found = PersonForChange(tx, catalog_, **actor, kAccountsManage, id, now);
        if (!found) return Fail(found.error());
        Person p = std::move(*found);
        if (p.status == "left") return Fail(StateError("person_left", "退職した職員です"));
        auto upd = tx.Exec(
            "UPDATE people SET password_hash = ?, password_changed_at = ?, "
            "must_change_password = 1, failed_logins = 0, locked_until = NULL, updated_at = ? "
            "WHERE id = ?",
            {*hash, now, now, id});
        if (!upd) return Fail(upd.error());
        auto hist = tx.Exec(
            "INSERT INTO password_history (person_id, password_hash, created_at) VALUES (?, ?, ?)",
            {id, *hash, now});
        if (!hist) return Fail(hist.error());
        auto sessions = EndSessions(tx, id);
        if (!sessions) return Fail(sessions.error());
        if (auto a = Audit(tx, ctx, "person.reset_password", "person", id,
                           {{"sessions_ended", *sessions}, {"must_change_password", true}}, now);
            !a)
            return Fail(a.error());
        p.must_change_password = true;
        p.locked = false;
        p.updated_at = now;
        return p;
    });
}

Result<Person> OrgService::GetPerson(const Context& ctx, const std::string& id) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    const std::string now = Now();
    auto found = FindPerson(db_, id, now);
    if (!found) return Fail(found.error());
    if (!*found) return Fail(Error::NotFound("職員が見つかりません"));
    auto access = AccessFor(**actor, kOrgRead);
    if (!access) return Fail(access.error());
    if (!access->Can(**actor, kOrgRead, (*found)->unit_id)) return Fail(Forbidden());
    Person p = std::move(**found);
    const std::string today = Today();
    auto rs = db_.Query(std::string(kAppointmentColumns) +
                            " WHERE person_id = ? AND starts_on <= ? AND (ends_on IS NULL OR "
                            "ends_on >= ?) ORDER BY starts_on, id",
                        {id, today, today});
    if (!rs) return Fail(rs.error());
    for (const auto& r : rs->rows) p.appointments.push_back(AppointmentFrom(r));
    return p;
}

Result<std::vector<audit::Event>> OrgService::PersonHistory(const Context& ctx,
                                                            const std::string& id, int limit) {
    // Reading a person's history needs the same right as reading the person.
    if (auto p = GetPerson(ctx, id); !p) return Fail(p.error());
    auto rs = db_.Query(
        "SELECT seq, occurred_at, actor_id, actor_name, action, object_type, object_id, summary, "
        "request_id, client_address FROM audit_events WHERE (object_type = 'person' AND "
        "object_id = ? AND action NOT LIKE 'auth.%') OR (object_type = 'appointment' AND "
        "object_id IN (SELECT id FROM "
        "appointments WHERE person_id = ?)) ORDER BY seq DESC LIMIT ?",
        {id, id, std::clamp(limit, 1, kMaxPageSize)});
    if (!rs) return Fail(rs.error());
    std::vector<audit::Event> out;
    out.reserve(rs->rows.size());
    for (const auto& r : rs->rows) out.push_back(audit::EventFromRow(r));
    return out;
}

Result<Page<Person>> OrgService::ListPeople(const Context& ctx, const PersonFilter& f) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    if (!f.status.empty() && f.status != "active" && f.status != "suspended" && f.status != "left")
        return Fail(Error::Invalid("invalid_field",
                                   "status は active、suspended、left のいずれかです", "status"));
    if (!f.employment_type.empty())
        if (auto r = ValidateEmploymentType(f.employment_type); !r) return Fail(r.error());
    if (!f.cursor.empty() && !ValidateUsername(f.cursor))
        return Fail(Error::Invalid("invalid_field", "cursor が正しくありません", "cursor"));
    if (http::CountChars(f.q) > kMaxNameChars)
        return Fail(Error::Invalid("too_long", "検索語が長すぎます", "q"));
    const int limit = ClampLimit(f.limit, kMaxPageSize);

    auto access = AccessFor(**actor, kOrgRead);
    if (!access) return Fail(access.error());
    const Visibility visible = access->VisibleUnits(**actor, kOrgRead);
    if (!visible.all && visible.units.empty()) return Fail(Forbidden());

    store::Where where;
    if (!f.cursor.empty()) where.Add("username > ?", {f.cursor});
    if (!f.status.empty()) where.Add("status = ?", {f.status});
    if (!f.employment_type.empty()) where.Add("employment_type = ?", {f.employment_type});
    std::optional<std::vector<std::string>> units;  // nullopt = no unit restriction
    if (!f.unit_id.empty()) {
        UnitTree tree;
        if (visible.all) {
            auto t = UnitTree::Load(db_);
            if (!t) return Fail(t.error());
            tree = std::move(*t);
        } else {
            tree = access->tree();
        }
        if (!tree.Find(f.unit_id))
            return Fail(Error::Invalid("unknown_reference", "部署が見つかりません", "unit_id"));
        units = tree.Subtree(f.unit_id);
    }
    if (!visible.all) {
        if (!units) {
            units = visible.units;
        } else {
            std::vector<std::string> both;
            for (auto& u : *units)
                if (std::binary_search(visible.units.begin(), visible.units.end(), u))
                    both.push_back(u);
            units = std::move(both);
        }
    }
    if (units) {
        if (units->empty()) return Page<Person>{};
        where.AddIn("unit_id", *units);
    }
    if (!f.q.empty()) {
        const std::string pattern = LikePattern(f.q);
        where.Add(
            "(username LIKE ? ESCAPE '\\' OR display_name LIKE ? ESCAPE '\\' OR "
            "reading LIKE ? ESCAPE '\\')",
            {pattern, pattern, pattern});
    }
    auto rs = db_.Query(std::string(kPersonColumns) + where.Sql() + " ORDER BY username LIMIT ?",
                        where.With({limit + 1}));
    if (!rs) return Fail(rs.error());
    Page<Person> page;
    const std::string now = Now();
    for (const auto& r : rs->rows) {
        if (static_cast<int>(page.items.size()) == limit) {
            page.next_cursor = page.items.back().username;
            break;
        }
        page.items.push_back(PersonFrom(r, now));
    }
    return page;
}

// ---------------------------------------------------------------------------------------
// Appointments

Result<Appointment> OrgService::CreateAppointment(const Context& ctx, const NewAppointment& a) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    if (a.person_id.empty())
        return Fail(Error::Invalid("missing_field", "person_id を指定してください", "person_id"));
    const Role* role = catalog_.Find(a.role);
    if (a.role.empty())
        return Fail(Error::Invalid("missing_field", "role を指定してください", "role"));
    if (!role)
        return Fail(
            Error::Invalid("unknown_role", fmt::format("知らない役割です: {}", a.role), "role"));
    if (a.role == "platform_admin")
        return Fail(Error::Invalid(
            "invalid_field", "プラットフォーム管理者は任命ではなく、アカウントの設定で指定します",
            "role"));
    if (!a.system_id.empty() && !role->for_system)
        return Fail(Error::Invalid(
            "invalid_field", fmt::format("{} は情報システムごとには任命できません", role->name),
            "system_id"));
    if (role->scope != RoleScope::kOrganisation && a.unit_id.empty() && a.system_id.empty())
        return Fail(Error::Invalid(
            "missing_field", fmt::format("{} の任命には部署 (unit_id) が必要です", role->name),
            "unit_id"));
    if (auto r = CheckDate(a.starts_on, "starts_on"); !r) return Fail(r.error());
    if (a.ends_on) {
        if (auto r = CheckDate(*a.ends_on, "ends_on"); !r) return Fail(r.error());
        if (*a.ends_on < a.starts_on)
            return Fail(
                Error::Invalid("invalid_field", "終了日は開始日以降にしてください", "ends_on"));
    }
    const std::string now = Now();
    return db_.Transact([&](store::Tx& tx) -> Result<Appointment> {
        auto tree = UnitTree::Load(tx);
        if (!tree) return Fail(tree.error());
        std::string unit_id = a.unit_id;
        if (!a.system_id.empty()) {
            // The system register (src/assets) owns the table; only its owner unit is read.
            auto sys = tx.Query("SELECT owner_unit_id FROM systems WHERE id = ?", {a.system_id});
            if (!sys) return Fail(sys.error());
            if (sys->rows.empty())
                return Fail(Error::Invalid("unknown_reference", "情報システムが見つかりません",
                                           "system_id"));
            const std::string owner = sys->rows[0].Text(0);
            if (!unit_id.empty() && unit_id != owner)
                return Fail(Error::Invalid("invalid_field",
                                           "情報システムの任命では、部署はその所管課になります",
                                           "unit_id"));
            unit_id = owner;
        }
        if (!unit_id.empty()) {
            const UnitNode* unit = tree->Find(unit_id);
            if (!unit || unit->status != "active")
                return Fail(Error::Invalid("unknown_reference",
                                           "部署が見つからないか、廃止されています", "unit_id"));
        }
        Access access(catalog_, std::move(*tree));
        if (!access.Can(**actor, kOrgManage, unit_id)) return Fail(Forbidden());
        auto person = FindPerson(tx, a.person_id, now);
        if (!person) return Fail(person.error());
        if (!*person)
            return Fail(Error::Invalid("unknown_reference", "職員が見つかりません", "person_id"));
        if ((*person)->status == "left")
            return Fail(StateError("person_left", "退職した職員は任命できません"));
        // The same role for the same unit in an overlapping period is a duplicate.
        std::string dup_sql =
            "SELECT id FROM appointments WHERE person_id = ? AND role = ? AND " +
            std::string(unit_id.empty() ? "unit_id IS NULL" : "unit_id = ?") +
            std::string(a.system_id.empty() ? " AND system_id IS NULL" : " AND system_id = ?") +
            " AND (ends_on IS NULL OR ends_on >= ?) AND (ends_on IS NULL OR ends_on >= starts_on)";
        std::vector<store::Value> dup_params{a.person_id, a.role};
        if (!unit_id.empty()) dup_params.emplace_back(unit_id);
        if (!a.system_id.empty()) dup_params.emplace_back(a.system_id);
        dup_params.emplace_back(a.starts_on);
        if (a.ends_on) {
            dup_sql += " AND starts_on <= ?";
            dup_params.emplace_back(*a.ends_on);
        }
        auto dup = tx.Query(dup_sql, dup_params);
        if (!dup) return Fail(dup.error());
        if (!dup->rows.empty())
            return Fail(StateError("duplicate_appointment",
                                   "同じ職員を同じ部署の同じ役割に、重なる期間で任命済みです"));
        if (auto r = separation_.CheckIncompatible(tx, a.person_id, a.role,
                                                   Period{a.starts_on, a.ends_on});
            !r)
            return Fail(r.error());
        Appointment out{
            NewId(), a.person_id, a.role, unit_id, a.system_id, a.starts_on, a.ends_on.value_or(""),
            now,     now};
        auto ins = tx.Exec(
            "INSERT INTO appointments (id, person_id, role, unit_id, system_id, starts_on, "
            "ends_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {out.id, out.person_id, out.role, OptionalText(out.unit_id),
             OptionalText(out.system_id), out.starts_on, OptionalText(out.ends_on), now, now});
        if (!ins) return Fail(ins.error());
        boost::json::object summary{{"person_id", out.person_id},
                                    {"username", (*person)->username},
                                    {"role", out.role},
                                    {"unit_id", out.unit_id},
                                    {"starts_on", out.starts_on}};
        if (!out.system_id.empty()) summary["system_id"] = out.system_id;
        if (!out.ends_on.empty()) summary["ends_on"] = out.ends_on;
        if (auto e = Audit(tx, ctx, "appointment.create", "appointment", out.id, std::move(summary),
                           now);
            !e)
            return Fail(e.error());
        return out;
    });
}

Result<Appointment> OrgService::EndAppointment(const Context& ctx, const std::string& id,
                                               const std::string& ends_on_in) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    const std::string ends_on = ends_on_in.empty() ? Today() : ends_on_in;
    if (auto r = CheckDate(ends_on, "ends_on"); !r) return Fail(r.error());
    const std::string now = Now();
    return db_.Transact([&](store::Tx& tx) -> Result<Appointment> {
        auto rs = tx.Query(std::string(kAppointmentColumns) + " WHERE id = ?", {id});
        if (!rs) return Fail(rs.error());
        if (rs->rows.empty()) return Fail(Error::NotFound("任命が見つかりません"));
        Appointment a = AppointmentFrom(rs->rows[0]);
        auto tree = UnitTree::Load(tx);
        if (!tree) return Fail(tree.error());
        Access access(catalog_, std::move(*tree));
        if (!access.Can(**actor, kOrgManage, a.unit_id)) return Fail(Forbidden());
        if (ends_on < a.starts_on)
            return Fail(
                Error::Invalid("invalid_field", "終了日は開始日以降にしてください", "ends_on"));
        if (!a.ends_on.empty() && ends_on >= a.ends_on)
            return Fail(StateError("already_ended",
                                   fmt::format("この任命は {} に終了済みです", a.ends_on)));
        auto upd = tx.Exec("UPDATE appointments SET ends_on = ?, updated_at = ? WHERE id = ?",
                           {ends_on, now, id});
        if (!upd) return Fail(upd.error());
        boost::json::object summary{{"ends_on", ends_on}};
        if (!a.ends_on.empty()) summary["previous_ends_on"] = a.ends_on;
        if (auto e = Audit(tx, ctx, "appointment.end", "appointment", id, std::move(summary), now);
            !e)
            return Fail(e.error());
        a.ends_on = ends_on;
        a.updated_at = now;
        return a;
    });
}

Result<Appointment> OrgService::GetAppointment(const Context& ctx, const std::string& id) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    auto rs = db_.Query(std::string(kAppointmentColumns) + " WHERE id = ?", {id});
    if (!rs) return Fail(rs.error());
    if (rs->rows.empty()) return Fail(Error::NotFound("任命が見つかりません"));
    Appointment a = AppointmentFrom(rs->rows[0]);
    auto access = AccessFor(**actor, kOrgRead);
    if (!access) return Fail(access.error());
    if (!access->Can(**actor, kOrgRead, a.unit_id)) return Fail(Forbidden());
    return a;
}

Result<Page<Appointment>> OrgService::ListAppointments(const Context& ctx,
                                                       const AppointmentFilter& f) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    if (!f.current_on.empty())
        if (auto r = CheckDate(f.current_on, "current_on"); !r) return Fail(r.error());
    if (!f.role.empty() && !catalog_.Find(f.role))
        return Fail(
            Error::Invalid("unknown_role", fmt::format("知らない役割です: {}", f.role), "role"));
    // Cursor: "<starts_on>.<id>" of the last item.
    std::string cursor_start, cursor_id;
    if (!f.cursor.empty()) {
        const auto dot = f.cursor.find('.');
        if (dot == std::string::npos || !http::IsValidDate(f.cursor.substr(0, dot)))
            return Fail(Error::Invalid("invalid_field", "cursor が正しくありません", "cursor"));
        cursor_start = f.cursor.substr(0, dot);
        cursor_id = f.cursor.substr(dot + 1);
    }
    const int limit = ClampLimit(f.limit, kMaxPageSize);
    auto access = AccessFor(**actor, kOrgRead);
    if (!access) return Fail(access.error());
    const Visibility visible = access->VisibleUnits(**actor, kOrgRead);
    if (!visible.all && visible.units.empty()) return Fail(Forbidden());

    store::Where where;
    if (!f.person_id.empty()) where.Add("person_id = ?", {f.person_id});
    if (!f.unit_id.empty()) where.Add("unit_id = ?", {f.unit_id});
    if (!f.system_id.empty()) where.Add("system_id = ?", {f.system_id});
    if (!f.role.empty()) where.Add("role = ?", {f.role});
    if (!f.current_on.empty())
        where.Add("starts_on <= ? AND (ends_on IS NULL OR ends_on >= ?)",
                  {f.current_on, f.current_on});
    if (!visible.all) where.AddIn("unit_id", visible.units);
    if (!f.cursor.empty())
        where.Add("(starts_on < ? OR (starts_on = ? AND id > ?))",
                  {cursor_start, cursor_start, cursor_id});
    auto rs = db_.Query(
        std::string(kAppointmentColumns) + where.Sql() + " ORDER BY starts_on DESC, id LIMIT ?",
        where.With({limit + 1}));
    if (!rs) return Fail(rs.error());
    Page<Appointment> page;
    for (const auto& r : rs->rows) {
        if (static_cast<int>(page.items.size()) == limit) {
            const auto& last = page.items.back();
            page.next_cursor = last.starts_on + "." + last.id;
            break;
        }
        page.items.push_back(AppointmentFrom(r));
    }
    return page;
}

}  // namespace mamori::org
