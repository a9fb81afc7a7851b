#include "policy/diff.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "policy/test_catalogs.h"

namespace mamori::policy {
namespace {

using testing::Edit;
using testing::MustParse;
using testing::SmallCatalogFiles;

// A chapter with two requirements; Item() writes one.
std::string Item(const std::string& ref, const std::string& requirement,
                 const std::string& roles = "[ciso]") {
    return "  - ref: \"" + ref + "\"\n    title: 項目" + ref + "\n    requirement: " + requirement +
           "\n    roles: " + roles +
           "\n    evidence: [記録]\n    questions: [守っていますか。]\n    implemented_by: "
           "[manual]\n";
}

CatalogFiles Files(const std::string& items) {
    return SmallCatalogFiles({{"standards/01-a.yaml", "ref: \"1\"\ntitle: 趣旨\nitems:\n" + items}},
                             "1");
}

const CatalogFiles& Base() {
    static const CatalogFiles kFiles = Files(Item("1(1)", "要件一。") + Item("1(2)", "要件二。"));
    return kFiles;
}

struct Change {
    std::string path;
    std::string pattern;  // regex; its first match is replaced
    std::string replacement;
};

// From Base() to Base() with `changes` made.
VersionDiff DiffAfter(const std::vector<Change>& changes) {
    CatalogFiles f = Base();
    for (const auto& c : changes) Edit(f, c.path, c.pattern, c.replacement);
    return Diff(MustParse(Base()), MustParse(f));
}

TEST(Diff, SameCatalogHasNoDifference) {
    const Catalog c = MustParse(Base());
    const VersionDiff d = Diff(c, c);
    EXPECT_TRUE(d.empty());
    EXPECT_EQ(d.older_version, c.policy().version);
    EXPECT_EQ(d.newer_version, c.policy().version);
}

TEST(Diff, RequirementsAddedRemovedAndChanged) {
    const Catalog older = MustParse(Base());
    const Catalog newer = MustParse(Files(
        Item("1(2)", "要件二を改めた。", "[ciso, general_manager]") + Item("1(3)", "要件三。")));
    const VersionDiff d = Diff(older, newer);

    ASSERT_EQ(d.added.size(), 1u);
    EXPECT_EQ(d.added[0].ref, "1(3)");
    EXPECT_EQ(d.added[0].title, "項目1(3)");
    EXPECT_TRUE(d.added[0].requirement);
    ASSERT_EQ(d.removed.size(), 1u);
    EXPECT_EQ(d.removed[0].ref, "1(1)");

    // The chapter's list of items changed, and 1(2)'s requirement and roles.
    ASSERT_EQ(d.changed.size(), 2u);
    EXPECT_EQ(d.changed[0].ref, "1");
    EXPECT_EQ(d.changed[0].fields, std::vector<std::string>{"items"});
    EXPECT_EQ(d.changed[1].ref, "1(2)");
    EXPECT_EQ(d.changed[1].fields, (std::vector<std::string>{"requirement", "roles"}));
    EXPECT_FALSE(d.empty());
}

TEST(Diff, EveryRequirementFieldIsCompared) {
    const std::string path = "standards/01-a.yaml";
    const VersionDiff d = DiffAfter({
        {path, "title: 項目1\\(1\\)", "title: 新しい題"},
        {path, "evidence: \\[記録\\]", "evidence: [記録, 台帳]"},
        {path, "questions: \\[守っていますか。\\]",
         "questions: [守っていますか。, 見直しましたか。]"},
        {path, "implemented_by: \\[manual\\]", "implemented_by: [audit.events]"},
        {path, "  - ref: \"1\\(2\\)\"", "    related: [\"1(2)\"]\n  - ref: \"1(2)\""},
    });
    ASSERT_EQ(d.changed.size(), 1u);
    EXPECT_EQ(d.changed[0].ref, "1(1)");
    EXPECT_EQ(d.changed[0].title, "新しい題");
    EXPECT_EQ(d.changed[0].fields, (std::vector<std::string>{"title", "evidence", "questions",
                                                             "implemented_by", "related"}));
}

TEST(Diff, BasicPolicyItems) {
    const VersionDiff d = DiffAfter({
        {"basic-policy.yaml", "title: 目的", "title: 目的及び位置付け"},
        {"basic-policy.yaml", "対策について基本的な事項", "対策について基本となる事項"},
    });
    ASSERT_EQ(d.basic_changed.size(), 1u);
    EXPECT_EQ(d.basic_changed[0].ref, "1");
    EXPECT_EQ(d.basic_changed[0].title, "目的及び位置付け");
    EXPECT_EQ(d.basic_changed[0].fields, (std::vector<std::string>{"title", "text"}));
    EXPECT_TRUE(d.basic_added.empty());
    EXPECT_TRUE(d.basic_removed.empty());
    EXPECT_TRUE(d.changed.empty());
}

TEST(Diff, ClassificationAndZones) {
    const VersionDiff d = DiffAfter({
        {"classification.yaml", "rank: 5", "rank: 6"},
        {"zones.yaml", "methods: \\[mail_text, screen_transfer\\]", "methods: [mail_text]"},
    });
    EXPECT_TRUE(d.classification_changed);
    EXPECT_EQ(d.classification_changes, std::vector<std::string>{"confidentiality/3A"});
    EXPECT_TRUE(d.zones_changed);
    EXPECT_EQ(d.zone_changes, std::vector<std::string>{"flow:lgwan>internet"});
    EXPECT_TRUE(d.changed.empty());
}

TEST(Diff, PolicyFieldsAndVersions) {
    const VersionDiff d = DiffAfter({
        {"policy.yaml", "version: \"[^\"]+\"", "version: \"2027-04-01\""},
        {"policy.yaml", "effective_date: [0-9-]+", "effective_date: 2027-04-01"},
    });
    EXPECT_EQ(d.newer_version, "2027-04-01");
    EXPECT_NE(d.older_version, d.newer_version);
    EXPECT_EQ(d.policy_fields, std::vector<std::string>{"effective_date"});
}

TEST(Diff, Json) {
    const Catalog older = MustParse(Base());
    const Catalog newer = MustParse(Files(Item("1(1)", "要件一。") + Item("1(3)", "要件三。")));
    const auto j = ToJson(Diff(older, newer));
    EXPECT_EQ(j.at("from").as_string(), older.policy().version);
    EXPECT_EQ(j.at("requirements").at("added").at(0).at("ref"), "1(3)");
    EXPECT_EQ(j.at("requirements").at("added").at(0).at("requirement"), true);
    EXPECT_EQ(j.at("requirements").at("removed").at(0).at("ref"), "1(2)");
    EXPECT_EQ(j.at("requirements").at("changed").at(0).at("fields").at(0), "items");
    EXPECT_EQ(j.at("basic_policy").at("changed").as_array().size(), 0u);
    EXPECT_EQ(j.at("classification").at("changed"), false);
    EXPECT_EQ(j.at("zones").at("changes").as_array().size(), 0u);
    EXPECT_EQ(j.at("policy").at("fields").as_array().size(), 0u);
}

TEST(Diff, ShippedCatalogAgainstAnEditedCopy) {
    const Catalog& older = testing::Hirakawa();
    CatalogFiles f = BuiltinCatalogFiles();
    Edit(f, "standards/08-technical.yaml", "title: 特権による接続時間の制限",
         "title: 特権による接続時間の制限等");
    const VersionDiff d = Diff(older, MustParse(f));
    ASSERT_EQ(d.changed.size(), 1u);
    EXPECT_EQ(d.changed[0].ref, "8-2(6)");
    EXPECT_EQ(d.changed[0].fields, std::vector<std::string>{"title"});
    EXPECT_TRUE(Diff(older, older).empty());
}

}  // namespace
}  // namespace mamori::policy
