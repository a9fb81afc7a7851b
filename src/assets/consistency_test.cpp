#include "assets/consistency.h"

#include <gtest/gtest.h>

#include <set>

#include "policy/catalog.h"

namespace mamori::assets {
namespace {

const policy::ClassificationScheme& Scheme() {
    static const policy::Catalog catalog = [] {
        auto c = policy::Catalog::Parse(policy::BuiltinCatalogFiles());
        if (!c) throw std::runtime_error(c.error().message);
        return std::move(*c);
    }();
    return catalog.classification();
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

TEST(ConsistencyTest, RuleSetIsNamedAndCited) {
    std::set<std::string> codes;
    for (const auto& c : ConsistencyChecks()) {
        EXPECT_TRUE(codes.insert(c.code).second) << c.code;
        EXPECT_FALSE(c.ref.empty()) << c.code;
        EXPECT_FALSE(c.description.empty()) << c.code;
    }
    EXPECT_EQ(codes.size(), 4u);
    EXPECT_TRUE(Codes(Plain()).empty());
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
    EXPECT_NE(warnings[0].message.find("特定個人情報"), std::string::npos);
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
    EXPECT_NE(warnings[0].message.find("2026-11-26"), std::string::npos);
    a.next_review_on = kToday;
    EXPECT_TRUE(Codes(a).empty());
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
