// The OSCAL export's structure. Validation against NIST's schema is the oscal_schema test
// (tests/oscal/), which runs Ajv on the export of the shipped catalog.
#include "policy/oscal.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <regex>
#include <set>

#include "policy/test_catalogs.h"

namespace mamori::policy {
namespace {

namespace json = boost::json;
using testing::Hirakawa;

// Everything the export names, collected by walking it.
struct Walk {
    std::vector<std::string> ids;                         // groups, controls, parts
    std::map<std::string, const json::object*> controls;  // by id
    std::map<std::string, const json::object*> groups;    // by id
    std::multiset<std::string> control_labels;
    int mixed_groups = 0;  // groups holding both groups and controls (OSCAL forbids it)
};

std::string Str(const json::value& v) { return std::string(v.as_string()); }

std::string PropValue(const json::object& o, std::string_view name) {
    if (!o.contains("props")) return {};
    for (const auto& p : o.at("props").as_array()) {
        if (p.at("name").as_string() == name) return Str(p.at("value"));
    }
    return {};
}

std::vector<const json::object*> PropsNamed(const json::object& o, std::string_view name) {
    std::vector<const json::object*> out;
    if (!o.contains("props")) return out;
    for (const auto& p : o.at("props").as_array()) {
        if (p.at("name").as_string() == name) out.push_back(&p.as_object());
    }
    return out;
}

void WalkParts(const json::object& o, Walk& w) {
    if (!o.contains("parts")) return;
    for (const auto& p : o.at("parts").as_array()) {
        if (p.as_object().contains("id")) w.ids.push_back(Str(p.at("id")));
        WalkParts(p.as_object(), w);
    }
}

void WalkGroup(const json::object& g, Walk& w) {
    if (g.contains("id")) {
        w.ids.push_back(Str(g.at("id")));
        w.groups[Str(g.at("id"))] = &g;
    }
    WalkParts(g, w);
    if (g.contains("groups") && g.contains("controls")) ++w.mixed_groups;
    if (g.contains("groups")) {
        for (const auto& child : g.at("groups").as_array()) WalkGroup(child.as_object(), w);
    }
    if (g.contains("controls")) {
        for (const auto& c : g.at("controls").as_array()) {
            const auto& control = c.as_object();
            w.ids.push_back(Str(control.at("id")));
            w.controls[Str(control.at("id"))] = &control;
            w.control_labels.insert(PropValue(control, "label"));
            WalkParts(control, w);
            EXPECT_FALSE(control.contains("controls")) << "requirements have no sub-controls";
        }
    }
}

Walk WalkCatalog(const json::value& doc) {
    Walk w;
    const auto& catalog = doc.at("catalog").as_object();
    EXPECT_FALSE(catalog.contains("controls")) << "every control sits in a group";
    for (const auto& g : catalog.at("groups").as_array()) WalkGroup(g.as_object(), w);
    return w;
}

const json::value& HirakawaOscal() {
    static const json::value kDoc = ToOscal(Hirakawa());
    return kDoc;
}

TEST(OscalId, FollowsTheSeedNumbering) {
    EXPECT_EQ(OscalId("8"), "s8");
    EXPECT_EQ(OscalId("8-2"), "s8-2");
    EXPECT_EQ(OscalId("8-2(6)"), "s8-2.6");
    EXPECT_EQ(OscalId("3(10)"), "s3.10");
    EXPECT_EQ(OscalId("8 2"), "s8_2");
}

TEST(OscalExport, EveryRequirementIsOneControlWithItsLabel) {
    const Walk w = WalkCatalog(HirakawaOscal());
    std::size_t leaves = 0;
    for (const auto& n : Hirakawa().controls()) {
        if (!n.leaf()) {
            EXPECT_TRUE(w.groups.contains(OscalId(n.ref))) << n.ref << " is a group";
            continue;
        }
        ++leaves;
        EXPECT_EQ(w.control_labels.count(n.ref), 1u) << n.ref;
        auto it = w.controls.find(OscalId(n.ref));
        ASSERT_NE(it, w.controls.end()) << n.ref;
        EXPECT_EQ(PropValue(*it->second, "label"), n.ref);
        EXPECT_EQ(Str(it->second->at("title")), n.title);
    }
    EXPECT_GT(leaves, 100u);
    EXPECT_EQ(w.controls.size(), leaves);
    EXPECT_EQ(w.control_labels.size(), leaves);
}

TEST(OscalExport, IdsAreUniqueTokens) {
    const Walk w = WalkCatalog(HirakawaOscal());
    // ASCII subset of OSCAL's token ^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$ (std::regex has no \p).
    const std::regex token("^[A-Za-z_][A-Za-z0-9._-]*$");
    std::set<std::string> seen;
    for (const auto& id : w.ids) {
        EXPECT_TRUE(std::regex_match(id, token)) << id;
        EXPECT_TRUE(seen.insert(id).second) << "duplicate id " << id;
    }
    EXPECT_EQ(w.mixed_groups, 0);
}

TEST(OscalExport, JapaneseTextAsWritten) {
    const auto& doc = HirakawaOscal();
    const auto& metadata = doc.at("catalog").at("metadata");
    EXPECT_EQ(metadata.at("title"), "平川市情報セキュリティポリシー");
    const Walk w = WalkCatalog(doc);
    EXPECT_EQ(w.groups.at("s8")->at("title"), "技術的セキュリティ");
    EXPECT_EQ(w.groups.at("s8-2")->at("title"), "アクセス制御");
    const auto& control = *w.controls.at("s8-2.6");
    EXPECT_EQ(control.at("title"), "特権による接続時間の制限");
    const auto& parts = control.at("parts").as_array();
    ASSERT_GE(parts.size(), 4u);
    EXPECT_EQ(parts[0].at("name"), "statement");
    // The YAML block's final newline is the only thing trimmed.
    EXPECT_EQ(Str(parts[0].at("prose")) + "\n", Hirakawa().Find("8-2(6)")->requirement);
    EXPECT_EQ(parts[1].at("name"), "guidance");
    EXPECT_EQ(parts[2].at("name"), "assessment-objective");
    EXPECT_EQ(parts[3].at("name"), "assessment-method");

    bool found = false;
    for (const auto& role : metadata.at("roles").as_array()) {
        if (role.at("id") == "general_manager") {
            EXPECT_EQ(role.at("title"), "統括情報セキュリティ責任者");
            found = true;
        }
    }
    EXPECT_TRUE(found);
}

TEST(OscalExport, RequirementFieldsBecomePartsPropsAndLinks) {
    const Walk w = WalkCatalog(HirakawaOscal());
    const Control& n = *Hirakawa().Find("8-1(1)");
    const auto& control = *w.controls.at("s8-1.1");

    std::vector<std::string> roles;
    for (const auto* p : PropsNamed(control, "responsible-role")) {
        EXPECT_EQ(Str(p->at("ns")), kOscalNamespace);
        roles.push_back(Str(p->at("value")));
    }
    EXPECT_EQ(roles, n.roles);

    std::vector<std::string> implemented;
    for (const auto* p : PropsNamed(control, "implemented-by")) {
        implemented.push_back(Str(p->at("value")));
        const auto* cap = Hirakawa().FindCapability(Str(p->at("value")));
        ASSERT_NE(cap, nullptr);
        EXPECT_EQ(Str(p->at("class")), cap->status);
        EXPECT_EQ(Str(p->at("remarks")), cap->name);
    }
    EXPECT_EQ(implemented, n.implemented_by);

    ASSERT_TRUE(control.contains("links"));
    EXPECT_EQ(control.at("links").at(0).at("href"), "#s4.2");
    EXPECT_EQ(control.at("links").at(0).at("rel"), "related");

    const auto& objective = control.at("parts").at(2).as_object();
    EXPECT_EQ(objective.at("parts").as_array().size(), n.questions.size());
    EXPECT_EQ(Str(objective.at("parts").at(0).at("prose")), n.questions[0]);
    EXPECT_EQ(PropValue(objective, "answer-options"), "はい / 一部 / いいえ / 該当なし");

    // Manual requirements say so.
    const auto& backup = *w.controls.at("s8-1.2");
    ASSERT_EQ(PropsNamed(backup, "implemented-by").size(), 1u);
    EXPECT_EQ(PropsNamed(backup, "implemented-by")[0]->at("class"), "manual");
}

TEST(OscalExport, EveryRelatedLinkPointsAtAnExportedId) {
    const Walk w = WalkCatalog(HirakawaOscal());
    const std::set<std::string> ids(w.ids.begin(), w.ids.end());
    for (const auto& [id, control] : w.controls) {
        if (!control->contains("links")) continue;
        for (const auto& link : control->at("links").as_array()) {
            EXPECT_TRUE(ids.contains(Str(link.at("href")).substr(1))) << id << " → " << link;
        }
    }
}

TEST(OscalExport, LeavesBesideGroupsAreWrapped) {
    const Walk w = WalkCatalog(HirakawaOscal());
    // 6-3 is a requirement beside the sections 6-1 and 6-2.
    ASSERT_TRUE(w.groups.contains("g6-3"));
    const auto& wrapper = *w.groups.at("g6-3");
    EXPECT_EQ(PropValue(wrapper, "label"), "6-3");
    EXPECT_EQ(wrapper.at("controls").at(0).at("id"), "s6-3");
    // Chapter 1 趣旨 is a requirement at the top, beside the chapters.
    EXPECT_TRUE(w.groups.contains("g1"));
    EXPECT_TRUE(w.controls.contains("s1"));
    // Chapter 3 has only sub-items: they are its controls.
    EXPECT_TRUE(w.groups.at("s3")->contains("controls"));
    EXPECT_FALSE(w.groups.at("s3")->contains("groups"));
}

TEST(OscalExport, BasicPolicyIsAGroupOfParts) {
    const auto& groups = HirakawaOscal().at("catalog").at("groups").as_array();
    const auto& basic = groups.at(0).as_object();
    EXPECT_EQ(basic.at("id"), "basic-policy");
    EXPECT_EQ(basic.at("title"), "第1章 情報セキュリティ基本方針");
    EXPECT_FALSE(basic.contains("controls"));
    const auto& items = basic.at("parts").as_array();
    ASSERT_EQ(items.size(), Hirakawa().basic().size());
    EXPECT_EQ(items.at(0).at("id"), "bp1");
    EXPECT_EQ(items.at(0).at("title"), "目的");
    EXPECT_EQ(items.at(1).at("parts").at(0).at("id"), "bp2.1");
    EXPECT_EQ(items.at(1).at("parts").at(0).at("title"), "ネットワーク");
}

TEST(OscalExport, MetadataAndUuid) {
    const auto& catalog = HirakawaOscal().at("catalog");
    const auto& metadata = catalog.at("metadata");
    EXPECT_EQ(Str(metadata.at("version")), Hirakawa().policy().version);
    EXPECT_EQ(Str(metadata.at("oscal-version")), kOscalVersion);
    EXPECT_EQ(metadata.at("published"), "2026-03-23T00:00:00+09:00");
    EXPECT_EQ(metadata.at("last-modified"), "2026-03-23T00:00:00+09:00");
    const auto& revisions = metadata.at("revisions").as_array();
    ASSERT_EQ(revisions.size(), 9u);
    EXPECT_EQ(revisions.front().at("version"), "2026-03-23");  // newest first
    EXPECT_EQ(revisions.back().at("title"), "平成18年11月28日 策定");

    const std::regex uuid("^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    const std::string id = Str(catalog.at("uuid"));
    EXPECT_TRUE(std::regex_match(id, uuid)) << id;
    EXPECT_EQ(Str(ToOscal(Hirakawa()).at("catalog").at("uuid")), id)
        << "the same version, the same uuid";
    EXPECT_NE(DerivedUuid("other"), id);

    OscalOptions o;
    o.uuid = "0f8e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b";
    o.last_modified = "2026-11-27T10:00:00Z";
    const auto other = ToOscal(Hirakawa(), o);
    EXPECT_EQ(Str(other.at("catalog").at("uuid")), o.uuid);
    EXPECT_EQ(Str(other.at("catalog").at("metadata").at("last-modified")), o.last_modified);
}

TEST(OscalExport, SmallCatalogShape) {
    const Catalog c =
        testing::MustParse(testing::SmallCatalogFiles({{"standards/01-a.yaml", R"y(ref: "1"
title: 趣旨
items:
  - ref: "1-1"
    title: 節
    items:
      - ref: "1-1(1)"
        title: 項目
        requirement: 要件。
        roles: [ciso]
        evidence: [記録]
        questions: [守っていますか。, 見直していますか。]
        implemented_by: [manual]
  - ref: "1-2"
    title: 葉の節
    requirement: 要件。
    roles: [ciso]
    evidence: [記録]
    questions: [守っていますか。]
    implemented_by: [manual]
)y"}}));
    const json::value doc = ToOscal(c);
    const Walk w = WalkCatalog(doc);
    EXPECT_EQ(w.controls.size(), 2u);
    EXPECT_TRUE(w.groups.contains("s1"));
    EXPECT_TRUE(w.groups.contains("s1-1"));
    EXPECT_TRUE(w.groups.contains("g1-2"));
    EXPECT_TRUE(w.controls.contains("s1-1.1"));
    EXPECT_TRUE(w.controls.contains("s1-2"));
    EXPECT_EQ(w.mixed_groups, 0);
    EXPECT_EQ(w.controls.at("s1-1.1")->at("parts").at(2).at("parts").as_array().size(), 2u);
}

}  // namespace
}  // namespace mamori::policy
