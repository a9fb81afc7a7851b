#include "incidents/deadlines.h"

#include "core/clock.h"
#include "http/json_reader.h"

namespace mamori::incidents {

std::string_view DeadlineStateName(DeadlineState s) {
    switch (s) {
        case DeadlineState::kUpcoming:
            return "upcoming";
        case DeadlineState::kDueSoon:
            return "due_soon";
        case DeadlineState::kDueToday:
            return "due_today";
        case DeadlineState::kOverdue:
            return "overdue";
    }
    return "";
}

Result<std::vector<Deadline>> DeadlinesFor(const policy::IncidentRules& rules,
                                           const DeadlineFacts& facts, const std::string& today) {
    if (!http::IsValidDate(facts.discovered_on))
        return Fail(Error::Invalid("invalid_field", "発見日は YYYY-MM-DD で指定してください",
                                   "discovered_on"));
    if (!http::IsValidDate(today))
        return Fail(
            Error::Invalid("invalid_field", "日付は YYYY-MM-DD で指定してください", "today"));
    std::vector<Deadline> out;
    for (const auto& rule : rules.deadlines) {
        if (rule.applies == "personal_information" && !facts.personal_information) continue;
        Deadline d;
        d.key = rule.key;
        d.name = rule.name;
        d.to = rule.to;
        d.days = facts.malicious && rule.days_if_malicious ? rule.days_if_malicious : rule.days;
        d.due_on = AddDays(facts.discovered_on, d.days);
        d.days_left = DaysBetween(today, d.due_on);
        d.state = d.days_left < 0                 ? DeadlineState::kOverdue
                  : d.days_left == 0              ? DeadlineState::kDueToday
                  : d.days_left <= rule.warn_days ? DeadlineState::kDueSoon
                                                  : DeadlineState::kUpcoming;
        out.push_back(std::move(d));
    }
    return out;
}

}  // namespace mamori::incidents
