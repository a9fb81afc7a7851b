#include "assets/assets_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <map>
#include <set>

#include "audit/audit.h"
#include "core/crypto.h"
#include "core/service_support.h"
#include "core/text.h"
#include "http/json_reader.h"
#include "org/org_service.h"
#include "store/text_search.h"
#include "store/where.h"

namespace mamori::assets {

namespace {

using service::ActorOf;
using service::ClampLimit;
using service::Forbidden;
using service::NewId;
constexpr auto Audit = &audit::RecordChange;

constexpr std::string_view kRead = "assets.read";
constexpr std::string_view kManage = "assets.manage";

constexpr std::size_t kMaxNameChars = 200;
constexpr std::size_t kMaxLongChars = 2000;
constexpr std::size_t kMaxShortChars = 200;
constexpr std::size_t kMaxLabelChars = 100;
constexpr std::size_t kMaxKeyChars = 64;
constexpr std::size_t kMaxQueryChars = 100;
constexpr int kMaxCopies = 9999;
constexpr int kMaxHistory = 200;
constexpr int kMaxPage = 200;

constexpr std::string_view kSystemColumns =
    "SELECT id, name, purpose, owner_unit_id, zone, hosting, vendor, highest_confidentiality, "
    "status, created_at, updated_at FROM systems";
constexpr std::string_view kAssetColumns =
    "SELECT a.id, a.asset_number, a.name, a.description, a.owner_unit_id, a.manager_person_id, "
    "a.form, a.system_id, a.storage_location, a.confidentiality, a.integrity, a.availability, "
    "a.personal_info, a.specific_personal_info, a.retention, a.copies, a.label_text, "
    "a.next_review_on, a.notes, a.status, a.disposed_on, a.disposal_method, a.disposed_by, "
    "a.disposal_witness, a.created_at, a.updated_at, a.last_reviewed_on, a.last_reviewed_by "
    "FROM assets a";
constexpr store::SearchIndex kAssetSearch{"asset_text", "asset_id", "asset_search"};

/// What text search finds an asset by: its name and description.
std::string SearchText(const Asset& a) { return a.name + "\n" + a.description; }

/// Whether any of the principal's grants carries `permission` (wherever it reaches).
bool HoldsAnywhere(const org::RoleCatalog& roles, const Principal& p, std::string_view permission) {
    for (const auto& g : p.grants) {
        if (g.role == "platform_admin" && !p.platform_admin) continue;
        const org::Role* role = roles.Find(g.role);
        if (role && std::find(role->permissions.begin(), role->permissions.end(), permission) !=
                        role->permissions.end())
            return true;
    }
    return org::Access::CanEverywhere(p, roles, permission);
}

enum class Lines { kOne, kMany };

/// Text a person types: valid UTF-8, no control characters (newlines and tabs allowed in
/// multi-line fields), not blank when required, at most `max_chars` characters.
Result<void> CheckText(const std::string& v, std::string_view field, std::string_view label,
                       std::size_t max_chars, bool required, Lines lines = Lines::kOne) {
    if (!core::ValidUtf8(v))
        return Fail(Error::Invalid("invalid_field",
                                   fmt::format("{}に不正な文字コードが含まれています", label),
                                   std::string(field)));
    for (unsigned char c : v) {
        const bool allowed_space = lines == Lines::kMany && (c == '\n' || c == '\r' || c == '\t');
        if ((c < 0x20 || c == 0x7F) && !allowed_space)
            return Fail(Error::Invalid("invalid_field",
                                       fmt::format("{}に制御文字は使えません", label),
                                       std::string(field)));
    }
    if (required && v.find_first_not_of(" \t\r\n") == std::string::npos)
        return Fail(Error::Invalid("missing_field", fmt::format("{}を入力してください", label),
                                   std::string(field)));
    if (http::CountChars(v) > max_chars)
        return Fail(Error::Invalid("too_long",
                                   fmt::format("{}は {} 文字以内にしてください", label, max_chars),
                                   std::string(field)));
    return {};
}

Result<void> CheckDate(const std::string& v, std::string_view field, std::string_view label) {
    if (!http::IsValidDate(v))
        return Fail(Error::Invalid(
            "invalid_field", fmt::format("{}は YYYY-MM-DD 形式の正しい日付にしてください", label),
            std::string(field)));
    return {};
}

Result<void> CheckOneOf(const std::string& v, std::initializer_list<std::string_view> allowed,
                        std::string_view field) {
    for (auto a : allowed)
        if (v == a) return {};
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : "、") + std::string(a);
    return Fail(Error::Invalid("invalid_field", fmt::format("{} は {} のいずれかです", field, list),
                               std::string(field)));
}

/// An opaque id given by a caller: short printable ASCII.
Result<void> CheckKey(const std::string& v, std::string_view field) {
    const bool ok = !v.empty() && v.size() <= kMaxKeyChars &&
                    std::all_of(v.begin(), v.end(), [](unsigned char c) {
                        return std::isalnum(c) || c == '-' || c == '_' || c == '.';
                    });
    if (!ok)
        return Fail(Error::Invalid("invalid_field", fmt::format("{} が正しくありません", field),
                                   std::string(field)));
    return {};
}

Result<void> CheckAssetNumber(const std::string& v) {
    if (v.size() > 32 || !CheckKey(v, "asset_number"))
        return Fail(Error::Invalid(
            "invalid_field",
            "資産番号は半角英数字と「-」「_」「.」の 32 文字以内にしてください (例: A-000123)",
            "asset_number"));
    return {};
}

Result<void> CheckZone(const policy::Catalog& catalog, const std::string& zone) {
    std::string list;
    for (const auto& z : catalog.zones().zones) {
        if (z.key == zone) return {};
        list += (list.empty() ? "" : "、") + z.key;
    }
    if (zone.empty())
        return Fail(Error::Invalid("missing_field", "系統 (zone) を指定してください", "zone"));
    return Fail(
        Error::Invalid("unknown_zone", fmt::format("zone は {} のいずれかです", list), "zone"));
}

Result<void> CheckConfidentialityKey(const policy::ClassificationScheme& scheme,
                                     const std::string& key, std::string_view field) {
    if (FindLevel(scheme, "confidentiality", key)) return {};
    std::string list;
    if (const policy::Axis* axis = scheme.FindAxis("confidentiality"))
        for (const auto& l : axis->levels) list += (list.empty() ? "" : "、") + l.key;
    return Fail(Error::Invalid(key.empty() ? "missing_field" : "unknown_level",
                               fmt::format("機密性の区分は {} のいずれかです", list),
                               std::string(field)));
}

/// The fields of `before` and `after` that differ, as {field: {from, to}}.
boost::json::object Changes(const boost::json::object& before, const boost::json::object& after) {
    boost::json::object out;
    for (const auto& [k, v] : after) {
        const auto* old = before.if_contains(k);
        if (!old || *old != v)
            out[k] = {{"from", old ? *old : boost::json::value(nullptr)}, {"to", v}};
    }
    return out;
}

store::Value OptionalText(const std::string& s) {
    return s.empty() ? store::Value() : store::Value(s);
}

// ---------------------------------------------------------------------------------------
// Systems: rows, JSON for the audit trail, validation.

System SystemFrom(const store::Row& r) {
    return System{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5),
                  r.Text(6), r.Text(7), r.Text(8), r.Text(9), r.Text(10)};
}

boost::json::object SystemJson(const System& s) {
    return {{"name", s.name},
            {"purpose", s.purpose},
            {"owner_unit_id", s.owner_unit_id},
            {"zone", s.zone},
            {"hosting", s.hosting},
            {"vendor", s.vendor},
            {"highest_confidentiality", s.highest_confidentiality},
            {"status", s.status}};
}

