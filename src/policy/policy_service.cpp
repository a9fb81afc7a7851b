#include "policy/policy_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>

#include "audit/audit.h"
#include "core/crypto.h"
#include "org/access.h"
#include "org/org_service.h"

namespace mamori::policy {

namespace {

namespace json = boost::json;

constexpr std::string_view kManage = "policy.manage";
constexpr std::string_view kAckRead = "policy.acknowledgements.read";
constexpr auto kVersionsMaxAge = std::chrono::seconds(5);

constexpr std::string_view kVersionColumns =
    "SELECT id, version, city, title, effective_date, content_sha256, loaded_at, loaded_by "
    "FROM policy_versions";

Error Forbidden() {
    return Error{ErrorKind::kForbidden, "forbidden", "この操作をする権限がありません", {}};
}

Error NoPolicy() {
    return Error::NotFound("ポリシーが読み込まれていません (mamori policy load で読み込みます)");
}

VersionInfo FromRow(const store::Row& r) {
    return {r.Text(0), r.Text(1), r.Text(2), r.Text(3),
            r.Text(4), r.Text(5), r.Text(6), r.OptText(7).value_or(""),
            false};
}

// The files as one JSON object, keys in path order: what is stored and what is hashed.
std::string FilesJson(const CatalogFiles& files) {
    json::object o;
    for (const auto& [path, text] : files) o[path] = text;
    return json::serialize(o);
}

Result<CatalogFiles> FilesFromJson(const std::string& text) {
    std::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object())
        return Fail(Error::Internal("policy_versions.files is not an object"));
    CatalogFiles files;
    for (const auto& [k, val] : v.as_object()) {
        if (!val.is_string()) return Fail(Error::Internal("policy_versions.files has a non-text"));
        files.emplace(std::string(k), std::string(val.as_string()));
    }
    return files;
}

// Marks the version in force (see PolicyService::InForce) and orders newest first.
void MarkInForce(std::vector<VersionInfo>& versions, const std::string& today) {
    std::sort(versions.begin(), versions.end(), [](const VersionInfo& a, const VersionInfo& b) {
        return std::tie(a.effective_date, a.loaded_at) > std::tie(b.effective_date, b.loaded_at);
    });
    for (auto& v : versions) v.in_force = false;
    for (auto& v : versions)
        if (v.effective_date <= today) {
            v.in_force = true;
            return;
        }
}

bool Has(const Principal& p, std::string_view permission) { return p.Has(std::string(permission)); }

}  // namespace

PolicyService::PolicyService(store::Database& db, const Clock& clock, const org::RoleCatalog& roles)
    : db_(db), clock_(clock), roles_(roles), versions_(db, kVersionsMaxAge, 4) {}

std::string PolicyService::Today() const { return org::TodayJst(clock_.Now()); }

