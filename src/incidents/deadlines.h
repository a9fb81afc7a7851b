#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "policy/incident_rules.h"

namespace mamori::incidents {

// Legal deadlines of an incident (issue 9; docs/incidents.md): the reports owed to outside
// bodies — above all the Personal Information Protection Commission's 速報 and 確報 — computed
// from the day the incident was discovered by the catalog's rules (incidents.yaml).

/// What the deadlines depend on.
struct DeadlineFacts {
    std::string discovered_on;  ///< the city's date (JST) the incident was discovered
    bool personal_information = false;
    bool malicious = false;  ///< the leak may have been made on purpose (不正の目的)
};

enum class DeadlineState { kUpcoming, kDueSoon, kDueToday, kOverdue };
std::string_view DeadlineStateName(DeadlineState s);

struct Deadline {
    std::string key;
    std::string name;
    std::string to;
    int days = 0;        ///< the period applied (days_if_malicious when malicious)
    std::string due_on;  ///< the last day (JST)
    int days_left = 0;   ///< from `today`; negative when overdue
    DeadlineState state = DeadlineState::kUpcoming;
};

/// The deadlines that apply to `facts`, in the catalog's order, as seen on `today` (JST).
/// The period starts the day after discovery (that day is not counted), so a 30-day report
/// of an incident discovered on 1 May is due by 31 May.
/// Errors: 400 invalid_field when a date is not YYYY-MM-DD.
[[nodiscard]] Result<std::vector<Deadline>> DeadlinesFor(const policy::IncidentRules& rules,
                                                         const DeadlineFacts& facts,
                                                         const std::string& today);

}  // namespace mamori::incidents
