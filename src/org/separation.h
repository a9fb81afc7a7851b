#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "org/roles.h"
#include "store/database.h"

namespace mamori::org {

/// A period of days, both ends included ("YYYY-MM-DD"); no end = open-ended.
struct Period {
    std::string starts_on;
    std::optional<std::string> ends_on;
};

/// One step where an approval passed to the next role, and why.
struct EscalationStep {
    std::string role;     ///< The role that could not approve.
    std::string reason;   ///< "applicant" (the holder is the applicant), "vacant" (no holder)
                          ///< or "previous_step" (the holder approved the step just before).
    std::string message;  ///< Japanese, for the approval's history.
};

/// Who should approve an application.
struct Approver {
    std::string person_id;
    std::string username;
    std::string display_name;
    std::string role;     ///< The role under which they approve.
    std::string unit_id;  ///< The unit the role is held for (empty: whole organisation).
    bool escalated = false;
    std::vector<EscalationStep> steps;  ///< Why the approval left the starting role.
};

/// What ResolveApprover looks for.
struct ApproverQuery {
    std::string applicant_id;
    std::string starting_role;
    std::string unit_id;  ///< empty: the applicant's own unit
    std::string date;
    /// For a system role (roles.yaml `system: true`): the starting role is looked for among
    /// those appointed for this system (unit_id should then be the system's owner unit,
    /// where escalation continues).
    std::string system_id;
    /// People who may not approve besides the applicant, e.g. the approver of the step just
    /// before (nobody approves two consecutive steps); passing over them is recorded.
    std::vector<std::string> excluded;
};

/// 兼務の禁止 (対策基準 3(8)) as a service that every area calls: incompatible roles,
/// approver resolution that never lands on the applicant, auditor independence, and the
/// self-approval check. Reads only; each check has an overload taking the caller's
/// transaction, so that a check and the change it guards see the same data. Thread-safe.
/// Refusals are ErrorKind::kRuleViolation (HTTP 422).
class Separation {
  public:
    /// `db` and `catalog` must outlive the Separation.
    Separation(store::Database& db, const RoleCatalog& catalog) : db_(db), catalog_(catalog) {}

    /// Refuses ("separation_of_duties", field "role", the rule's name in the message) when the
    /// person holds, in a period overlapping `period`, the other role of a configured
    /// incompatible pair that includes `role`.
    [[nodiscard]] Result<void> CheckIncompatible(store::Tx& tx, const std::string& person_id,
                                                 const std::string& role,
                                                 const Period& period) const;
    [[nodiscard]] Result<void> CheckIncompatible(const std::string& person_id,
                                                 const std::string& role,
                                                 const Period& period) const;

    /// The person who approves an application of `applicant_id` concerning `unit_id` (empty:
    /// the applicant's own unit) on `date`. Starting with `starting_role`, the holder is looked
    /// for at the unit and then up the tree (subtree-scoped roles) or anywhere (organisation-
    /// scoped roles); among holders at the nearest level, the earliest appointed who is not
    /// the applicant approves. When the only holders are the applicant, or nobody holds the
    /// role, the approval passes to the next role of the catalog's approval_escalation (when
    /// `starting_role` is not in that list, the whole list follows it), and each step is
    /// recorded. Never returns the applicant. Only active people count.
    /// Errors: kInvalidInput "unknown_role"; kNotFound (applicant or unit); kRuleViolation
    /// "no_approver" when the escalation runs out.
    [[nodiscard]] Result<Approver> ResolveApprover(store::Tx& tx, const std::string& applicant_id,
                                                   const std::string& starting_role,
                                                   const std::string& unit_id,
                                                   const std::string& date) const;
    [[nodiscard]] Result<Approver> ResolveApprover(const std::string& applicant_id,
                                                   const std::string& starting_role,
                                                   const std::string& unit_id,
                                                   const std::string& date) const;
    /// The same with a system and further people excluded (ApproverQuery).
    [[nodiscard]] Result<Approver> ResolveApprover(store::Tx& tx, const ApproverQuery& query) const;

    /// Refuses ("auditor_not_independent") when on `date` the auditor belongs to `unit_id` or
    /// a unit below it, holds any role for such a unit, or holds a subtree-scoped role for a
    /// unit above it (and so manages it).
    [[nodiscard]] Result<void> CheckAuditorIndependence(store::Tx& tx,
                                                        const std::string& auditor_id,
                                                        const std::string& unit_id,
                                                        const std::string& date) const;
    [[nodiscard]] Result<void> CheckAuditorIndependence(const std::string& auditor_id,
                                                        const std::string& unit_id,
                                                        const std::string& date) const;

    /// Refuses ("self_approval") when the approver is the applicant.
    [[nodiscard]] static Result<void> CheckNotSelfApproval(std::string_view applicant_id,
                                                           std::string_view approver_id);

  private:
    store::Database& db_;
    const RoleCatalog& catalog_;
};

/// True when two periods share at least one day.
bool Overlaps(const Period& a, const Period& b);

}  // namespace mamori::org
