#include "assets/handling.h"

#include <gtest/gtest.h>

#include "policy/catalog.h"
#include "support/test_fixtures.h"

namespace mamori::assets {
namespace {

const policy::Catalog& Hirakawa() {
    static const auto catalog = mamori::testing::ParsedCatalog();
    return *catalog;
}

const AppliedRule* Find(const std::vector<AppliedRule>& rules, const std::string& key) {
    for (const auto& r : rules)
        if (r.key == key) return &r;
    return nullptr;
}

policy::HandlingRule Rule(std::string key, std::map<std::string, std::string> fields,
                          std::string ref = "4(2)", std::string note = "") {
    return {std::move(key), std::move(fields), std::move(ref), std::move(note)};
}

/// A small scheme: confidentiality H (rank 3) / L (rank 1), integrity X (rank 2),
/// availability Y (rank 1).
policy::ClassificationScheme Small() {
    policy::ClassificationScheme s;
    s.key = "small";
    s.name = "試験";
    policy::Axis c{"confidentiality", "機密性", {}};
    c.levels.push_back({"H", "高", 3, "", {}});
    c.levels.back().handling = {
        Rule("publication", {{"allowed", "true"}}),
        Rule("transmission", {{"encryption", "recommended"}}, "8-1(16)", "暗号化を推奨"),
        Rule("takeout", {{"requires_approval_by", "section_manager"}}),
    };
    c.levels.push_back({"L", "低", 1, "", {}});
    policy::Axis i{"integrity", "完全性", {}};
    i.levels.push_back({"X", "完全性X", 2, "", {}});
    i.levels.back().handling = {
        Rule("publication", {{"allowed", "false"}}),
        Rule("transmission", {{"encryption", "required"}}),
        Rule("storage", {{"locked", "false"}}),
        Rule("takeout", {{"requires_approval_by", "ciso"}}),
    };
    policy::Axis a{"availability", "可用性", {}};
    a.levels.push_back({"Y", "可用性Y", 1, "", {}});
    a.levels.back().handling = {
        Rule("storage", {{"locked", "true"}, {"designated_only", "true"}}, "4(2)", "施錠"),
    };
    s.axes = {c, i, a};
    return s;
}

TEST(HandlingTest, HirakawaHighLevelsMergeIntoOneRulePerKey) {
    const auto& scheme = Hirakawa().classification();
    auto rules = HandlingFor(scheme, "3B", "2", "2");
    std::set<std::string> keys;
    for (const auto& r : rules) EXPECT_TRUE(keys.insert(r.key).second) << "twice: " << r.key;
    EXPECT_EQ(keys,
              (std::set<std::string>{"copies", "storage", "transmission", "takeout", "provision",
                                     "disposal", "private_devices", "publication", "label",
                                     "backup", "signature", "recovery"}));
    // Confidentiality's rules come first, in the catalog's order.
    EXPECT_EQ(rules.front().key, "copies");

    const AppliedRule* takeout = Find(rules, "takeout");
    ASSERT_TRUE(takeout);
    EXPECT_EQ(takeout->fields.at("requires_approval_by"), "section_manager");
    EXPECT_EQ(takeout->axis, "confidentiality");
    EXPECT_EQ(takeout->level, "3B");
    EXPECT_EQ(takeout->ref, "4(2)");
    EXPECT_NE(takeout->note.find("許可"), std::string::npos);

    const AppliedRule* transmission = Find(rules, "transmission");
    ASSERT_TRUE(transmission);
    EXPECT_EQ(transmission->fields.at("encryption"), "required");
    EXPECT_EQ(transmission->ref, "8-1(16)");

    EXPECT_EQ(Find(rules, "private_devices")->fields.at("allowed"), "false");
    EXPECT_EQ(Find(rules, "publication")->fields.at("allowed"), "false");
    EXPECT_EQ(Find(rules, "disposal")->fields.at("method"), "irrecoverable");
    EXPECT_EQ(Find(rules, "disposal")->fields.at("record"), "required");

    // storage is a rule of all three levels: one entry, three sources.
    const AppliedRule* storage = Find(rules, "storage");
    ASSERT_TRUE(storage);
    ASSERT_EQ(storage->sources.size(), 3u);
    EXPECT_EQ(storage->sources[0].axis, "confidentiality");
    EXPECT_EQ(storage->sources[1].axis, "integrity");
    EXPECT_EQ(storage->sources[2].axis, "availability");
    EXPECT_EQ(storage->fields.at("locked"), "true");

    const AppliedRule* recovery = Find(rules, "recovery");
    ASSERT_TRUE(recovery);
    EXPECT_EQ(recovery->axis, "availability");
    EXPECT_EQ(recovery->level, "2");
}

TEST(HandlingTest, HirakawaLowestLevelsOnlyAllowPublication) {
    auto rules = HandlingFor(Hirakawa().classification(), "1", "1", "1");
    ASSERT_EQ(rules.size(), 1u);
    EXPECT_EQ(rules[0].key, "publication");
    EXPECT_EQ(rules[0].fields.at("allowed"), "true");
}

TEST(HandlingTest, LegacySchemeIsDataToo) {
    const auto& schemes = Hirakawa().schemes();
    const policy::ClassificationScheme* legacy = nullptr;
    for (const auto& s : schemes)
        if (s.key == "municipal-legacy") legacy = &s;
    ASSERT_TRUE(legacy);
    EXPECT_TRUE(ValidateLevels(*legacy, "3", "2", "1"));
    EXPECT_FALSE(ValidateLevels(*legacy, "3A", "2", "1"));
    EXPECT_TRUE(Find(HandlingFor(*legacy, "3", "1", "1"), "private_devices"));
}

TEST(HandlingTest, StrictestFieldValueWins) {
    auto rules = HandlingFor(Small(), "H", "X", "Y");
    EXPECT_EQ(Find(rules, "publication")->fields.at("allowed"), "false");
    EXPECT_EQ(Find(rules, "publication")->axis, "confidentiality");
    EXPECT_EQ(Find(rules, "publication")->sources.size(), 2u);

    const AppliedRule* transmission = Find(rules, "transmission");
    EXPECT_EQ(transmission->fields.at("encryption"), "required");
    // The citation is the first contributing level's.
    EXPECT_EQ(transmission->ref, "8-1(16)");
    EXPECT_EQ(transmission->note, "暗号化を推奨");

    const AppliedRule* storage = Find(rules, "storage");
    EXPECT_EQ(storage->fields.at("locked"), "true");
    EXPECT_EQ(storage->fields.at("designated_only"), "true");
    EXPECT_EQ(storage->axis, "integrity");

    // Two approvers: the higher-ranked level's (H, rank 3) wins over X (rank 2).
    EXPECT_EQ(Find(rules, "takeout")->fields.at("requires_approval_by"), "section_manager");
    auto s = Small();
    s.axes[1].levels[0].rank = 5;
    EXPECT_EQ(Find(HandlingFor(s, "H", "X", "Y"), "takeout")->fields.at("requires_approval_by"),
              "ciso");
}

TEST(HandlingTest, PresentBeatsAbsentAndUnknownLevelsContributeNothing) {
    auto rules = HandlingFor(Small(), "L", "X", "nope");
    EXPECT_EQ(Find(rules, "takeout")->fields.at("requires_approval_by"), "ciso");
    EXPECT_EQ(Find(rules, "storage")->fields.at("locked"), "false");
    EXPECT_FALSE(Find(rules, "storage")->fields.count("designated_only"));
    EXPECT_TRUE(HandlingFor(Small(), "", "", "").empty());
}

TEST(HandlingTest, ValidateLevelsNamesTheField) {
    const auto& scheme = Hirakawa().classification();
    EXPECT_TRUE(ValidateLevels(scheme, "3A", "2", "1"));
    auto bad = ValidateLevels(scheme, "4", "2", "1");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().kind, ErrorKind::kInvalidInput);
    EXPECT_EQ(bad.error().code, "unknown_level");
    EXPECT_EQ(bad.error().field, "confidentiality");
    EXPECT_NE(bad.error().message.find("3A"), std::string::npos) << bad.error().message;
    EXPECT_EQ(ValidateLevels(scheme, "3A", "3", "1").error().field, "integrity");
    auto missing = ValidateLevels(scheme, "3A", "2", "");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, "missing_field");
    EXPECT_EQ(missing.error().field, "availability");

