#include "assets/consistency.h"

#include <gtest/gtest.h>

#include <set>

#include "policy/catalog.h"
#include "support/test_fixtures.h"

namespace mamori::assets {
namespace {

const policy::ClassificationScheme& Scheme() {
    static const auto catalog = mamori::testing::ParsedCatalog();
    return catalog->classification();
}

constexpr const char* kToday = "2026-11-27";

std::vector<std::string> Codes(const AssetFacts& a) {
    std::vector<std::string> out;
    for (const auto& w : CheckConsistency(Scheme(), a, kToday)) out.push_back(w.code);
    return out;
}

AssetFacts Plain() {
    AssetFacts a;
    a.confidentiality = "2";
    return a;
}

TEST(ConsistencyTest, RuleSetComesFromTheSchemeNamedAndCited) {
    std::vector<std::string> codes;
    for (const auto& c : ConsistencyChecks(Scheme())) {
        codes.push_back(c.code);
        EXPECT_FALSE(c.ref.empty()) << c.code;
        EXPECT_FALSE(c.description.empty()) << c.code;
        EXPECT_FALSE(c.message.empty()) << c.code;
    }
    EXPECT_EQ(codes, (std::vector<std::string>{"specific_personal_info_outside_mynumber",
                                               "personal_info_lowest_confidentiality",
                                               "above_system_highest", "review_overdue"}));
    EXPECT_TRUE(Codes(Plain()).empty());
}

TEST(ConsistencyTest, ImplementsExactlyTheKindsTheCatalogKnows) {
    std::set<std::string> catalog;
    for (const auto& k : policy::ConsistencyCheckKinds()) catalog.insert(k.key);
    const auto implemented = ImplementedCheckKinds();
    EXPECT_EQ(std::set<std::string>(implemented.begin(), implemented.end()), catalog);
}

TEST(ConsistencyTest, SchemeWithoutChecksHasNone) {
    policy::ClassificationScheme scheme = Scheme();
    scheme.consistency_checks.clear();
    EXPECT_TRUE(ConsistencyChecks(scheme).empty());
    AssetFacts a = Plain();
    a.confidentiality = "1";
    a.personal_info = true;
    a.next_review_on = "2020-01-01";
    EXPECT_TRUE(CheckConsistency(scheme, a, kToday).empty());
}

TEST(ConsistencyTest, ParametersAndMessagesAreTheCatalogs) {
    policy::ClassificationScheme scheme = Scheme();
    for (auto& c : scheme.consistency_checks) {
        if (c.kind == "specific_personal_info_outside_zone") {
            c.params["zone"] = "lgwan";
            c.message = "{zone} に置くこと ({system_zone} にある)";
        }
        if (c.kind == "personal_info_at_or_below") c.params["max_level"] = "2";
    }
    AssetFacts a = Plain();
    a.personal_info = true;
    a.specific_personal_info = true;
    a.system = AssetFacts::System{"mynumber", "3A"};
    auto warnings = CheckConsistency(scheme, a, kToday);
    ASSERT_EQ(warnings.size(), 2u);
    EXPECT_EQ(warnings[0].code, "specific_personal_info_outside_mynumber");
    EXPECT_EQ(warnings[0].message, "lgwan に置くこと (mynumber にある)");
    EXPECT_EQ(warnings[1].code, "personal_info_lowest_confidentiality");  // 2 ≤ max_level 2
    EXPECT_NE(warnings[1].message.find("(2)"), std::string::npos) << warnings[1].message;
}

TEST(ConsistencyTest, SpecificPersonalInfoOutsideMyNumberZone) {
    AssetFacts a = Plain();
    a.confidentiality = "3A";
    a.personal_info = true;
    a.specific_personal_info = true;
    a.system = AssetFacts::System{"lgwan", "3A"};
    auto warnings = CheckConsistency(Scheme(), a, kToday);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0].code, "specific_personal_info_outside_mynumber");
    EXPECT_EQ(warnings[0].ref, "5(1)");
    EXPECT_EQ(
        warnings[0].message,
        "特定個人情報が、マイナンバー利用事務系ではない系統 (lgwan) の情報システムに保存されて"
        "います");
    a.system->zone = "mynumber";
    EXPECT_TRUE(Codes(a).empty());
    a.system.reset();  // not in a registered system: nothing to compare
    EXPECT_TRUE(Codes(a).empty());
}

TEST(ConsistencyTest, PersonalInfoAtLowestConfidentiality) {
    AssetFacts a = Plain();
    a.confidentiality = "1";
    EXPECT_TRUE(Codes(a).empty());
    a.personal_info = true;
    EXPECT_EQ(Codes(a), (std::vector<std::string>{"personal_info_lowest_confidentiality"}));
    a.confidentiality = "2";
    EXPECT_TRUE(Codes(a).empty());
}

TEST(ConsistencyTest, AssetAboveItsSystemsHighestLevel) {
    AssetFacts a = Plain();
    a.confidentiality = "3A";
    a.system = AssetFacts::System{"lgwan", "2"};
    auto warnings = CheckConsistency(Scheme(), a, kToday);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0].code, "above_system_highest");
    EXPECT_NE(warnings[0].message.find("3A"), std::string::npos);
    a.system->highest_confidentiality = "3A";
    EXPECT_TRUE(Codes(a).empty());
    a.confidentiality = "3C";  // ranks, not key order: 3C (3) < 3A (5)
    EXPECT_TRUE(Codes(a).empty());
    a.system->highest_confidentiality = "unknown";
    EXPECT_TRUE(Codes(a).empty());
}

TEST(ConsistencyTest, ReviewOverdue) {
    AssetFacts a = Plain();
    a.next_review_on = "2026-11-26";
    auto warnings = CheckConsistency(Scheme(), a, kToday);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0].code, "review_overdue");
    EXPECT_EQ(warnings[0].ref, "4(2)");
    EXPECT_NE(warnings[0].message.find("2026-11-26"), std::string::npos);
    EXPECT_NE(warnings[0].message.find("1 日"), std::string::npos) << warnings[0].message;
    a.next_review_on = kToday;
    EXPECT_TRUE(Codes(a).empty());
    a.next_review_on = "not a date";
    EXPECT_TRUE(Codes(a).empty());
}

TEST(ConsistencyTest, ReviewOverdueAfterGraceDaysAcrossMonths) {
    policy::ClassificationScheme scheme = Scheme();
    for (auto& c : scheme.consistency_checks)
        if (c.kind == "review_overdue") c.params["grace_days"] = "30";
    AssetFacts a = Plain();
    a.next_review_on = "2026-10-28";  // 30 days before 2026-11-27
    EXPECT_TRUE(CheckConsistency(scheme, a, kToday).empty());
    a.next_review_on = "2026-10-27";  // 31 days
    auto warnings = CheckConsistency(scheme, a, kToday);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].message.find("31 日"), std::string::npos) << warnings[0].message;
}

TEST(ConsistencyTest, SeveralAtOnceInRuleOrderAndNoneWhenDisposed) {
    AssetFacts a;
    a.confidentiality = "1";
    a.personal_info = true;
    a.specific_personal_info = true;
    a.next_review_on = "2020-01-01";
    a.system = AssetFacts::System{"internet", "1"};
    EXPECT_EQ(Codes(a),
              (std::vector<std::string>{"specific_personal_info_outside_mynumber",
                                        "personal_info_lowest_confidentiality", "review_overdue"}));
    a.status = "disposed";
    EXPECT_TRUE(Codes(a).empty());
}

}  // namespace
}  // namespace mamori::assets