/// Checks every field; the zone and level only when `check_catalog` (so that a system
/// classified under an earlier catalog can still be renamed).
Result<void> ValidateSystem(const System& s, const policy::Catalog& catalog, bool check_catalog) {
    if (auto r = CheckText(s.name, "name", "システム名", kMaxNameChars, true); !r) return r;
    if (auto r = CheckText(s.purpose, "purpose", "目的", kMaxLongChars, false, Lines::kMany); !r)
        return r;
    if (s.owner_unit_id.empty())
        return Fail(Error::Invalid("missing_field", "所管課を指定してください", "owner_unit_id"));
    if (auto r = CheckKey(s.owner_unit_id, "owner_unit_id"); !r) return r;
    if (auto r = CheckOneOf(s.hosting, {"onprem", "datacenter", "cloud"}, "hosting"); !r) return r;
    if (auto r = CheckText(s.vendor, "vendor", "事業者", kMaxShortChars, false); !r) return r;
    if (auto r = CheckOneOf(s.status, {"in_use", "planned", "retired"}, "status"); !r) return r;
    if (!check_catalog) return {};
    if (auto r = CheckZone(catalog, s.zone); !r) return r;
    return CheckConfidentialityKey(catalog.classification(), s.highest_confidentiality,
                                   "highest_confidentiality");
}

template <typename Q>
Result<std::optional<System>> FindSystem(Q& q, const std::string& id) {
    auto rs = q.Query(std::string(kSystemColumns) + " WHERE id = ?", {id});
    if (!rs) return Fail(rs.error());
    if (rs->rows.empty()) return std::optional<System>();
    return std::optional<System>(SystemFrom(rs->rows[0]));
}

// ---------------------------------------------------------------------------------------
// Assets.

Asset AssetFrom(const store::Row& r) {
    Asset a;
    a.id = r.Text(0);
    a.asset_number = r.Text(1);
    a.name = r.Text(2);
    a.description = r.Text(3);
    a.owner_unit_id = r.Text(4);
    a.manager_person_id = r.OptText(5).value_or("");
    a.form = r.Text(6);
    a.system_id = r.OptText(7).value_or("");
    a.storage_location = r.Text(8);
    a.confidentiality = r.Text(9);
    a.integrity = r.Text(10);
    a.availability = r.Text(11);
    a.personal_info = r.Bool(12);
    a.specific_personal_info = r.Bool(13);
    a.retention = r.Text(14);
    a.copies = static_cast<int>(r.Int(15));
    a.label_text = r.Text(16);
    a.next_review_on = r.OptText(17).value_or("");
    a.notes = r.Text(18);
    a.status = r.Text(19);
    a.disposed_on = r.OptText(20).value_or("");
    a.disposal_method = r.OptText(21).value_or("");
    a.disposed_by = r.OptText(22).value_or("");
    a.disposal_witness = r.OptText(23).value_or("");
    a.created_at = r.Text(24);
    a.updated_at = r.Text(25);
    a.last_reviewed_on = r.OptText(26).value_or("");
    a.last_reviewed_by = r.OptText(27).value_or("");
    return a;
}

boost::json::object AssetJson(const Asset& a) {
    return {{"asset_number", a.asset_number},
            {"name", a.name},
            {"description", a.description},
            {"owner_unit_id", a.owner_unit_id},
            {"manager_person_id", a.manager_person_id},
            {"form", a.form},
            {"system_id", a.system_id},
            {"storage_location", a.storage_location},
            {"confidentiality", a.confidentiality},
            {"integrity", a.integrity},
            {"availability", a.availability},
            {"personal_info", a.personal_info},
            {"specific_personal_info", a.specific_personal_info},
            {"retention", a.retention},
            {"copies", a.copies},
            {"label_text", a.label_text},
            {"next_review_on", a.next_review_on},
            {"notes", a.notes}};
}

/// `before` with the fields `u` sets.
Asset Merged(const Asset& before, const AssetUpdate& u) {
    Asset a = before;
    if (u.name) a.name = *u.name;
    if (u.description) a.description = *u.description;
    if (u.owner_unit_id) a.owner_unit_id = *u.owner_unit_id;
    if (u.manager_person_id) a.manager_person_id = *u.manager_person_id;
    if (u.form) a.form = *u.form;
    if (u.system_id) a.system_id = *u.system_id;
    if (u.storage_location) a.storage_location = *u.storage_location;
    if (u.confidentiality) a.confidentiality = *u.confidentiality;
    if (u.integrity) a.integrity = *u.integrity;
    if (u.availability) a.availability = *u.availability;
    if (u.personal_info) a.personal_info = *u.personal_info;
    if (u.specific_personal_info) a.specific_personal_info = *u.specific_personal_info;
    if (u.retention) a.retention = *u.retention;
    if (u.copies) a.copies = *u.copies;
    if (u.label_text) a.label_text = *u.label_text;
    if (u.next_review_on) a.next_review_on = *u.next_review_on;
    if (u.notes) a.notes = *u.notes;
    return a;
}

/// Checks every field; the levels only when `check_levels` (so that an asset classified
/// under an earlier scheme can still be edited otherwise).
Result<void> ValidateAsset(const Asset& a, const policy::ClassificationScheme& scheme,
                           bool check_levels) {
    if (auto r = CheckAssetNumber(a.asset_number); !r) return r;
    if (auto r = CheckText(a.name, "name", "名称", kMaxNameChars, true); !r) return r;
    if (auto r =
            CheckText(a.description, "description", "説明", kMaxLongChars, false, Lines::kMany);
        !r)
        return r;
    if (a.owner_unit_id.empty())
        return Fail(Error::Invalid("missing_field", "所管課を指定してください", "owner_unit_id"));
    if (auto r = CheckKey(a.owner_unit_id, "owner_unit_id"); !r) return r;
    if (!a.manager_person_id.empty())
        if (auto r = CheckKey(a.manager_person_id, "manager_person_id"); !r) return r;
    if (auto r = CheckOneOf(a.form, {"electronic", "paper", "both"}, "form"); !r) return r;
    if (!a.system_id.empty())
        if (auto r = CheckKey(a.system_id, "system_id"); !r) return r;
    if (auto r =
            CheckText(a.storage_location, "storage_location", "保管場所", kMaxShortChars, false);
        !r)
        return r;
    if (check_levels)
        if (auto r = ValidateLevels(scheme, a.confidentiality, a.integrity, a.availability); !r)
            return r;
    if (a.specific_personal_info && !a.personal_info)
        return Fail(Error::Invalid("invalid_field",
                                   "特定個人情報を含む場合は、個人情報を含むとしてください",
                                   "specific_personal_info"));
    if (auto r = CheckText(a.retention, "retention", "保存期間", kMaxLabelChars, false); !r)
        return r;
    if (a.copies < 0 || a.copies > kMaxCopies)
        return Fail(Error::Invalid(
            "invalid_field", fmt::format("部数は 0〜{} にしてください", kMaxCopies), "copies"));
    if (auto r = CheckText(a.label_text, "label_text", "表示 (ラベル)", kMaxLabelChars, false); !r)
        return r;
    if (!a.next_review_on.empty())
        if (auto r = CheckDate(a.next_review_on, "next_review_on", "次回見直し日"); !r) return r;
    return CheckText(a.notes, "notes", "備考", kMaxLongChars, false, Lines::kMany);
}

template <typename Q>
Result<std::optional<Asset>> FindAsset(Q& q, const std::string& id) {
    auto rs = q.Query(std::string(kAssetColumns) + " WHERE a.id = ?", {id});
    if (!rs) return Fail(rs.error());
    if (rs->rows.empty()) return std::optional<Asset>();
    return std::optional<Asset>(AssetFrom(rs->rows[0]));
}

/// `id` names an existing row of `table` (a fixed table name), else unknown_reference.
Result<void> CheckExists(store::Tx& tx, std::string_view table, const std::string& id,
                         std::string_view field, std::string_view message) {
    auto rs = tx.Query(fmt::format("SELECT 1 FROM {} WHERE id = ?", table), {id});
    if (!rs) return Fail(rs.error());
    if (rs->rows.empty())
        return Fail(Error::Invalid("unknown_reference", std::string(message), std::string(field)));
    return {};
}

/// The owner unit exists and is still active.
Result<void> CheckOwnerUnit(const org::UnitTree& tree, const std::string& id) {
    const org::UnitNode* unit = tree.Find(id);
    if (!unit)
        return Fail(Error::Invalid("unknown_reference", "所管課が見つかりません", "owner_unit_id"));
    if (unit->status != "active")
        return Fail(
            Error::Invalid("invalid_field", "廃止された部署は所管課にできません", "owner_unit_id"));
    return {};
}

