#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace mamori::org {

/// How far a role held for a unit reaches.
enum class RoleScope {
    kSubtree,       ///< the unit it is held for and every unit below it
    kOrganisation,  ///< everything, wherever it is held
    kOwn,           ///< only the person's own things
};

struct Role {
    std::string key;
    std::string name;         ///< Japanese, as the policy names it
    std::string description;  ///< Japanese
    RoleScope scope = RoleScope::kSubtree;
    std::vector<std::string> permissions;
    /// May be appointed for one information system (`system: true` in roles.yaml), e.g.
    /// 情報システム管理者; the appointment's unit is then the system's owner unit.
    bool for_system = false;
};

/// Two roles one person must not hold at the same time (兼務の禁止), with the rule's name.
struct IncompatibleRoles {
    std::string name;
    std::string first;
    std::string second;
};

/// The roles of 対策基準 3 as data: names, descriptions, scope and default permissions,
/// incompatible pairs, and the escalation order for approvals. Immutable once built;
/// safe to share between threads.
class RoleCatalog {
  public:
    /// Parses a roles.yaml (format in docs/permissions.md). Every problem is reported.
    [[nodiscard]] static Result<RoleCatalog> Parse(std::string_view yaml);
    /// The catalog shipped with the binary (policies/hirakawa/roles.yaml).
    static const RoleCatalog& Builtin();

    const Role* Find(std::string_view key) const;
    const std::vector<Role>& roles() const { return roles_; }
    const std::vector<IncompatibleRoles>& incompatible() const { return incompatible_; }
    /// Roles in the order an approval climbs when the usual approver may not act.
    const std::vector<std::string>& escalation() const { return escalation_; }
    /// Every permission any role grants, sorted.
    std::vector<std::string> AllPermissions() const;

  private:
    std::vector<Role> roles_;
    std::vector<IncompatibleRoles> incompatible_;
    std::vector<std::string> escalation_;
};

}  // namespace mamori::org
