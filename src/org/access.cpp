#include "org/access.h"

#include <algorithm>
#include <set>

namespace mamori::org {

namespace {

constexpr std::string_view kUnitColumns = "SELECT id, name, kind, parent_id, status FROM units";

std::vector<UnitNode> NodesFrom(const store::ResultSet& rs) {
    std::vector<UnitNode> nodes;
    nodes.reserve(rs.rows.size());
    for (const auto& r : rs.rows)
        nodes.push_back({r.Text(0), r.Text(1), r.Text(2), r.OptText(3).value_or(""), r.Text(4)});
    return nodes;
}

bool RoleHas(const Role& role, std::string_view permission) {
    return std::find(role.permissions.begin(), role.permissions.end(), permission) !=
           role.permissions.end();
}

}  // namespace

UnitTree::UnitTree(std::vector<UnitNode> nodes) : nodes_(std::move(nodes)) {
    std::sort(nodes_.begin(), nodes_.end(), [](const UnitNode& a, const UnitNode& b) {
        return a.name != b.name ? a.name < b.name : a.id < b.id;
    });
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        index_.emplace(nodes_[i].id, i);
        children_[nodes_[i].parent_id].push_back(i);
    }
}

Result<UnitTree> UnitTree::Load(store::Database& db) {
    auto rs = db.Query(kUnitColumns);
    if (!rs) return Fail(rs.error());
    return UnitTree(NodesFrom(*rs));
}

Result<UnitTree> UnitTree::Load(store::Tx& tx) {
    auto rs = tx.Query(kUnitColumns);
    if (!rs) return Fail(rs.error());
    return UnitTree(NodesFrom(*rs));
}

const UnitNode* UnitTree::Find(std::string_view id) const {
    auto it = index_.find(id);
    return it == index_.end() ? nullptr : &nodes_[it->second];
}

bool UnitTree::Contains(std::string_view ancestor_id, std::string_view unit_id) const {
    if (ancestor_id.empty()) return false;
    // The depth is bounded by the number of units, which also stops a corrupt cycle.
    const UnitNode* n = Find(unit_id);
    for (std::size_t steps = 0; n && steps <= nodes_.size(); ++steps) {
        if (n->id == ancestor_id) return true;
        if (n->parent_id.empty()) return false;
        n = Find(n->parent_id);
    }
    return false;
}

std::vector<std::string> UnitTree::Subtree(std::string_view root_id) const {
    std::vector<std::string> out;
    if (!Find(root_id)) return out;
    std::set<std::string, std::less<>> seen;
    std::vector<std::string> stack{std::string(root_id)};
    while (!stack.empty()) {
        std::string id = std::move(stack.back());
        stack.pop_back();
        if (!seen.insert(id).second) continue;
        out.push_back(id);
        auto it = children_.find(id);
        if (it == children_.end()) continue;
        for (auto c = it->second.rbegin(); c != it->second.rend(); ++c)
            stack.push_back(nodes_[*c].id);
    }
    return out;
}

std::vector<std::string> UnitTree::Ancestors(std::string_view unit_id) const {
    std::vector<std::string> out;
    const UnitNode* n = Find(unit_id);
    while (n && out.size() <= nodes_.size()) {
        out.push_back(n->id);
        if (n->parent_id.empty()) break;
        n = Find(n->parent_id);
    }
    return out;
}

std::vector<const UnitNode*> UnitTree::Children(std::string_view parent_id) const {
    std::vector<const UnitNode*> out;
    auto it = children_.find(parent_id);
    if (it == children_.end()) return out;
    for (std::size_t i : it->second) out.push_back(&nodes_[i]);
    return out;
}

Access::Access(const RoleCatalog& catalog, UnitTree tree)
    : catalog_(catalog), tree_(std::move(tree)) {}

bool Access::CanEverywhere(const Principal& p, const RoleCatalog& catalog,
                           std::string_view permission) {
    if (p.platform_admin) {
        const Role* admin = catalog.Find("platform_admin");
        if (admin && RoleHas(*admin, permission)) return true;
    }
    for (const auto& g : p.grants) {
        const Role* role = catalog.Find(g.role);
        if (role && role->scope == RoleScope::kOrganisation && RoleHas(*role, permission) &&
            (g.role != "platform_admin" || p.platform_admin))
            return true;
    }
    return false;
}

bool Access::Can(const Principal& p, std::string_view permission, std::string_view unit_id) const {
    if (CanEverywhere(p, catalog_, permission)) return true;
    if (unit_id.empty()) return false;
    for (const auto& g : p.grants) {
        const Role* role = catalog_.Find(g.role);
        if (!role || role->scope != RoleScope::kSubtree || !RoleHas(*role, permission)) continue;
        if (tree_.Contains(g.unit_id, unit_id)) return true;
    }
    return false;
}

Visibility Access::VisibleUnits(const Principal& p, std::string_view permission) const {
    Visibility v;
    if (CanEverywhere(p, catalog_, permission)) {
        v.all = true;
        return v;
    }
    std::set<std::string> units;
    for (const auto& g : p.grants) {
        const Role* role = catalog_.Find(g.role);
        if (!role || role->scope != RoleScope::kSubtree || !RoleHas(*role, permission)) continue;
        for (auto& id : tree_.Subtree(g.unit_id)) units.insert(std::move(id));
    }
    v.units.assign(units.begin(), units.end());
    return v;
}

Result<Principal> LoadPrincipal(store::Database& db, const RoleCatalog& catalog,
                                const std::string& person_id, const std::string& today) {
    auto person = db.Query(
        "SELECT username, display_name, is_platform_admin, status, unit_id FROM people "
        "WHERE id = ?",
        {person_id});
    if (!person) return Fail(person.error());
    if (person->rows.empty() || person->rows[0].Text(3) != "active")
        return Fail(Error{
            ErrorKind::kUnauthenticated, "account_disabled", "このアカウントは利用できません", {}});
    const auto& row = person->rows[0];
    Principal p;
    p.person_id = person_id;
    p.username = row.Text(0);
    p.display_name = row.Text(1);
    p.platform_admin = row.Bool(2);
    const std::string own_unit = row.OptText(4).value_or("");

    auto appointments = db.Query(
        "SELECT role, unit_id FROM appointments WHERE person_id = ? AND starts_on <= ? "
        "AND (ends_on IS NULL OR ends_on >= ?) ORDER BY starts_on, id",
        {person_id, today, today});
    if (!appointments) return Fail(appointments.error());

    if (p.platform_admin) p.grants.push_back({"platform_admin", ""});
    p.grants.push_back({"staff", own_unit});
    for (const auto& r : appointments->rows) {
        const std::string& role = r.Text(0);
        // The platform_admin role comes only from the person's flag, never an appointment.
        if (role == "platform_admin" || !catalog.Find(role)) continue;
        Grant g{role, r.OptText(1).value_or("")};
        bool dup = false;
        for (const auto& have : p.grants) dup |= have.role == g.role && have.unit_id == g.unit_id;
        if (!dup) p.grants.push_back(std::move(g));
    }
    std::set<std::string> perms;
    for (const auto& g : p.grants)
        if (const Role* role = catalog.Find(g.role))
            perms.insert(role->permissions.begin(), role->permissions.end());
    p.permissions.assign(perms.begin(), perms.end());
    return p;
}

}  // namespace mamori::org
