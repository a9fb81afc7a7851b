// Legal deadlines from the catalog's rules: the Hirakawa 速報 and 確報, counted from the day
// after discovery, across month and year ends, longer when malicious, and their states.
#include "incidents/deadlines.h"

#include <gtest/gtest.h>

#include "policy/catalog.h"

namespace mamori::incidents {
namespace {

const policy::IncidentRules& Hirakawa() {
    static const auto catalog = [] {
        std::vector<policy::Problem> problems;
        auto c = policy::Catalog::Parse(policy::BuiltinCatalogFiles(), &problems);
        EXPECT_TRUE(c) << policy::FormatProblems(problems);
        return std::move(*c);
    }();
    return catalog.incident_rules();
}

TEST(DeadlinesTest, HirakawaOwesThePromptAndTheFullReportWhenPersonalInformationIsInvolved) {
    const auto& rules = Hirakawa();
    ASSERT_TRUE(rules.defined);
    EXPECT_EQ(rules.SeverityRank(rules.escalate_from), 2);  // 高, of 低 中 高 重大
    EXPECT_EQ(rules.categories.size(), 8u);

    auto none = DeadlinesFor(rules, {"2026-05-01", false, false}, "2026-05-01");
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());  // no personal information: nothing is owed to the PPC

    auto d = DeadlinesFor(rules, {"2026-05-01", true, false}, "2026-05-01");
    ASSERT_TRUE(d) << d.error().message;
    ASSERT_EQ(d->size(), 2u);
    EXPECT_EQ((*d)[0].key, "ppc_prompt");
    EXPECT_EQ((*d)[0].due_on, "2026-05-06");
    EXPECT_EQ((*d)[0].days_left, 5);
    EXPECT_EQ((*d)[0].state, DeadlineState::kUpcoming);
    EXPECT_EQ((*d)[1].key, "ppc_full");
    EXPECT_EQ((*d)[1].due_on, "2026-05-31");  // the day of discovery is not counted
    EXPECT_EQ((*d)[1].days, 30);
}

TEST(DeadlinesTest, MonthAndYearEndsAndMaliciousLeaks) {
    const auto& rules = Hirakawa();
    auto jan = DeadlinesFor(rules, {"2027-01-31", true, false}, "2027-01-31");
    ASSERT_TRUE(jan);
    EXPECT_EQ((*jan)[0].due_on, "2027-02-05");
    EXPECT_EQ((*jan)[1].due_on, "2027-03-02");  // February has 28 days in 2027
    auto leap = DeadlinesFor(rules, {"2028-01-31", true, false}, "2028-01-31");
    ASSERT_TRUE(leap);
    EXPECT_EQ((*leap)[1].due_on, "2028-03-01");  // and 29 in 2028
    auto dec = DeadlinesFor(rules, {"2026-12-28", true, true}, "2026-12-28");
    ASSERT_TRUE(dec);
    EXPECT_EQ((*dec)[0].due_on, "2027-01-02");
    EXPECT_EQ((*dec)[1].days, 60);  // may have been malicious
    EXPECT_EQ((*dec)[1].due_on, "2027-02-26");
}

TEST(DeadlinesTest, StatesAsTheDaysPass) {
    const auto& rules = Hirakawa();
    auto on = [&](const std::string& today) {
        auto d = DeadlinesFor(rules, {"2026-05-01", true, false}, today);
        EXPECT_TRUE(d);
        return d ? (*d)[0] : Deadline{};
    };
    EXPECT_EQ(on("2026-05-03").state, DeadlineState::kUpcoming);  // 3 days left, warned at 2
    EXPECT_EQ(on("2026-05-04").state, DeadlineState::kDueSoon);
    EXPECT_EQ(on("2026-05-06").state, DeadlineState::kDueToday);
    auto late = on("2026-05-08");
    EXPECT_EQ(late.state, DeadlineState::kOverdue);
    EXPECT_EQ(late.days_left, -2);
    EXPECT_EQ(DeadlineStateName(late.state), "overdue");
}

TEST(DeadlinesTest, BadDatesAreRefused) {
    const auto& rules = Hirakawa();
    EXPECT_EQ(DeadlinesFor(rules, {"2026-02-30", true, false}, "2026-03-01").error().field,
              "discovered_on");
    EXPECT_EQ(DeadlinesFor(rules, {"2026-05-01", true, false}, "soon").error().field, "today");
}

}  // namespace
}  // namespace mamori::incidents
