#include "policy/coverage.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "policy/test_catalogs.h"

namespace mamori::policy {
namespace {

// audit.events is available in this release; monitoring.logs is planned.
constexpr const char* kChapter1 = R"y(ref: "1"
title: 趣旨
items:
  - ref: "1(1)"
    title: 使える機能
    requirement: 要件。
    roles: [ciso]
    evidence: [記録]
    questions: [守っていますか。]
    implemented_by: [audit.events]
  - ref: "1(2)"
    title: 予定の機能だけ
    requirement: 要件。
    roles: [ciso]
    evidence: [記録]
    questions: [守っていますか。]
    implemented_by: [monitoring.logs]
  - ref: "1(3)"
    title: 両方
    requirement: 要件。
    roles: [ciso]
    evidence: [記録]
    questions: [守っていますか。]
    implemented_by: [monitoring.logs, audit.events]
)y";

constexpr const char* kChapter2 = R"y(ref: "2"
title: 対象範囲
items:
  - ref: "2-1"
    title: 節
    items:
      - ref: "2-1(1)"
        title: 人の手で
        requirement: 要件。
        roles: [staff]
        evidence: [記録]
        questions: [守っていますか。]
        implemented_by: [manual]
)y";

Coverage Small() {
    return Cover(testing::MustParse(testing::SmallCatalogFiles(
        {{"standards/01-a.yaml", kChapter1}, {"standards/02-b.yaml", kChapter2}}, "1(1)")));
}

TEST(Coverage, EachRequirementWithItsCapabilities) {
    const Coverage c = Small();
    ASSERT_EQ(c.items.size(), 4u);

    EXPECT_EQ(c.items[0].ref, "1(1)");
    EXPECT_EQ(c.items[0].title, "使える機能");
    EXPECT_EQ(c.items[0].chapter, "1");
    EXPECT_FALSE(c.items[0].manual);
    EXPECT_EQ(c.items[0].support, Support::kAvailable);
    ASSERT_EQ(c.items[0].implemented_by.size(), 1u);
    EXPECT_EQ(c.items[0].implemented_by[0].key, "audit.events");
    EXPECT_EQ(c.items[0].implemented_by[0].status, "available");
    EXPECT_FALSE(c.items[0].implemented_by[0].name.empty());

    EXPECT_EQ(c.items[1].support, Support::kPlanned);
    EXPECT_EQ(c.items[1].implemented_by[0].status, "planned");
    EXPECT_EQ(c.items[2].support, Support::kAvailable) << "one available capability is enough";
    EXPECT_EQ(c.items[2].implemented_by.size(), 2u);

    EXPECT_EQ(c.items[3].ref, "2-1(1)");
    EXPECT_EQ(c.items[3].chapter, "2");
    EXPECT_TRUE(c.items[3].manual);
    EXPECT_EQ(c.items[3].support, Support::kManual);
    EXPECT_TRUE(c.items[3].implemented_by.empty());
}

TEST(Coverage, TotalsOverallAndPerChapter) {
    const Coverage c = Small();
    EXPECT_EQ(c.totals.requirements, 4);
    EXPECT_EQ(c.totals.available, 2);
    EXPECT_EQ(c.totals.planned, 1);
    EXPECT_EQ(c.totals.manual, 1);
    ASSERT_EQ(c.chapters.size(), 2u);
    EXPECT_EQ(c.chapters[0].ref, "1");
    EXPECT_EQ(c.chapters[0].title, "趣旨");
    EXPECT_EQ(c.chapters[0].totals.requirements, 3);
    EXPECT_EQ(c.chapters[0].totals.available, 2);
    EXPECT_EQ(c.chapters[0].totals.planned, 1);
    EXPECT_EQ(c.chapters[1].totals.requirements, 1);
    EXPECT_EQ(c.chapters[1].totals.manual, 1);
}

TEST(Coverage, Json) {
    const auto j = ToJson(Small());
    EXPECT_EQ(j.at("totals").at("requirements"), 4);
    EXPECT_EQ(j.at("chapters").at(1).at("totals").at("manual"), 1);
    const auto& first = j.at("items").at(0);
    EXPECT_EQ(first.at("ref"), "1(1)");
    EXPECT_EQ(first.at("support"), "available");
    EXPECT_EQ(first.at("manual"), false);
    EXPECT_EQ(first.at("implemented_by").at(0).at("key"), "audit.events");
    EXPECT_EQ(first.at("implemented_by").at(0).at("status"), "available");
    EXPECT_EQ(j.at("items").at(3).at("support"), "manual");
}

TEST(Coverage, ShippedCatalogCountsEveryRequirementOnce) {
    const Catalog& catalog = testing::Hirakawa();
    const Coverage c = Cover(catalog);
    int leaves = 0;
    for (const auto& n : catalog.controls()) leaves += n.leaf() ? 1 : 0;
    EXPECT_EQ(c.totals.requirements, leaves);
    EXPECT_EQ(static_cast<int>(c.items.size()), leaves);
    EXPECT_EQ(c.totals.available + c.totals.planned + c.totals.manual, leaves);
    EXPECT_EQ(c.chapters.size(), 11u);
    int by_chapter = 0;
    for (const auto& ch : c.chapters) by_chapter += ch.totals.requirements;
    EXPECT_EQ(by_chapter, leaves);
    EXPECT_GT(c.totals.available, 0);
    EXPECT_GT(c.totals.manual, 0);
    EXPECT_EQ(c.version, catalog.policy().version);
}

}  // namespace
}  // namespace mamori::policy