Result<VersionInfo> PolicyService::Load(const Context& ctx, const CatalogFiles& files) {
    if (ctx.actor && !Has(*ctx.actor, kManage)) return Fail(Forbidden());
    auto catalog = Catalog::Parse(files);
    if (!catalog) return Fail(catalog.error());
    const std::string stored = FilesJson(files);
    const std::string sha = crypto::Sha256Hex(stored);
    const PolicyInfo& p = catalog->policy();
    const std::string now = FormatRfc3339(clock_.Now());
    VersionInfo info{crypto::Hex(crypto::RandomBytes(16)),
                     p.version,
                     p.city,
                     p.title,
                     p.effective_date,
                     sha,
                     now,
                     ctx.actor ? ctx.actor->person_id : "",
                     false};
    int requirements = 0;
    for (const auto& c : catalog->controls()) requirements += c.leaf();
    auto r = db_.Transact([&](store::Tx& tx) -> Result<void> {
        auto same = tx.Query("SELECT version FROM policy_versions WHERE content_sha256 = ?", {sha});
        if (!same) return Fail(same.error());
        if (!same->rows.empty())
            return Fail(Error::Conflict(
                "already_loaded", fmt::format("同じ内容のポリシーが版 {} として読み込み済みです",
                                              same->rows[0].Text(0))));
        auto named = tx.Query("SELECT id FROM policy_versions WHERE version = ?", {p.version});
        if (!named) return Fail(named.error());
        if (!named->rows.empty())
            return Fail(Error::Conflict(
                "version_exists",
                fmt::format("版 {} は別の内容で読み込み済みです。policy.yaml の version を変えてく"
                            "ださい",
                            p.version)));
        auto ins = tx.Query(
            "INSERT INTO policy_versions (id, version, city, title, effective_date, "
            "content_sha256, files, loaded_at, loaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {info.id, info.version, info.city, info.title, info.effective_date, sha, stored, now,
             info.loaded_by.empty() ? store::Value() : store::Value(info.loaded_by)});
        if (!ins) return Fail(ins.error());
        auto a = audit::Record(tx, ctx,
                               {.action = "policy.load",
                                .object_type = "policy_version",
                                .object_id = info.id,
                                .summary = {{"version", info.version},
                                            {"city", info.city},
                                            {"effective_date", info.effective_date},
                                            {"content_sha256", sha},
                                            {"requirements", requirements}}},
                               now);
        if (!a) return Fail(a.error());
        return {};
    });
    if (!r) return Fail(r.error());
    {
        std::lock_guard lock(mu_);
        catalogs_[info.id] = std::make_shared<const Catalog>(std::move(*catalog));
    }
    auto all = Versions();
    if (all)
        for (const auto& v : *all)
            if (v.id == info.id) info.in_force = v.in_force;
    return info;
}

Result<std::vector<VersionInfo>> PolicyService::Versions() {
    if (auto hit = versions_.Get("all")) {
        auto copy = *hit;
        MarkInForce(copy, Today());  // the date may have moved on since it was read
        return copy;
    }
    const auto generation = versions_.Generation();
    auto rs = db_.Query(kVersionColumns);
    if (!rs) return Fail(rs.error());
    std::vector<VersionInfo> out;
    for (const auto& row : rs->rows) out.push_back(FromRow(row));
    versions_.Put("all", out, generation);
    MarkInForce(out, Today());
    return out;
}

Result<std::shared_ptr<const Catalog>> PolicyService::CatalogOf(const std::string& id) {
    {
        std::lock_guard lock(mu_);
        if (auto it = catalogs_.find(id); it != catalogs_.end()) return it->second;
    }
    auto rs = db_.Query("SELECT files FROM policy_versions WHERE id = ?", {id});
    if (!rs) return Fail(rs.error());
    if (rs->rows.empty()) return Fail(Error::NotFound("その版のポリシーはありません"));
    auto files = FilesFromJson(rs->rows[0].Text(0));
    if (!files) return Fail(files.error());
    auto catalog = Catalog::Parse(*files);
    if (!catalog)  // stored only after passing the same check; a newer binary may be stricter
        return Fail(Error::Internal("stored policy version " + id +
                                    " no longer passes the check: " + catalog.error().message));
    auto shared = std::make_shared<const Catalog>(std::move(*catalog));
    std::lock_guard lock(mu_);
    return catalogs_.emplace(id, std::move(shared)).first->second;
}

Result<LoadedVersion> PolicyService::InForce() {
    auto all = Versions();
    if (!all) return Fail(all.error());
    if (all->empty()) return Fail(NoPolicy());
    const VersionInfo* chosen = &all->back();  // none in force yet: the earliest
    for (const auto& v : *all)
        if (v.in_force) chosen = &v;
    auto catalog = CatalogOf(chosen->id);
    if (!catalog) return Fail(catalog.error());
    return LoadedVersion{*chosen, *catalog};
}

Result<LoadedVersion> PolicyService::Get(const std::string& id_or_version) {
    auto all = Versions();
    if (!all) return Fail(all.error());
    for (const auto& v : *all)
        if (v.id == id_or_version || v.version == id_or_version) {
            auto catalog = CatalogOf(v.id);
            if (!catalog) return Fail(catalog.error());
            return LoadedVersion{v, *catalog};
        }
    return Fail(Error::NotFound("その版のポリシーはありません"));
}