/// The next free A-nnnnnn number (six digits, up to A-999999).
Result<std::string> NextAssetNumber(store::Tx& tx) {
    auto rs = tx.Query(
        "SELECT asset_number FROM assets WHERE asset_number LIKE 'A-______' "
        "ORDER BY asset_number DESC LIMIT 1");
    if (!rs) return Fail(rs.error());
    int next = 1;
    if (!rs->rows.empty()) {
        const std::string last = rs->rows[0].Text(0).substr(2);
        if (std::all_of(last.begin(), last.end(), [](unsigned char c) { return std::isdigit(c); }))
            next = std::stoi(last) + 1;
    }
    return fmt::format("A-{:06d}", next);
}

}  // namespace

/// Where a permission reaches for one principal, with the unit tree used to decide it.
struct AssetsService::Reach {
    bool all = false;
    std::set<std::string> units;
    org::UnitTree tree;

    bool Covers(const std::string& unit_id) const { return all || units.count(unit_id) > 0; }
    bool None() const { return !all && units.empty(); }
    /// The reached units among `wanted` (nullopt: every reached unit). REQUIRES: !all.
    std::vector<std::string> Restrict(std::optional<std::vector<std::string>> wanted) const {
        if (!wanted) return {units.begin(), units.end()};
        std::vector<std::string> both;
        for (auto& u : *wanted)
            if (units.count(u)) both.push_back(std::move(u));
        return both;
    }
};

CatalogSource CatalogSourceOf(policy::PolicyService& policies) {
    return [&policies]() -> Result<std::shared_ptr<const policy::Catalog>> {
        auto v = policies.InForce();
        if (!v) return Fail(v.error());
        return v->catalog;
    };
}

AssetsService::AssetsService(store::Database& db, const Clock& clock, const org::RoleCatalog& roles,
                             CatalogSource catalog)
    : db_(db), clock_(clock), roles_(roles), catalog_(std::move(catalog)) {}

std::string AssetsService::Now() const { return FormatRfc3339(clock_.Now()); }
std::string AssetsService::Today() const { return org::TodayJst(clock_.Now()); }

Result<std::shared_ptr<const policy::Catalog>> AssetsService::CatalogInForce() {
    auto c = catalog_();
    if (!c) return Fail(c.error());
    if (!*c) return Fail(Error::Internal("no policy catalog in force"));
    return c;
}

Result<AssetsService::Reach> AssetsService::ReadReach(const Principal& actor) {
    Reach reach;
    auto tree = org::UnitTree::Load(db_);
    if (!tree) return Fail(tree.error());
    reach.tree = std::move(*tree);
    org::Access access(roles_, reach.tree);
    // assets.manage reads too.
    for (std::string_view perm : {kRead, kManage}) {
        const org::Visibility v = access.VisibleUnits(actor, perm);
        if (v.all) reach.all = true;
        reach.units.insert(v.units.begin(), v.units.end());
        // An `own`-scope role (staff) reaches the unit it is held for, not below it.
        for (const auto& g : actor.grants) {
            const org::Role* role = roles_.Find(g.role);
            if (role && role->scope == org::RoleScope::kOwn && !g.unit_id.empty() &&
                std::find(role->permissions.begin(), role->permissions.end(), perm) !=
                    role->permissions.end())
                reach.units.insert(g.unit_id);
        }
    }
    return reach;
}

Result<AssetsService::Change> AssetsService::BeginChange(const Context& ctx) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    if (!HoldsAnywhere(roles_, **actor, kManage)) return Fail(Forbidden());
    auto catalog = CatalogInForce();
    if (!catalog) return Fail(catalog.error());
    return Change{*actor, std::move(*catalog), Now()};
}

Result<void> AssetsService::CheckManaged(const org::Access& access, const Principal& actor,
                                         const std::string& unit_id, bool new_unit) const {
    if (new_unit)
        if (auto r = CheckOwnerUnit(access.tree(), unit_id); !r) return r;
    if (!access.Can(actor, kManage, unit_id)) return Fail(Forbidden());
    return {};
}

Result<org::Access> AssetsService::ManageAccess(store::Tx& tx, const Principal& actor,
                                                const std::string& unit_id, bool new_unit) {
    auto tree = org::UnitTree::Load(tx);
    if (!tree) return Fail(tree.error());
    org::Access access(roles_, std::move(*tree));
    if (auto r = CheckManaged(access, actor, unit_id, new_unit); !r) return Fail(r.error());
    return access;
}

template <typename T>
Result<std::pair<T, org::Access>> AssetsService::ForChange(store::Tx& tx, const Principal& actor,
                                                           Result<std::optional<T>> found,
                                                           std::string_view missing) {
    if (!found) return Fail(found.error());
    if (!*found) return Fail(Error::NotFound(std::string(missing)));
    auto access = ManageAccess(tx, actor, (*found)->owner_unit_id, false);
    if (!access) return Fail(access.error());
    return std::pair<T, org::Access>(std::move(**found), std::move(*access));
}

// ---------------------------------------------------------------------------------------
// Systems

Result<System> AssetsService::InsertSystem(store::Tx& tx, const Context& ctx, const Change& change,
                                           const org::Access& access, const NewSystem& n) {
    const std::string& now = change.now;
    System s{NewId(),  n.name,    n.purpose, n.owner_unit_id,
             n.zone,   n.hosting, n.vendor,  n.highest_confidentiality,
             n.status, now,       now};
    if (auto r = ValidateSystem(s, *change.catalog, true); !r) return Fail(r.error());
    if (auto r = CheckManaged(access, *change.actor, s.owner_unit_id, true); !r)
        return Fail(r.error());
    auto ins = tx.Exec(
        "INSERT INTO systems (id, name, purpose, owner_unit_id, zone, hosting, vendor, "
        "highest_confidentiality, status, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {s.id, s.name, s.purpose, s.owner_unit_id, s.zone, s.hosting, s.vendor,
         s.highest_confidentiality, s.status, now, now});
    if (!ins) return Fail(ins.error());
    if (auto r = Audit(tx, ctx, "system.create", "system", s.id, SystemJson(s), now); !r)
        return Fail(r.error());
    return s;
}

Result<System> AssetsService::ApplySystemUpdate(store::Tx& tx, const Context& ctx,
                                                const Change& change, const org::Access& access,
                                                const System& before, const SystemUpdate& u) {
    const std::string& now = change.now;
    System s = before;
    if (u.name) s.name = *u.name;
    if (u.purpose) s.purpose = *u.purpose;
    if (u.owner_unit_id) s.owner_unit_id = *u.owner_unit_id;
    if (u.zone) s.zone = *u.zone;
    if (u.hosting) s.hosting = *u.hosting;
    if (u.vendor) s.vendor = *u.vendor;
    if (u.highest_confidentiality) s.highest_confidentiality = *u.highest_confidentiality;
    if (u.status) s.status = *u.status;
    const bool catalog_fields =
        (u.zone && *u.zone != before.zone) ||
        (u.highest_confidentiality && *u.highest_confidentiality != before.highest_confidentiality);
    if (auto r = ValidateSystem(s, *change.catalog, catalog_fields); !r) return Fail(r.error());
    if (s.owner_unit_id != before.owner_unit_id)
        if (auto r = CheckManaged(access, *change.actor, s.owner_unit_id, true); !r)
            return Fail(r.error());
    boost::json::object changes = Changes(SystemJson(before), SystemJson(s));
    if (changes.empty()) return before;
    s.updated_at = now;
    auto upd = tx.Exec(
        "UPDATE systems SET name = ?, purpose = ?, owner_unit_id = ?, zone = ?, hosting = ?, "
        "vendor = ?, highest_confidentiality = ?, status = ?, updated_at = ? WHERE id = ?",
        {s.name, s.purpose, s.owner_unit_id, s.zone, s.hosting, s.vendor, s.highest_confidentiality,
         s.status, now, s.id});
    if (!upd) return Fail(upd.error());
    if (auto r = Audit(tx, ctx, "system.update", "system", s.id, std::move(changes), now); !r)
        return Fail(r.error());
    return s;
}

Result<System> AssetsService::CreateSystem(const Context& ctx, const NewSystem& n) {
    auto change = BeginChange(ctx);
    if (!change) return Fail(change.error());
    return db_.Transact([&](store::Tx& tx) -> Result<System> {
        auto tree = org::UnitTree::Load(tx);
        if (!tree) return Fail(tree.error());
        const org::Access access(roles_, std::move(*tree));
        return InsertSystem(tx, ctx, *change, access, n);
    });
}

