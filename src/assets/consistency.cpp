#include "assets/consistency.h"

#include <charconv>
#include <chrono>
#include <map>
#include <optional>
#include <string_view>

#include "assets/handling.h"

namespace mamori::assets {

namespace {

/// What a check found: the values of its message's placeholders.
using Values = std::map<std::string, std::string>;

/// One kind's test: the values of a warning, or nothing when the asset passes.
using Rule = std::optional<Values> (*)(const ConsistencyCheck&, const policy::ClassificationScheme&,
                                       const AssetFacts&, const std::string& today);

int RankOf(const policy::ClassificationScheme& scheme, const std::string& key) {
    const policy::Level* l = FindLevel(scheme, "confidentiality", key);
    return l ? l->rank : 0;
}

std::string Param(const ConsistencyCheck& check, const std::string& name) {
    auto it = check.params.find(name);
    return it == check.params.end() ? std::string() : it->second;
}

/// "YYYY-MM-DD" as a day; nothing when it is not a valid date.
std::optional<std::chrono::sys_days> Day(const std::string& iso) {
    if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return std::nullopt;
    try {
        const std::chrono::year_month_day d{std::chrono::year(std::stoi(iso.substr(0, 4))),
                                            std::chrono::month(std::stoi(iso.substr(5, 2))),
                                            std::chrono::day(std::stoi(iso.substr(8, 2)))};
        if (!d.ok()) return std::nullopt;
        return std::chrono::sys_days(d);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::optional<Values> SpecificPersonalInfoOutsideZone(const ConsistencyCheck& check,
                                                      const policy::ClassificationScheme&,
                                                      const AssetFacts& a, const std::string&) {
    const std::string zone = Param(check, "zone");
    if (!a.specific_personal_info || !a.system || a.system->zone == zone) return std::nullopt;
    return Values{{"zone", zone}, {"system_zone", a.system->zone}};
}

std::optional<Values> PersonalInfoAtOrBelow(const ConsistencyCheck& check,
                                            const policy::ClassificationScheme& scheme,
                                            const AssetFacts& a, const std::string&) {
    const std::string max_level = Param(check, "max_level");
    const int rank = RankOf(scheme, a.confidentiality);
    const int max_rank = RankOf(scheme, max_level);
    if (!a.personal_info || rank == 0 || max_rank == 0 || rank > max_rank) return std::nullopt;
    return Values{{"level", a.confidentiality}, {"max_level", max_level}};
}

std::optional<Values> AboveSystemHighest(const ConsistencyCheck&,
                                         const policy::ClassificationScheme& scheme,
                                         const AssetFacts& a, const std::string&) {
    if (!a.system) return std::nullopt;
    const int rank = RankOf(scheme, a.confidentiality);
    const int highest = RankOf(scheme, a.system->highest_confidentiality);
    if (rank == 0 || highest == 0 || rank <= highest) return std::nullopt;
    return Values{{"level", a.confidentiality},
                  {"system_level", a.system->highest_confidentiality}};
}

std::optional<Values> ReviewOverdue(const ConsistencyCheck& check,
                                    const policy::ClassificationScheme&, const AssetFacts& a,
                                    const std::string& today) {
    const auto due = Day(a.next_review_on);
    const auto now = Day(today);
    if (!due || !now) return std::nullopt;
    const std::string grace_text = Param(check, "grace_days");
    long grace = 0;  // absent or unreadable (the catalog checker refuses that): no grace
    std::from_chars(grace_text.data(), grace_text.data() + grace_text.size(), grace);
    const long overdue = (*now - *due).count();
    if (overdue <= grace) return std::nullopt;
    return Values{{"due", a.next_review_on},
                  {"days_overdue", std::to_string(overdue)},
                  {"grace_days", std::to_string(grace)}};
}

/// The implementation of each kind of policy::ConsistencyCheckKinds().
const std::map<std::string, Rule, std::less<>>& Rules() {
    static const std::map<std::string, Rule, std::less<>> kRules = {
        {"specific_personal_info_outside_zone", &SpecificPersonalInfoOutsideZone},
        {"personal_info_at_or_below", &PersonalInfoAtOrBelow},
        {"above_system_highest", &AboveSystemHighest},
        {"review_overdue", &ReviewOverdue},
    };
    return kRules;
}

/// The message with each `{name}` replaced by its value; a name without a value stays as
/// written (the catalog checker refuses those).
std::string Fill(const std::string& message, const Values& values) {
    std::string out;
    std::size_t at = 0;
    while (at < message.size()) {
        const auto open = message.find('{', at);
        const auto close = open == std::string::npos ? open : message.find('}', open);
        if (close == std::string::npos) break;
        out.append(message, at, open - at);
        auto it = values.find(message.substr(open + 1, close - open - 1));
        if (it != values.end())
            out += it->second;
        else
            out.append(message, open, close - open + 1);
        at = close + 1;
    }
    out.append(message, std::min(at, message.size()));
    return out;
}

}  // namespace

const std::vector<ConsistencyCheck>& ConsistencyChecks(const policy::ClassificationScheme& scheme) {
    return scheme.consistency_checks;
}

std::vector<std::string> ImplementedCheckKinds() {
    std::vector<std::string> out;
    for (const auto& [kind, rule] : Rules()) out.push_back(kind);
    return out;
}

std::vector<Warning> CheckConsistency(const policy::ClassificationScheme& scheme,
                                      const AssetFacts& asset, const std::string& today) {
    std::vector<Warning> out;
    if (asset.status == "disposed") return out;
    for (const auto& check : scheme.consistency_checks) {
        auto rule = Rules().find(check.kind);
        if (rule == Rules().end()) continue;
        if (auto values = rule->second(check, scheme, asset, today))
            out.push_back({check.code, Fill(check.message, *values), check.ref});
    }
    return out;
}

}  // namespace mamori::assets
