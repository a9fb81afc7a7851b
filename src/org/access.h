#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/principal.h"
#include "org/roles.h"
#include "store/database.h"

namespace mamori::org {

/// One unit as the access rules see it.
struct UnitNode {
    std::string id;
    std::string name;
    std::string kind;
    std::string parent_id;  ///< Empty for a department (top level).
    std::string status;     ///< "active" or "closed"
};

/// The unit tree (部 / 課 / 係), loaded whole: a city has hundreds of units, not millions.
/// Immutable once built; safe to share between threads.
class UnitTree {
  public:
    UnitTree() = default;
    explicit UnitTree(std::vector<UnitNode> nodes);

    /// Reads every unit, closed ones included.
    [[nodiscard]] static Result<UnitTree> Load(store::Database& db);
    [[nodiscard]] static Result<UnitTree> Load(store::Tx& tx);

    const UnitNode* Find(std::string_view id) const;
    /// True when `unit_id` is `ancestor_id` or lies below it.
    bool Contains(std::string_view ancestor_id, std::string_view unit_id) const;
    /// `root_id` and every unit below it (closed ones included), root first, depth first.
    std::vector<std::string> Subtree(std::string_view root_id) const;
    /// `unit_id`, its parent, …, up to the department; empty for an unknown unit.
    std::vector<std::string> Ancestors(std::string_view unit_id) const;
    /// Direct children of a unit ("" = the departments), ordered by name.
    std::vector<const UnitNode*> Children(std::string_view parent_id) const;
    const std::vector<UnitNode>& nodes() const { return nodes_; }

  private:
    std::vector<UnitNode> nodes_;
    std::map<std::string, std::size_t, std::less<>> index_;
    std::map<std::string, std::vector<std::size_t>, std::less<>> children_;
};

/// Where a permission reaches for one principal: everywhere, or the listed units.
struct Visibility {
    bool all = false;
    std::vector<std::string> units;  ///< Sorted, unique; meaningful when !all.
};

/// Answers "may this principal use this permission on this unit?" from the principal's
/// current grants, the role catalog and the unit tree. Deny by default:
///  - a platform administrator may use what the catalog's `platform_admin` role grants,
///    everywhere;
///  - a grant whose role has the permission and whose scope is `organisation` reaches
///    everywhere (also where no unit applies: unit_id empty);
///  - a `subtree` grant reaches its unit and every unit below it;
///  - an `own` grant (staff) reaches no unit: it covers only the person's own things,
///    which services check themselves.
/// Immutable; safe to share between threads.
class Access {
  public:
    /// `catalog` must outlive the Access.
    Access(const RoleCatalog& catalog, UnitTree tree);

    bool Can(const Principal& p, std::string_view permission, std::string_view unit_id) const;
    /// Every unit where `permission` reaches, or all = true.
    Visibility VisibleUnits(const Principal& p, std::string_view permission) const;

    /// True when the principal holds `permission` everywhere (no tree needed to decide).
    static bool CanEverywhere(const Principal& p, const RoleCatalog& catalog,
                              std::string_view permission);

    const UnitTree& tree() const { return tree_; }

  private:
    const RoleCatalog& catalog_;
    UnitTree tree_;
};

/// Builds the principal of `person_id` as of `today` ("YYYY-MM-DD", the city's date):
/// username, display name, the platform-admin flag, the current grants (appointments with
/// starts_on <= today and ends_on NULL or >= today), the implicit `staff` grant for the
/// person's own unit, a `platform_admin` grant (empty unit) when the flag is set, and the
/// sorted union of the grants' permissions. Roles unknown to the catalog grant nothing.
/// Two indexed queries; meant to run on every authenticated request.
/// Errors: kUnauthenticated "account_disabled" when the person does not exist or is not
/// active (suspended or left).
[[nodiscard]] Result<Principal> LoadPrincipal(store::Database& db, const RoleCatalog& catalog,
                                              const std::string& person_id,
                                              const std::string& today);

}  // namespace mamori::org