Result<System> AssetsService::UpdateSystem(const Context& ctx, const std::string& id,
                                           const SystemUpdate& u) {
    auto change = BeginChange(ctx);
    if (!change) return Fail(change.error());
    return db_.Transact([&](store::Tx& tx) -> Result<System> {
        auto found =
            ForChange(tx, *change->actor, FindSystem(tx, id), "情報システムが見つかりません");
        if (!found) return Fail(found.error());
        return ApplySystemUpdate(tx, ctx, *change, found->second, found->first, u);
    });
}

Result<System> AssetsService::GetSystem(const Context& ctx, const std::string& id) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    auto found = FindSystem(db_, id);
    if (!found) return Fail(found.error());
    if (!*found) return Fail(Error::NotFound("情報システムが見つかりません"));
    auto reach = ReadReach(**actor);
    if (!reach) return Fail(reach.error());
    if (!reach->Covers((*found)->owner_unit_id)) return Fail(Forbidden());
    return std::move(**found);
}

Result<std::vector<System>> AssetsService::ListSystems(const Context& ctx, const SystemFilter& f) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    if (!f.unit_id.empty())
        if (auto r = CheckKey(f.unit_id, "unit_id"); !r) return Fail(r.error());
    if (!f.status.empty())
        if (auto r = CheckOneOf(f.status, {"in_use", "planned", "retired"}, "status"); !r)
            return Fail(r.error());
    if (!f.zone.empty()) {
        auto catalog = CatalogInForce();
        if (!catalog) return Fail(catalog.error());
        if (auto r = CheckZone(**catalog, f.zone); !r) return Fail(r.error());
    }
    auto reach = ReadReach(**actor);
    if (!reach) return Fail(reach.error());
    if (reach->None()) return Fail(Forbidden());
    store::Where where;
    std::optional<std::vector<std::string>> units;
    if (!f.unit_id.empty()) {
        if (!reach->tree.Find(f.unit_id))
            return Fail(Error::Invalid("unknown_reference", "部署が見つかりません", "unit_id"));
        units = reach->tree.Subtree(f.unit_id);
    }
    if (!reach->all) units = reach->Restrict(std::move(units));
    if (units) {
        if (units->empty()) return std::vector<System>{};
        where.AddIn("owner_unit_id", *units);
    }
    if (!f.zone.empty()) where.Add("zone = ?", {f.zone});
    if (!f.status.empty()) where.Add("status = ?", {f.status});
    auto rs =
        db_.Query(std::string(kSystemColumns) + where.Sql() + " ORDER BY name, id", where.With());
    if (!rs) return Fail(rs.error());
    std::vector<System> out;
    out.reserve(rs->rows.size());
    for (const auto& r : rs->rows) out.push_back(SystemFrom(r));
    return out;
}

Result<std::vector<audit::Event>> AssetsService::History(std::string_view type,
                                                         const std::string& id, int limit) {
    audit::Filter f;
    f.object_type = std::string(type);
    f.object_id = id;
    f.limit = ClampLimit(limit, kMaxHistory);
    return audit::List(db_, f);
}

Result<std::vector<audit::Event>> AssetsService::SystemHistory(const Context& ctx,
                                                               const std::string& id, int limit) {
    if (auto s = GetSystem(ctx, id); !s) return Fail(s.error());
    return History("system", id, limit);
}

// ---------------------------------------------------------------------------------------
// Assets

Result<Asset> AssetsService::InsertAsset(store::Tx& tx, const Context& ctx, const Change& change,
                                         const org::Access& access, const NewAsset& n,
                                         const std::string& number) {
    const std::string& now = change.now;
    Asset a;
    a.id = NewId();
    a.asset_number = number;
    a.name = n.name;
    a.description = n.description;
    a.owner_unit_id = n.owner_unit_id;
    a.manager_person_id = n.manager_person_id;
    a.form = n.form;
    a.system_id = n.system_id;
    a.storage_location = n.storage_location;
    a.confidentiality = n.confidentiality;
    a.integrity = n.integrity;
    a.availability = n.availability;
    a.personal_info = n.personal_info;
    a.specific_personal_info = n.specific_personal_info;
    a.retention = n.retention;
    a.copies = n.copies;
    a.label_text = n.label_text;
    a.next_review_on = n.next_review_on;
    a.notes = n.notes;
    a.status = "active";
    a.created_at = now;
    a.updated_at = now;
    if (auto r = ValidateAsset(a, change.catalog->classification(), true); !r)
        return Fail(r.error());
    if (auto r = CheckManaged(access, *change.actor, a.owner_unit_id, true); !r)
        return Fail(r.error());
    if (!a.manager_person_id.empty())
        if (auto r = CheckExists(tx, "people", a.manager_person_id, "manager_person_id",
                                 "管理者が見つかりません");
            !r)
            return Fail(r.error());
    if (!a.system_id.empty())
        if (auto r = CheckExists(tx, "systems", a.system_id, "system_id",
                                 "情報システムが見つかりません");
            !r)
            return Fail(r.error());
    auto ins = tx.Exec(
        "INSERT INTO assets (id, asset_number, name, description, owner_unit_id, "
        "manager_person_id, form, system_id, storage_location, confidentiality, integrity, "
        "availability, personal_info, specific_personal_info, retention, copies, label_text, "
        "next_review_on, notes, status, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {a.id,
         a.asset_number,
         a.name,
         a.description,
         a.owner_unit_id,
         OptionalText(a.manager_person_id),
         a.form,
         OptionalText(a.system_id),
         a.storage_location,
         a.confidentiality,
         a.integrity,
         a.availability,
         a.personal_info,
         a.specific_personal_info,
         a.retention,
         a.copies,
         a.label_text,
         OptionalText(a.next_review_on),
         a.notes,
         a.status,
         now,
         now});
    if (!ins) {
        Error e = ins.error();
        if (e.code == "duplicate") {
            e.message = fmt::format("資産番号 {} は既に使われています", a.asset_number);
            e.field = "asset_number";
        }
        return Fail(e);
    }
    if (auto r = IndexAsset(tx, change, a); !r) return Fail(r.error());
    if (auto r = Audit(tx, ctx, "asset.create", "asset", a.id, AssetJson(a), now); !r)
        return Fail(r.error());
    return a;
}

Result<void> AssetsService::IndexAsset(store::Tx& tx, const Change& change, const Asset& a) {
    if (change.text) return change.text->Add(tx, a.id, SearchText(a));
    return store::IndexText(tx, kAssetSearch, a.id, SearchText(a));
}

Result<Asset> AssetsService::ApplyAssetUpdate(store::Tx& tx, const Context& ctx,
                                              const Change& change, const org::Access& access,
                                              const Asset& before, const AssetUpdate& u) {
    const std::string& now = change.now;
    if (before.status == "disposed")
        return Fail(Error::Conflict("disposed", "廃棄済みの情報資産は変更できません"));
    Asset a = Merged(before, u);
    const bool levels = a.confidentiality != before.confidentiality ||
                        a.integrity != before.integrity || a.availability != before.availability;
    if (auto r = ValidateAsset(a, change.catalog->classification(), levels); !r)
        return Fail(r.error());
    if (a.owner_unit_id != before.owner_unit_id)
        if (auto r = CheckManaged(access, *change.actor, a.owner_unit_id, true); !r)
            return Fail(r.error());
    if (!a.manager_person_id.empty() && a.manager_person_id != before.manager_person_id)
        if (auto r = CheckExists(tx, "people", a.manager_person_id, "manager_person_id",
                                 "管理者が見つかりません");
            !r)
            return Fail(r.error());
    if (!a.system_id.empty() && a.system_id != before.system_id)
        if (auto r = CheckExists(tx, "systems", a.system_id, "system_id",
                                 "情報システムが見つかりません");
            !r)
            return Fail(r.error());
    boost::json::object changes = Changes(AssetJson(before), AssetJson(a));
    if (changes.empty()) return before;
    a.updated_at = now;
    auto upd = tx.Exec(
        "UPDATE assets SET name = ?, description = ?, owner_unit_id = ?, "
        "manager_person_id = ?, form = ?, system_id = ?, storage_location = ?, "
        "confidentiality = ?, integrity = ?, availability = ?, personal_info = ?, "
        "specific_personal_info = ?, retention = ?, copies = ?, label_text = ?, "
        "next_review_on = ?, notes = ?, updated_at = ? WHERE id = ?",
        {a.name, a.description, a.owner_unit_id, OptionalText(a.manager_person_id), a.form,
         OptionalText(a.system_id), a.storage_location, a.confidentiality, a.integrity,
         a.availability, a.personal_info, a.specific_personal_info, a.retention, a.copies,
         a.label_text, OptionalText(a.next_review_on), a.notes, now, a.id});
    if (!upd) return Fail(upd.error());
    if (a.name != before.name || a.description != before.description)
        if (auto r = IndexAsset(tx, change, a); !r) return Fail(r.error());
    if (auto r = Audit(tx, ctx, "asset.update", "asset", a.id, std::move(changes), now); !r)
        return Fail(r.error());
    return a;
}