Result<MyAcknowledgement> PolicyService::Mine(const Context& ctx) {
    if (!ctx.actor) return Fail(Forbidden());
    auto current = InForce();
    if (!current) return Fail(current.error());
    auto rs = db_.Query(
        "SELECT acknowledged_at FROM policy_acknowledgements WHERE person_id = ? AND "
        "version_id = ?",
        {ctx.actor->person_id, current->info.id});
    if (!rs) return Fail(rs.error());
    return MyAcknowledgement{current->info, rs->rows.empty() ? "" : rs->rows[0].Text(0)};
}

Result<MyAcknowledgement> PolicyService::Acknowledge(const Context& ctx) {
    if (!ctx.actor) return Fail(Forbidden());
    auto current = InForce();
    if (!current) return Fail(current.error());
    if (!current->info.in_force)
        return Fail(Error::Conflict("not_in_force", "施行されているポリシーがまだありません"));
    const std::string now = FormatRfc3339(clock_.Now());
    auto r = db_.Transact([&](store::Tx& tx) -> Result<std::string> {
        auto existing = tx.Query(
            "SELECT acknowledged_at FROM policy_acknowledgements WHERE person_id = ? AND "
            "version_id = ?",
            {ctx.actor->person_id, current->info.id});
        if (!existing) return Fail(existing.error());
        if (!existing->rows.empty()) return existing->rows[0].Text(0);
        auto ins = tx.Query(
            "INSERT INTO policy_acknowledgements (person_id, version_id, acknowledged_at) "
            "VALUES (?, ?, ?)",
            {ctx.actor->person_id, current->info.id, now});
        if (!ins) return Fail(ins.error());
        auto a = audit::Record(tx, ctx,
                               {.action = "policy.acknowledge",
                                .object_type = "policy_version",
                                .object_id = current->info.id,
                                .summary = {{"version", current->info.version}}},
                               now);
        if (!a) return Fail(a.error());
        return now;
    });
    if (!r) return Fail(r.error());
    return MyAcknowledgement{current->info, *r};
}

Result<std::vector<UnitAcknowledgements>> PolicyService::ByUnit(const Context& ctx) {
    if (!ctx.actor || !Has(*ctx.actor, kAckRead)) return Fail(Forbidden());
    auto current = InForce();
    if (!current) return Fail(current.error());
    auto tree = org::UnitTree::Load(db_);
    if (!tree) return Fail(tree.error());
    const org::Access access(roles_, *tree);
    const org::Visibility visible = access.VisibleUnits(*ctx.actor, kAckRead);
    if (!visible.all && visible.units.empty()) return Fail(Forbidden());
    auto rs = db_.Query(
        "SELECT p.id, p.username, p.display_name, p.unit_id, a.acknowledged_at FROM people p "
        "LEFT JOIN policy_acknowledgements a ON a.person_id = p.id AND a.version_id = ? "
        "WHERE p.status = 'active' AND p.unit_id IS NOT NULL ORDER BY p.username",
        {current->info.id});
    if (!rs) return Fail(rs.error());
    std::map<std::string, UnitAcknowledgements> by_unit;
    for (const auto& row : rs->rows) {
        const std::string unit = row.Text(3);
        if (!visible.all && !std::binary_search(visible.units.begin(), visible.units.end(), unit))
            continue;
        auto& u = by_unit[unit];
        u.unit_id = unit;
        ++u.people;
        if (row.OptText(4)) {
            ++u.acknowledged;
        } else {
            u.pending.push_back({row.Text(0), row.Text(1), row.Text(2)});
        }
    }
    std::vector<UnitAcknowledgements> out;
    // In the order of the unit tree, so departments come with their sections.
    for (const auto& node : tree->nodes()) {
        auto it = by_unit.find(node.id);
        if (it == by_unit.end()) continue;
        it->second.unit_name = node.name;
        const auto ancestors = tree->Ancestors(node.id);  // the unit first, up to its 部
        it->second.depth = static_cast<int>(ancestors.size()) - 1;
        for (auto a = ancestors.rbegin(); a != ancestors.rend(); ++a) {
            if (!it->second.unit_path.empty()) it->second.unit_path += " / ";
            it->second.unit_path += tree->Find(*a)->name;
        }
        out.push_back(std::move(it->second));
    }
    return out;
}

}  // namespace mamori::policy
