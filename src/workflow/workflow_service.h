#pragma once

#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "assets/assets_service.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/principal.h"
#include "org/roles.h"
#include "org/separation.h"
#include "policy/catalog.h"
#include "store/database.h"

namespace mamori::workflow {

// Applications and approvals (issue 8; docs/workflow.md). One engine runs every request
// type of the policy catalog (requests/*.yaml): a form checked against the type, an
// approval chain resolved from appointments valid on the day with 兼務の禁止 enforced, and
// one documented state machine.

/// The states of a request. Transitions (anything else is 409 "invalid_transition"):
///   submitted --approve (not the last step)--> submitted (the next step is pending)
///   submitted --approve (the last step)--> approved
///   submitted --reject--> rejected
///   submitted --return--> returned
///   submitted, returned --withdraw--> withdrawn
///   returned --resubmit--> submitted (a new round: the chain starts again)
///   approved --(its validity period ends)--> expired
/// approve, reject and return are the pending step's approver's; withdraw and resubmit the
/// applicant's. rejected, withdrawn and expired are final.
enum class Action { kApprove, kReject, kReturn, kWithdraw, kResubmit, kExpire };

std::string_view ActionName(Action a);
/// The state after `action` from `state`, or nullopt when the transition is not allowed.
/// `last_step`: whether the pending step is the chain's last (approve only).
std::optional<std::string> NextState(std::string_view state, Action action, bool last_step);
/// Every state, in lifecycle order.
const std::vector<std::string>& States();

/// One step of a request's approval chain in its current round.
struct Step {
    int seq = 0;
    std::string role;       ///< the role the chain asks for
    std::string system_id;  ///< for a system role
    std::string label;
    std::string
        state;  ///< waiting | pending | approved | rejected | returned | cancelled | skipped
    std::string approver_id;    ///< set once pending
    std::string approver_name;  ///< display name
    std::string approver_role;  ///< after any escalation
    std::vector<org::EscalationStep> escalation;
    std::string decided_by;
    std::string decided_at;
    std::string comment;
};

struct Request {
    std::string id;
    std::string number;  ///< 申請番号, e.g. EXC-2026-0007
    std::string type;
    std::string type_name;
    std::string catalog_version;
    std::string title;
    std::string applicant_id;
    std::string applicant_name;
    std::string unit_id;
    std::string unit_name;
    std::string state;
    boost::json::object form;
    int round = 1;
    int step = 0;  ///< the pending step (state submitted)
    std::string valid_from;
    std::string valid_until;
    std::string submitted_at;
    std::string decided_at;
    std::string created_at;
    std::string updated_at;
    std::vector<Step> steps;  ///< the current round's chain (Get, actions; not in lists)
    /// While submitted: the pending step's label and its approver's name (also in lists).
    std::string waiting_step;
    std::string waiting_for;
    /// Get only: what each id of the form stands for (asset, system, unit, person, file or
    /// 対策基準 item), as people read it.
    boost::json::object names;
};

struct NewRequest {
    std::string type;
    std::string title;
    boost::json::object form;
};

struct RequestFilter {
    std::string type;
    std::string state;
    std::string q;       ///< part of the number or the title
    bool mine = false;   ///< only the caller's own requests
    std::string cursor;  ///< the last number of the previous page
    int limit = 50;
};

template <typename T>
struct Page {
    std::vector<T> items;
    std::string next_cursor;
};

/// What awaits the caller: steps to approve, and their own open requests.
struct Inbox {
    std::vector<Request> to_approve;
    std::vector<Request> mine;  ///< submitted or returned
    /// The caller's approvals whose validity ends within their type's expiring_soon_days.
    std::vector<Request> expiring;
};

/// An approved, time-boxed grant of a privileged ID (a request of a type with
/// `privileged_access`, 8-2(6)).
struct PrivilegedGrant {
    std::string request_id;
    std::string number;
    std::string system_id;
    std::string account;
    std::string valid_from, valid_until;  ///< the city's dates, both included
    std::string ends_at;                  ///< RFC 3339 (UTC): the end of valid_until in Japan
};

/// The next number of `prefix` in `year` (EXC-2026-0007, INC-2026-0001): one counter row
/// per prefix and year, incremented in the caller's transaction, so numbers are never
/// duplicated nor reused.
[[nodiscard]] Result<std::string> NextNumber(store::Tx& tx, const std::string& prefix, int year);

class WorkflowService {
  public:
    /// Everything must outlive the service.
    WorkflowService(store::Database& db, const Clock& clock, const org::RoleCatalog& roles,
                    assets::CatalogSource catalog);

    /// The request types of the catalog in force.
    [[nodiscard]] Result<std::shared_ptr<const policy::Catalog>> CatalogInForce();

    /// Submits a request (any signed-in person): checks the form against the type, numbers
    /// it, resolves the chain and makes the first step pending.
    [[nodiscard]] Result<Request> Submit(const Context& ctx, const NewRequest& n);
    [[nodiscard]] Result<Request> Get(const Context& ctx, const std::string& id);
    /// Requests the caller may read (their own, those they approve, and those of units where
    /// they hold requests.read), newest number first.
    [[nodiscard]] Result<Page<Request>> List(const Context& ctx, const RequestFilter& f);
    /// approve, reject, return (with a comment; reject and return require one) and withdraw.
    [[nodiscard]] Result<Request> Act(const Context& ctx, const std::string& id, Action action,
                                      const std::string& comment);
    /// A returned request, changed and sent again: a new round of the chain.
    [[nodiscard]] Result<Request> Resubmit(const Context& ctx, const std::string& id,
                                           const NewRequest& changed, const std::string& comment);
    [[nodiscard]] Result<Inbox> InboxOf(const Context& ctx);
    /// Every request of `type` in one of `states`, newest first, without a permission check:
    /// for callers that check their own (the exceptions ledger).
    [[nodiscard]] Result<std::vector<Request>> AllOfType(const std::string& type,
                                                         const std::vector<std::string>& states);
    /// Approved requests whose validity ended before today become expired (one audit event
    /// each); returns how many. Run daily and at start.
    [[nodiscard]] Result<int> ExpireDue();
    /// `person_id`'s grant of `account` on `system_id` in force now (approved, today within
    /// its period), the one lasting longest when several are; nullopt when there is none.
    [[nodiscard]] Result<std::optional<PrivilegedGrant>> ActiveGrant(const std::string& person_id,
                                                                     const std::string& system_id,
                                                                     const std::string& account);
    /// What each id of `q`'s form stands for (Request::names), without a permission check:
    /// for callers that check their own (the exceptions ledger).
    [[nodiscard]] Result<boost::json::object> NamesOf(const Request& q);
    /// The request's audit events, newest first.
    [[nodiscard]] Result<std::vector<audit::Event>> History(const Context& ctx,
                                                            const std::string& id, int limit);

    store::Database& database() { return db_; }

  private:
    struct Loaded;
    std::string Now() const;
    std::string Today() const;

    store::Database& db_;
    const Clock& clock_;
    const org::RoleCatalog& roles_;
    assets::CatalogSource catalog_;
    org::Separation separation_;
};

}  // namespace mamori::workflow