Result<Asset> AssetsService::CreateAsset(const Context& ctx, const NewAsset& n) {
    auto change = BeginChange(ctx);
    if (!change) return Fail(change.error());
    if (!n.asset_number.empty())
        if (auto r = CheckAssetNumber(n.asset_number); !r) return Fail(r.error());
    return db_.Transact([&](store::Tx& tx) -> Result<Asset> {
        auto tree = org::UnitTree::Load(tx);
        if (!tree) return Fail(tree.error());
        const org::Access access(roles_, std::move(*tree));
        std::string number = n.asset_number;
        if (number.empty()) {
            auto next = NextAssetNumber(tx);
            if (!next) return Fail(next.error());
            number = std::move(*next);
        }
        return InsertAsset(tx, ctx, *change, access, n, number);
    });
}

Result<Asset> AssetsService::UpdateAsset(const Context& ctx, const std::string& id,
                                         const AssetUpdate& u) {
    auto change = BeginChange(ctx);
    if (!change) return Fail(change.error());
    return db_.Transact([&](store::Tx& tx) -> Result<Asset> {
        auto found = ForChange(tx, *change->actor, FindAsset(tx, id), "情報資産が見つかりません");
        if (!found) return Fail(found.error());
        return ApplyAssetUpdate(tx, ctx, *change, found->second, found->first, u);
    });
}

Result<Asset> AssetsService::GetAsset(const Context& ctx, const std::string& id) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    auto found = FindAsset(db_, id);
    if (!found) return Fail(found.error());
    if (!*found) return Fail(Error::NotFound("情報資産が見つかりません"));
    auto reach = ReadReach(**actor);
    if (!reach) return Fail(reach.error());
    if (!reach->Covers((*found)->owner_unit_id)) return Fail(Forbidden());
    return std::move(**found);
}

Result<Page<Asset>> AssetsService::ListAssets(const Context& ctx, const AssetFilter& f) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    if (!f.unit_id.empty())
        if (auto r = CheckKey(f.unit_id, "unit_id"); !r) return Fail(r.error());
    if (!f.system_id.empty())
        if (auto r = CheckKey(f.system_id, "system_id"); !r) return Fail(r.error());
    if (!f.status.empty())
        if (auto r = CheckOneOf(f.status, {"active", "disposed"}, "status"); !r)
            return Fail(r.error());
    if (!f.review_due_by.empty())
        if (auto r = CheckDate(f.review_due_by, "review_due_by", "見直し期日"); !r)
            return Fail(r.error());
    if (!f.cursor.empty() && !CheckAssetNumber(f.cursor))
        return Fail(Error::Invalid("invalid_field", "cursor が正しくありません", "cursor"));
    if (auto r = CheckText(f.q, "q", "検索語", kMaxQueryChars, false); !r) return Fail(r.error());
    const auto search = store::SearchExpression(db_.backend(), f.q);
    if (!f.q.empty() && !search)
        return Fail(Error::Invalid("invalid_field", "検索語には文字か数字を含めてください", "q"));
    const bool descending = !f.sort.empty() && f.sort.front() == '-';
    const std::string sort = descending ? f.sort.substr(1) : f.sort;
    if (!sort.empty())
        if (auto r = CheckOneOf(
                sort, {"asset_number", "name", "confidentiality", "next_review_on", "updated_at"},
                "sort");
            !r)
            return Fail(r.error());
    auto catalog = CatalogInForce();
    if (!catalog) return Fail(catalog.error());
    const policy::ClassificationScheme& scheme = (*catalog)->classification();
    if (!f.zone.empty())
        if (auto r = CheckZone(**catalog, f.zone); !r) return Fail(r.error());
    for (const auto& [axis, value] :
         {std::pair<std::string_view, const std::string*>{"confidentiality", &f.confidentiality},
          {"integrity", &f.integrity},
          {"availability", &f.availability}}) {
        if (value->empty() || FindLevel(scheme, axis, *value)) continue;
        return Fail(Error::Invalid("unknown_level",
                                   fmt::format("{} の区分 {} はありません", axis, *value),
                                   std::string(axis)));
    }
    const int limit = ClampLimit(f.limit, kMaxPage);

    auto reach = ReadReach(**actor);
    if (!reach) return Fail(reach.error());
    if (reach->None()) return Fail(Forbidden());

    // The sort key as an SQL expression (with its parameters): the confidentiality rank of
    // the scheme for levels, the far future for a missing review date.
    std::string key = "a.asset_number";
    std::vector<store::Value> key_params;
    if (sort == "name") {
        key = "a.name";
    } else if (sort == "next_review_on") {
        key = "COALESCE(a.next_review_on, '9999-12-31')";
    } else if (sort == "updated_at") {
        key = "a.updated_at";
    } else if (sort == "confidentiality") {
        key = "CASE a.confidentiality";
        if (const policy::Axis* axis = scheme.FindAxis("confidentiality"))
            for (const auto& l : axis->levels) {
                key += " WHEN ? THEN CAST(? AS INTEGER)";
                key_params.emplace_back(l.key);
                key_params.emplace_back(static_cast<std::int64_t>(l.rank));
            }
        key += " ELSE 0 END";
    }
    const bool by_number = key == "a.asset_number";

    store::Where where;
    if (!f.cursor.empty()) {
        const char* op = descending ? "<" : ">";
        if (by_number) {
            where.Add(fmt::format("a.asset_number {} ?", op), {f.cursor});
        } else {
            auto last = db_.Query(
                fmt::format("SELECT {} FROM assets a WHERE a.asset_number = ?", key), [&] {
                    auto p = key_params;
                    p.emplace_back(f.cursor);
                    return p;
                }());
            if (!last) return Fail(last.error());
            if (last->rows.empty())
                return Fail(Error::Invalid("invalid_field", "cursor が正しくありません", "cursor"));
            auto p = key_params;
            p.push_back(last->rows[0].At(0));
            p.emplace_back(f.cursor);
            where.Add(fmt::format("({}, a.asset_number) {} (?, ?)", key, op), std::move(p));
        }
    }
    std::optional<std::vector<std::string>> units;  // nullopt = no unit restriction
    if (!f.unit_id.empty()) {
        if (!reach->tree.Find(f.unit_id))
            return Fail(Error::Invalid("unknown_reference", "部署が見つかりません", "unit_id"));
        units = reach->tree.Subtree(f.unit_id);
    }
    if (!reach->all) units = reach->Restrict(std::move(units));
    if (units) {
        if (units->empty()) return Page<Asset>{};
        where.AddIn("a.owner_unit_id", *units);
    }
    if (!f.system_id.empty()) where.Add("a.system_id = ?", {f.system_id});
    if (!f.zone.empty()) where.Add("s.zone = ?", {f.zone});
    if (!f.confidentiality.empty()) where.Add("a.confidentiality = ?", {f.confidentiality});
    if (!f.integrity.empty()) where.Add("a.integrity = ?", {f.integrity});
    if (!f.availability.empty()) where.Add("a.availability = ?", {f.availability});
    if (f.personal_info) where.Add("a.personal_info = ?", {*f.personal_info});
    if (f.specific_personal_info)
        where.Add("a.specific_personal_info = ?", {*f.specific_personal_info});
    if (!f.review_due_by.empty())
        where.Add("a.status = 'active' AND a.next_review_on <= ?", {f.review_due_by});
    if (!f.status.empty()) where.Add("a.status = ?", {f.status});
    const std::string join = f.zone.empty() ? "" : " JOIN systems s ON s.id = a.system_id";
    if (!f.q.empty()) {
        // Sections (chosen, or all the reader may see) are read through their own index;
        // the other filters may pass over many rows.
        const bool filtered =
            !f.system_id.empty() || !f.zone.empty() || !f.confidentiality.empty() ||
            !f.integrity.empty() || !f.availability.empty() || f.personal_info ||
            f.specific_personal_info || !f.review_due_by.empty() || !f.status.empty();
        auto any = store::AddSearch(db_, where, kAssetSearch, "a.id", *search,
                                    filtered ? "assets a" + join : std::string());
        if (!any) return Fail(any.error());
        if (!*any) return Page<Asset>{};
    }
    const char* dir = descending ? " DESC" : "";
    std::string order = by_number ? fmt::format(" ORDER BY a.asset_number{}", dir)
                                  : fmt::format(" ORDER BY {}{}, a.asset_number{}", key, dir, dir);
    std::vector<store::Value> params = where.With();
    if (!by_number) params.insert(params.end(), key_params.begin(), key_params.end());
    params.emplace_back(static_cast<std::int64_t>(limit + 1));
    auto rs =
        db_.Query(std::string(kAssetColumns) + join + where.Sql() + order + " LIMIT ?", params);
    if (!rs) return Fail(rs.error());
    Page<Asset> page;
    for (const auto& r : rs->rows) {
        if (static_cast<int>(page.items.size()) == limit) {
            page.next_cursor = page.items.back().asset_number;
            break;
        }
        page.items.push_back(AssetFrom(r));
    }
    return page;
}