    // A scheme without an availability axis wants it empty.
    auto s = Small();
    s.axes.pop_back();
    EXPECT_TRUE(ValidateLevels(s, "H", "X", ""));
    auto extra = ValidateLevels(s, "H", "X", "Y");
    ASSERT_FALSE(extra);
    EXPECT_EQ(extra.error().field, "availability");
}

TEST(HandlingTest, RulesReadAsPlainJapanese) {
    auto names = [](const std::string& role) {
        return role == "section_manager" ? std::string("情報セキュリティ管理者") : role;
    };
    AppliedRule takeout{.key = "takeout", .fields = {{"requires_approval_by", "section_manager"}}};
    EXPECT_EQ(RuleTitle("takeout"), "持ち出し");
    EXPECT_EQ(DescribeRule(takeout, names), "持ち出しには情報セキュリティ管理者の許可が必要です。");
    AppliedRule devices{.key = "private_devices", .fields = {{"allowed", "false"}}};
    EXPECT_EQ(DescribeRule(devices, names), "支給以外の端末での取扱いは禁止されています。");
    AppliedRule disposal{.key = "disposal",
                         .fields = {{"method", "irrecoverable"}, {"record", "required"}}};
    EXPECT_EQ(DescribeRule(disposal, names),
              "廃棄は復元できない方法で行います。日時、担当者及び方法を記録します。");
    AppliedRule label{.key = "label", .fields = {{"required", "true"}}};
    EXPECT_EQ(DescribeRule(label, names), "分類の表示が必要です。");
    EXPECT_EQ(RuleTitle("unknown_key"), "unknown_key");
}

}  // namespace
}  // namespace mamori::assets