Result<Asset> AssetsService::DisposeAsset(const Context& ctx, const std::string& id,
                                          const Disposal& d) {
    auto change = BeginChange(ctx);
    if (!change) return Fail(change.error());
    const Principal& actor = *change->actor;
    const std::string& now = change->now;
    const std::string today = Today();
    const std::string on = d.disposed_on.empty() ? today : d.disposed_on;
    if (auto r = CheckDate(on, "disposed_on", "廃棄日"); !r) return Fail(r.error());
    if (on > today)
        return Fail(
            Error::Invalid("invalid_field", "廃棄日に未来の日付は指定できません", "disposed_on"));
    if (auto r = CheckText(d.method, "method", "廃棄方法", kMaxShortChars, true); !r)
        return Fail(r.error());
    const std::string by = d.disposed_by.empty() ? actor.person_id : d.disposed_by;
    if (!by.empty())
        if (auto r = CheckKey(by, "disposed_by"); !r) return Fail(r.error());
    if (auto r = CheckText(d.witness, "witness", "立会人", kMaxLabelChars, false); !r)
        return Fail(r.error());
    return db_.Transact([&](store::Tx& tx) -> Result<Asset> {
        auto found = ForChange(tx, actor, FindAsset(tx, id), "情報資産が見つかりません");
        if (!found) return Fail(found.error());
        if (found->first.status == "disposed")
            return Fail(Error::Conflict("already_disposed", "この情報資産は既に廃棄されています"));
        if (!by.empty())
            if (auto r = CheckExists(tx, "people", by, "disposed_by", "廃棄者が見つかりません"); !r)
                return Fail(r.error());
        Asset a = std::move(found->first);
        a.status = "disposed";
        a.disposed_on = on;
        a.disposal_method = d.method;
        a.disposed_by = by;
        a.disposal_witness = d.witness;
        a.updated_at = now;
        auto upd = tx.Exec(
            "UPDATE assets SET status = 'disposed', disposed_on = ?, disposal_method = ?, "
            "disposed_by = ?, disposal_witness = ?, updated_at = ? WHERE id = ?",
            {on, d.method, OptionalText(by), OptionalText(d.witness), now, id});
        if (!upd) return Fail(upd.error());
        boost::json::object summary{{"asset_number", a.asset_number},
                                    {"disposed_on", on},
                                    {"method", d.method},
                                    {"disposed_by", by},
                                    {"witness", d.witness}};
        if (auto r = Audit(tx, ctx, "asset.dispose", "asset", id, std::move(summary), now); !r)
            return Fail(r.error());
        return a;
    });
}

Result<std::vector<audit::Event>> AssetsService::AssetHistory(const Context& ctx,
                                                              const std::string& id, int limit) {
    if (auto a = GetAsset(ctx, id); !a) return Fail(a.error());
    return History("asset", id, limit);
}

Result<std::vector<AppliedRule>> AssetsService::Handling(const Context& ctx,
                                                         const std::string& id) {
    auto a = GetAsset(ctx, id);
    if (!a) return Fail(a.error());
    auto catalog = CatalogInForce();
    if (!catalog) return Fail(catalog.error());
    return HandlingFor((*catalog)->classification(), a->confidentiality, a->integrity,
                       a->availability);
}

namespace {

AssetFacts FactsOf(const Asset& a, const System* system) {
    AssetFacts facts;
    facts.confidentiality = a.confidentiality;
    facts.personal_info = a.personal_info;
    facts.specific_personal_info = a.specific_personal_info;
    facts.next_review_on = a.next_review_on;
    facts.status = a.status;
    if (system) facts.system = AssetFacts::System{system->zone, system->highest_confidentiality};
    return facts;
}

/// "YYYY-MM-DD" plus `days` (may be negative), by the civil calendar.
std::string AddDays(const std::string& date, int days) {
    using namespace std::chrono;
    const year_month_day ymd{year{std::stoi(date.substr(0, 4))},
                             month{static_cast<unsigned>(std::stoi(date.substr(5, 2)))},
                             day{static_cast<unsigned>(std::stoi(date.substr(8, 2)))}};
    const year_month_day out{sys_days{ymd} + std::chrono::days{days}};
    return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(out.year()),
                       static_cast<unsigned>(out.month()), static_cast<unsigned>(out.day()));
}

/// One year after `date` (29 February → 28 February).
std::string AddOneYear(const std::string& date) {
    using namespace std::chrono;
    year_month_day ymd{year{std::stoi(date.substr(0, 4)) + 1},
                       month{static_cast<unsigned>(std::stoi(date.substr(5, 2)))},
                       day{static_cast<unsigned>(std::stoi(date.substr(8, 2)))}};
    if (!ymd.ok()) ymd = ymd.year() / ymd.month() / last;
    return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

}  // namespace

Result<std::vector<Warning>> AssetsService::Warnings(const Context& ctx, const std::string& id) {
    auto a = GetAsset(ctx, id);
    if (!a) return Fail(a.error());
    auto catalog = CatalogInForce();
    if (!catalog) return Fail(catalog.error());
    std::optional<System> system;
    if (!a->system_id.empty()) {
        auto s = FindSystem(db_, a->system_id);
        if (!s) return Fail(s.error());
        system = std::move(*s);
    }
    return CheckConsistency((*catalog)->classification(), FactsOf(*a, system ? &*system : nullptr),
                            Today());
}

Result<Page<AssetWarnings>> AssetsService::ListWarnings(const Context& ctx,
                                                        const WarningFilter& f) {
    if (!f.code.empty())
        if (auto r = CheckKey(f.code, "code"); !r) return Fail(r.error());
    auto catalog = CatalogInForce();
    if (!catalog) return Fail(catalog.error());
    const policy::ClassificationScheme& scheme = (*catalog)->classification();
    // Systems by id: a city has tens of them.
    auto systems = db_.Query(std::string(kSystemColumns));
    if (!systems) return Fail(systems.error());
    std::map<std::string, System> by_id;
    for (const auto& r : systems->rows) {
        System s = SystemFrom(r);
        by_id.emplace(s.id, std::move(s));
    }
    const std::string today = Today();
    const int limit = ClampLimit(f.limit, kMaxPage);
    AssetFilter page_filter;
    page_filter.unit_id = f.unit_id;
    page_filter.status = "active";
    page_filter.cursor = f.cursor;
    page_filter.limit = kMaxPage;
    Page<AssetWarnings> out;
    for (;;) {
        auto page = ListAssets(ctx, page_filter);
        if (!page) return Fail(page.error());
        for (auto& a : page->items) {
            auto it = a.system_id.empty() ? by_id.end() : by_id.find(a.system_id);
            auto warnings = CheckConsistency(
                scheme, FactsOf(a, it == by_id.end() ? nullptr : &it->second), today);
            if (!f.code.empty())
                std::erase_if(warnings, [&](const Warning& w) { return w.code != f.code; });
            if (warnings.empty()) continue;
            if (static_cast<int>(out.items.size()) == limit) {
                out.next_cursor = out.items.back().asset.asset_number;
                return out;
            }
            out.items.push_back({std::move(a), std::move(warnings)});
        }
        if (page->next_cursor.empty()) return out;
        page_filter.cursor = page->next_cursor;
    }
}

Result<ReviewResult> AssetsService::ReviewAssets(const Context& ctx, const Review& review) {
    auto change = BeginChange(ctx);
    if (!change) return Fail(change.error());
    if (review.asset_ids.empty())
        return Fail(
            Error::Invalid("missing_field", "棚卸しする情報資産を選んでください", "asset_ids"));
    if (review.asset_ids.size() > kMaxReviewBatch)
        return Fail(Error::Invalid(
            "invalid_field", fmt::format("一度に棚卸しできるのは {} 件までです", kMaxReviewBatch),
            "asset_ids"));
    for (const auto& id : review.asset_ids)
        if (auto r = CheckKey(id, "asset_ids"); !r) return Fail(r.error());
    const std::string today = Today();
    ReviewResult result;
    result.reviewed_on = today;
    result.next_review_on =
        review.next_review_on.empty() ? AddOneYear(today) : review.next_review_on;
    if (auto r = CheckDate(result.next_review_on, "next_review_on", "次回見直し日"); !r)
        return Fail(r.error());
    if (result.next_review_on <= today)
        return Fail(Error::Invalid("invalid_field", "次回見直し日は明日以降の日付にしてください",
                                   "next_review_on"));
    const std::string& now = change->now;
    const Principal& actor = *change->actor;
    auto written = db_.Transact([&](store::Tx& tx) -> Result<void> {
        auto tree = org::UnitTree::Load(tx);
        if (!tree) return Fail(tree.error());
        const org::Access access(roles_, std::move(*tree));
        std::set<std::string> seen;
        for (const auto& id : review.asset_ids) {
            if (!seen.insert(id).second) continue;
            auto found = FindAsset(tx, id);
            if (!found) return Fail(found.error());
            if (!*found) return Fail(Error::NotFound("情報資産が見つかりません"));
            Asset a = std::move(**found);
            if (auto r = CheckManaged(access, actor, a.owner_unit_id, false); !r)
                return Fail(r.error());
            if (a.status == "disposed")
                return Fail(Error::Conflict(
                    "disposed",
                    fmt::format("{} は廃棄済みのため棚卸しできません", a.asset_number)));
            auto upd = tx.Exec(
                "UPDATE assets SET last_reviewed_on = ?, last_reviewed_by = ?, "
                "next_review_on = ?, updated_at = ? WHERE id = ?",
                {today, OptionalText(actor.person_id), result.next_review_on, now, id});
            if (!upd) return Fail(upd.error());
            boost::json::object summary{
                {"asset_number", a.asset_number},
                {"reviewed_on", today},
                {"next_review_on",
                 {{"from", http::OrNull(a.next_review_on)}, {"to", result.next_review_on}}}};
            if (auto r = Audit(tx, ctx, "asset.review", "asset", id, std::move(summary), now); !r)
                return Fail(r.error());
            a.last_reviewed_on = today;
            a.last_reviewed_by = actor.person_id;
            a.next_review_on = result.next_review_on;
            a.updated_at = now;
            result.items.push_back(std::move(a));
        }
        return {};
    });
    if (!written) return Fail(written.error());
    return result;
}

Result<AssetStats> AssetsService::Stats(const Context& ctx, const std::string& unit_id) {
    auto actor = ActorOf(ctx);
    if (!actor) return Fail(actor.error());
    if (!unit_id.empty())
        if (auto r = CheckKey(unit_id, "unit_id"); !r) return Fail(r.error());
    auto catalog = CatalogInForce();
    if (!catalog) return Fail(catalog.error());
    auto reach = ReadReach(**actor);
    if (!reach) return Fail(reach.error());
    if (reach->None()) return Fail(Forbidden());
    std::optional<std::vector<std::string>> units;
    if (!unit_id.empty()) {
        if (!reach->tree.Find(unit_id))
            return Fail(Error::Invalid("unknown_reference", "部署が見つかりません", "unit_id"));
        units = reach->tree.Subtree(unit_id);
    }
    if (!reach->all) units = reach->Restrict(std::move(units));
    AssetStats stats;
    if (const policy::Axis* axis = (*catalog)->classification().FindAxis("confidentiality"))
        for (const auto& l : axis->levels) stats.by_confidentiality.push_back({l.key, 0});
    if (units && units->empty()) return stats;
    store::Where where;
    if (units) where.AddIn("a.owner_unit_id", *units);
    const std::string today = Today();
    const std::string soon = AddDays(today, kReviewSoonDays);
    // One pass, grouped in the database: status, level, zone and the review buckets.
    auto rs = db_.Query(
        "SELECT a.status, a.confidentiality, s.zone, "
        "SUM(a.personal_info), SUM(a.specific_personal_info), "
        "SUM(CASE WHEN a.next_review_on < ? THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN a.next_review_on >= ? AND a.next_review_on <= ? THEN 1 ELSE 0 END), "
        "COUNT(*) FROM assets a LEFT JOIN systems s ON s.id = a.system_id" +
            where.Sql() + " GROUP BY a.status, a.confidentiality, s.zone",
        [&] {
            std::vector<store::Value> p{today, today, soon};
            auto w = where.With();
            p.insert(p.end(), w.begin(), w.end());
            return p;
        }());
    if (!rs) return Fail(rs.error());
    for (const auto& r : rs->rows) {
        const int count = static_cast<int>(r.Int(7));
        if (r.Text(0) != "active") {
            stats.disposed += count;
            continue;
        }
        stats.active += count;
        stats.personal_info += static_cast<int>(r.OptInt(3).value_or(0));
        stats.specific_personal_info += static_cast<int>(r.OptInt(4).value_or(0));
        stats.review_overdue += static_cast<int>(r.OptInt(5).value_or(0));
        stats.review_due_soon += static_cast<int>(r.OptInt(6).value_or(0));
        const std::string& level = r.Text(1);
        auto it = std::find_if(stats.by_confidentiality.begin(), stats.by_confidentiality.end(),
                               [&](const auto& b) { return b.level == level; });
        if (it == stats.by_confidentiality.end())
            stats.by_confidentiality.push_back({level, count});
        else
            it->count += count;
        stats.by_zone.push_back({r.OptText(2).value_or(""), level, count});
    }
    std::sort(stats.by_zone.begin(), stats.by_zone.end(), [](const auto& x, const auto& y) {
        return std::tie(x.zone, x.confidentiality) < std::tie(y.zone, y.confidentiality);
    });
    return stats;
}

// ---------------------------------------------------------------------------------------
// Import

namespace {

/// Whether a failure is the row's own (reported by row) rather than the database's (which
/// ends the import).
bool IsRowError(const Error& e) {
    return e.kind == ErrorKind::kInvalidInput || e.kind == ErrorKind::kForbidden ||
           e.kind == ErrorKind::kConflict || e.kind == ErrorKind::kNotFound;
}

AssetUpdate UpdateFrom(const NewAsset& n) {
    AssetUpdate u;
    u.name = n.name;
    u.description = n.description;
    u.owner_unit_id = n.owner_unit_id;
    u.manager_person_id = n.manager_person_id;
    u.form = n.form;
    u.system_id = n.system_id;
    u.storage_location = n.storage_location;
    u.confidentiality = n.confidentiality;
    u.integrity = n.integrity;
    u.availability = n.availability;
    u.personal_info = n.personal_info;
    u.specific_personal_info = n.specific_personal_info;
    u.retention = n.retention;
    u.copies = n.copies;
    u.label_text = n.label_text;
    u.next_review_on = n.next_review_on;
    u.notes = n.notes;
    return u;
}

SystemUpdate UpdateFrom(const NewSystem& n) {
    SystemUpdate u;
    u.name = n.name;
    u.purpose = n.purpose;
    u.owner_unit_id = n.owner_unit_id;
    u.zone = n.zone;
    u.hosting = n.hosting;
    u.vendor = n.vendor;
    u.highest_confidentiality = n.highest_confidentiality;
    u.status = n.status;
    return u;
}

const Error kRollback{ErrorKind::kConflict, "import_rolled_back", "", {}};

/// Runs `rows` through `apply` in one transaction; `apply` returns the row's item or a row
/// error. Rolls back on any row error or for a dry run; records one `<type>.import` event
/// otherwise.
template <typename Row, typename Apply>
Result<ImportResult> RunImport(store::Database& db, const Context& ctx, std::string_view type,
                               const std::string& now, const std::vector<Row>& rows, bool dry_run,
                               Apply&& apply, store::TextBatch* text = nullptr) {
    ImportResult result;
    result.dry_run = dry_run;
    auto outcome = db.Transact([&](store::Tx& tx) -> Result<void> {
        for (const auto& row : rows) {
            auto item = apply(tx, row);
            if (!item) {
                if (!IsRowError(item.error())) return Fail(item.error());
                if (item.error().kind == ErrorKind::kForbidden)
                    result.errors.push_back(
                        {row.row, "owner_unit_id", "この所管課の台帳を変更する権限がありません"});
                else
                    result.errors.push_back({row.row, item.error().field, item.error().message});
                continue;
            }
            item->row = row.row;
            if (item->action == "create") ++result.created;
            if (item->action == "update") ++result.updated;
            if (item->action == "unchanged") ++result.unchanged;
            result.items.push_back(std::move(*item));
        }
        if (!result.errors.empty() || dry_run) return Fail(kRollback);
        if (text)
            if (auto r = text->Flush(tx); !r) return r;
        boost::json::object summary{{"rows", rows.size()},
                                    {"created", result.created},
                                    {"updated", result.updated},
                                    {"unchanged", result.unchanged}};
        return Audit(tx, ctx, fmt::format("{}.import", type), std::string(type), "",
                     std::move(summary), now);
    });
    if (!outcome && outcome.error().code != kRollback.code) return Fail(outcome.error());
    result.written = outcome.has_value();
    return result;
}

}  // namespace

Result<ImportResult> AssetsService::ImportAssets(const Context& ctx,
                                                 const std::vector<AssetImportRow>& rows,
                                                 bool dry_run) {
    auto change = BeginChange(ctx);
    if (!change) return Fail(change.error());
    // Numbers given in the file: a number generated for a row without one skips them, and
    // a number given twice is an error of the second row.
    std::set<std::string> given;
    for (const auto& r : rows)
        if (!r.asset.asset_number.empty()) given.insert(r.asset.asset_number);
    std::set<std::string> seen;
    std::optional<org::Access> access;
    int next = 0;  // 0: not yet read from the database
    store::TextBatch text(kAssetSearch);
    change->text = &text;
    return RunImport(
        db_, ctx, "asset", change->now, rows, dry_run,
        [&](store::Tx& tx, const AssetImportRow& row) -> Result<ImportResult::Item> {
            if (!access) {
                auto tree = org::UnitTree::Load(tx);
                if (!tree) return Fail(tree.error());
                access.emplace(roles_, std::move(*tree));
            }
            std::string number = row.asset.asset_number;
            if (!number.empty()) {
                if (auto r = CheckAssetNumber(number); !r) return Fail(r.error());
                if (!seen.insert(number).second)
                    return Fail(Error::Invalid(
                        "duplicate",
                        fmt::format("資産番号 {} がファイル内で重複しています", number),
                        "asset_number"));
                auto rs =
                    tx.Query(std::string(kAssetColumns) + " WHERE a.asset_number = ?", {number});
                if (!rs) return Fail(rs.error());
                if (!rs->rows.empty()) {
                    const Asset before = AssetFrom(rs->rows[0]);
                    if (auto r = CheckManaged(*access, *change->actor, before.owner_unit_id, false);
                        !r)
                        return Fail(r.error());
                    const AssetUpdate u = UpdateFrom(row.asset);
                    if (before.status == "disposed") {
                        // A disposed asset exported and imported back is simply unchanged.
                        const Asset merged = Merged(before, u);
                        if (!Changes(AssetJson(before), AssetJson(merged)).empty())
                            return Fail(
                                Error::Conflict("disposed", "廃棄済みの情報資産は変更できません"));
                        return ImportResult::Item{0, number, before.name, "unchanged"};
                    }
                    auto after = ApplyAssetUpdate(tx, ctx, *change, *access, before, u);
                    if (!after) return Fail(after.error());
                    const bool same = AssetJson(*after) == AssetJson(before);
                    return ImportResult::Item{0, number, after->name,
                                              same ? "unchanged" : "update"};
                }
            } else {
                if (next == 0) {
                    auto first = NextAssetNumber(tx);
                    if (!first) return Fail(first.error());
                    next = std::stoi(first->substr(2));
                }
                do number = fmt::format("A-{:06d}", next++);
                while (given.count(number));
            }
            auto created = InsertAsset(tx, ctx, *change, *access, row.asset, number);
            if (!created) return Fail(created.error());
            return ImportResult::Item{0, number, created->name, "create"};
        },
        &text);
}

Result<ImportResult> AssetsService::ImportSystems(const Context& ctx,
                                                  const std::vector<SystemImportRow>& rows,
                                                  bool dry_run) {
    auto change = BeginChange(ctx);
    if (!change) return Fail(change.error());
    std::set<std::string> seen;
    std::optional<org::Access> access;
    return RunImport(
        db_, ctx, "system", change->now, rows, dry_run,
        [&](store::Tx& tx, const SystemImportRow& row) -> Result<ImportResult::Item> {
            if (!access) {
                auto tree = org::UnitTree::Load(tx);
                if (!tree) return Fail(tree.error());
                access.emplace(roles_, std::move(*tree));
            }
            const NewSystem& n = row.system;
            if (!n.name.empty() && !seen.insert(n.name).second)
                return Fail(Error::Invalid(
                    "duplicate", fmt::format("システム名 {} がファイル内で重複しています", n.name),
                    "name"));
            auto rs =
                tx.Query(std::string(kSystemColumns) + " WHERE name = ? ORDER BY id", {n.name});
            if (!rs) return Fail(rs.error());
            if (rs->rows.size() > 1)
                return Fail(Error::Invalid(
                    "ambiguous",
                    fmt::format("システム名 {} の情報システムが複数登録されているため、"
                                "取り込みでは更新できません",
                                n.name),
                    "name"));
            if (rs->rows.size() == 1) {
                const System before = SystemFrom(rs->rows[0]);
                if (auto r = CheckManaged(*access, *change->actor, before.owner_unit_id, false); !r)
                    return Fail(r.error());
                auto after = ApplySystemUpdate(tx, ctx, *change, *access, before, UpdateFrom(n));
                if (!after) return Fail(after.error());
                const bool same = SystemJson(*after) == SystemJson(before);
                return ImportResult::Item{0, n.name, n.name, same ? "unchanged" : "update"};
            }
            auto created = InsertSystem(tx, ctx, *change, *access, n);
            if (!created) return Fail(created.error());
            return ImportResult::Item{0, n.name, n.name, "create"};
        });
}

Result<int> IndexAssetText(store::Database& db) {
    constexpr int kBatch = 1000;
    int filled = 0;
    for (;;) {
        auto done = db.Transact([&](store::Tx& tx) -> Result<int> {
            auto rs = tx.Query(
                "SELECT a.id, a.name, a.description FROM assets a "
                "LEFT JOIN asset_text t ON t.asset_id = a.id WHERE t.id IS NULL LIMIT ?",
                {kBatch});
            if (!rs) return Fail(rs.error());
            store::TextBatch text(kAssetSearch);
            for (const auto& r : rs->rows) {
                Asset a;
                a.name = r.Text(1);
                a.description = r.Text(2);
                if (auto u = text.Add(tx, r.Text(0), SearchText(a)); !u) return Fail(u.error());
            }
            if (auto u = text.Flush(tx); !u) return Fail(u.error());
            return static_cast<int>(rs->rows.size());
        });
        if (!done) return Fail(done.error());
        filled += *done;
        if (*done < kBatch) return filled;
    }
}

}  // namespace mamori::assets
