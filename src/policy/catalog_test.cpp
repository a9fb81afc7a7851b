// The catalog checker, and the shipped Hirakawa catalog against the published policy text
// (policies/hirakawa/source/, byte for byte the city's document).
#include "policy/catalog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

namespace mamori::policy {
namespace {

std::string ReadSource() {
    std::ifstream in(MAMORI_POLICY_SOURCE, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> NonBlankLines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (line.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(line);
    return lines;
}

// The lines of the source from the line equal to `from` up to (not including) `to`.
std::vector<std::string> Between(const std::vector<std::string>& lines, const std::string& from,
                                 const std::string& to) {
    std::vector<std::string> out;
    bool in = false;
    for (const auto& l : lines) {
        if (l == to) break;
        if (in) out.push_back(l);
        if (l == from) in = true;
    }
    return out;
}

const Catalog& Hirakawa() {
    static const Catalog kCatalog = [] {
        std::vector<Problem> problems;
        auto c = Catalog::Parse(BuiltinCatalogFiles(), &problems);
        EXPECT_TRUE(c) << FormatProblems(problems);
        return c ? std::move(*c) : Catalog{};
    }();
    return kCatalog;
}

TEST(HirakawaCatalog, ParsesWithoutProblems) {
    std::vector<Problem> problems;
    auto c = Catalog::Parse(BuiltinCatalogFiles(), &problems);
    ASSERT_TRUE(c) << FormatProblems(problems);
    EXPECT_EQ(c->policy().city, "平川市");
    EXPECT_EQ(c->policy().revisions.size(), 9u);
    EXPECT_EQ(c->policy().revisions.front().label, "平成18年11月28日");
    EXPECT_EQ(c->policy().revisions.front().kind, "策定");
    EXPECT_EQ(c->policy().revisions.back().date, "2026-03-23");
    EXPECT_EQ(c->classification().key, "municipal-2024");
    EXPECT_EQ(c->schemes().size(), 2u);
    EXPECT_EQ(c->zones().zones.size(), 3u);
    EXPECT_EQ(c->zones().flows.size(), 6u);
}

// The consistency checks of the asset register are data of each scheme; the Hirakawa
// schemes give the four checks whose codes the API reports.
TEST(HirakawaCatalog, SchemesCarryTheFourConsistencyChecks) {
    ASSERT_EQ(Hirakawa().schemes().size(), 2u);
    for (const auto& scheme : Hirakawa().schemes()) {
        const auto& checks = scheme.consistency_checks;
        ASSERT_EQ(checks.size(), 4u) << scheme.file;
        EXPECT_EQ(checks[0].code, "specific_personal_info_outside_mynumber");
        EXPECT_EQ(checks[0].kind, "specific_personal_info_outside_zone");
        EXPECT_EQ(checks[0].params.at("zone"), "mynumber");
        EXPECT_EQ(checks[0].ref, "5(1)");
        EXPECT_EQ(checks[1].code, "personal_info_lowest_confidentiality");
        EXPECT_EQ(checks[1].kind, "personal_info_at_or_below");
        EXPECT_EQ(checks[1].params.at("max_level"), "1");
        EXPECT_EQ(checks[1].ref, "4(1)");
        EXPECT_EQ(checks[2].code, "above_system_highest");
        EXPECT_EQ(checks[2].kind, "above_system_highest");
        EXPECT_TRUE(checks[2].params.empty());
        EXPECT_EQ(checks[3].code, "review_overdue");
        EXPECT_EQ(checks[3].kind, "review_overdue");
        EXPECT_EQ(checks[3].ref, "4(2)");
        for (const auto& c : checks) {
            EXPECT_FALSE(c.description.empty()) << c.code;
            EXPECT_FALSE(c.message.empty()) << c.code;
        }
    }
    EXPECT_EQ(Hirakawa().classification().consistency_checks.size(), 4u);
}

// Every heading of 第2章 in the published text is in the catalog, numbered and titled the
// same, in the same order; the catalog has nothing the text does not.
TEST(HirakawaCatalog, HasEveryHeadingOfChapter2AsPublished) {
    const auto lines = NonBlankLines(ReadSource());
    const auto chapter2 = Between(lines, "第2章 情報セキュリティ対策基準", "\x01");
    ASSERT_FALSE(chapter2.empty());
    const std::regex chapter(R"(^(\d{1,2}) (.+)$)");
    const std::regex section(R"(^(\d{1,2}-\d{1,2}) (.+)$)");
    const std::regex item(R"(^- \((\d{1,2})\) (.+)$)");
    std::vector<std::pair<std::string, std::string>> headings;
    std::string current_chapter, current_section;
    for (const auto& l : chapter2) {
        std::smatch m;
        if (std::regex_match(l, m, section)) {
            current_section = m[1];
            headings.emplace_back(m[1], m[2]);
        } else if (std::regex_match(l, m, chapter)) {
            current_chapter = m[1];
            current_section.clear();
            headings.emplace_back(m[1], m[2]);
        } else if (std::regex_match(l, m, item)) {
            const std::string parent = current_section.empty() ? current_chapter : current_section;
            headings.emplace_back(parent + "(" + m[1].str() + ")", m[2]);
        }
    }
    ASSERT_EQ(headings.size(), 170u) << "the published text has 170 headings in 第2章";
    const auto& controls = Hirakawa().controls();
    ASSERT_EQ(controls.size(), headings.size());
    for (std::size_t i = 0; i < headings.size(); ++i) {
        EXPECT_EQ(controls[i].ref, headings[i].first) << "at heading " << i;
        EXPECT_EQ(controls[i].title, headings[i].second) << "at " << headings[i].first;
    }
}

void AppendParagraphs(const std::string& text, std::vector<std::string>& out) {
    for (const auto& l : NonBlankLines(text)) out.push_back(l);
}

void AppendBasic(const BasicItem& item, bool top, std::vector<std::string>& out) {
    if (top) {
        out.push_back(item.ref + " " + item.title);
    } else {
        out.push_back(item.ref.substr(item.ref.find('(')) + " " + item.title);
    }
    AppendParagraphs(item.text, out);
    for (const auto& sub : item.items) AppendBasic(sub, false, out);
    AppendParagraphs(item.closing, out);
}

// 第1章 is the published text, verbatim: rebuilt from the catalog it gives every line.
TEST(HirakawaCatalog, BasicPolicyIsVerbatim) {
    const auto lines = NonBlankLines(ReadSource());
    const auto chapter1 =
        Between(lines, "第1章 情報セキュリティ基本方針", "第2章 情報セキュリティ対策基準");
    ASSERT_GT(chapter1.size(), 50u);
    EXPECT_EQ(Hirakawa().basic_chapter(), "第1章 情報セキュリティ基本方針");
    std::vector<std::string> rebuilt;
    for (const auto& item : Hirakawa().basic()) AppendBasic(item, true, rebuilt);
    EXPECT_EQ(rebuilt, chapter1);
}

TEST(HirakawaCatalog, PrefaceIsVerbatim) {
    const auto lines = NonBlankLines(ReadSource());
    const auto preface = Between(lines, "序文", "情報セキュリティポリシーの構成");
    std::vector<std::string> rebuilt;
    AppendParagraphs(Hirakawa().policy().preface, rebuilt);
    EXPECT_EQ(rebuilt, preface);
}

TEST(HirakawaCatalog, EveryRequirementIsComplete) {
    int leaves = 0;
    for (const auto& c : Hirakawa().controls()) {
        if (!c.leaf()) continue;
        ++leaves;
        EXPECT_FALSE(c.requirement.empty()) << c.ref;
        EXPECT_FALSE(c.roles.empty()) << c.ref;
        EXPECT_FALSE(c.evidence.empty()) << c.ref;
        EXPECT_GE(c.questions.size(), 1u) << c.ref;
        EXPECT_LE(c.questions.size(), 3u) << c.ref;
        EXPECT_FALSE(c.implemented_by.empty()) << c.ref;
    }
    EXPECT_GT(leaves, 130);
    const Control* c = Hirakawa().Find("8-2(6)");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->title, "特権による接続時間の制限");
    EXPECT_EQ(c->parent, "8-2");
    EXPECT_EQ(c->depth, 2);
}

// ---- the checker, on small catalogs

CatalogFiles Minimal() {
    CatalogFiles f = BuiltinCatalogFiles();
    for (auto it = f.begin(); it != f.end();)
        it = it->first.rfind("standards/", 0) == 0 || it->first.rfind("requests/", 0) == 0
                 ? f.erase(it)
                 : std::next(it);
    // zones and the classification refer to requirements; keep them valid with one chapter.
    f["standards/01-x.yaml"] = R"y(ref: "1"
title: 趣旨
requirement: 要件。
roles: [ciso]
evidence: [記録]
questions: [守っていますか。]
implemented_by: [manual]
)y";
    for (const char* file : {"zones.yaml", "classification.yaml", "classification-legacy.yaml"}) {
        std::string& text = f[file];
        text = std::regex_replace(text, std::regex(R"re(ref: "[^"]+")re"), R"re(ref: "1")re");
    }
    return f;
}

std::vector<Problem> ProblemsOf(const CatalogFiles& files) {
    std::vector<Problem> problems;
    auto c = Catalog::Parse(files, &problems);
    EXPECT_FALSE(c);
    if (!c) {
        EXPECT_EQ(c.error().code, "catalog_invalid");
    }
    return problems;
}

bool Mentions(const std::vector<Problem>& problems, const std::string& file, int line,
              const std::string& text) {
    for (const auto& p : problems)
        if (p.file == file && (line == 0 || p.line == line) &&
            p.message.find(text) != std::string::npos)
            return true;
    ADD_FAILURE() << "expected " << file << ":" << line << " " << text << " in:\n"
                  << FormatProblems(problems);
    return false;
}

TEST(CatalogCheck, HirakawaShipsItsApplicationTypes) {
    std::vector<Problem> problems;
    auto c = Catalog::Parse(BuiltinCatalogFiles(), &problems);
    ASSERT_TRUE(c) << FormatProblems(problems);
    for (const char* key :
         {"exception", "takeout", "provision", "disposal", "software_install", "equipment_change",
          "external_network", "cloud_service", "privileged_id"})
        EXPECT_NE(c->FindRequestType(key), nullptr) << key;
    const RequestType* takeout = c->FindRequestType("takeout");
    ASSERT_NE(takeout, nullptr);
    ASSERT_FALSE(takeout->chain.empty());
    EXPECT_TRUE(takeout->chain[0].from_handling());
    EXPECT_EQ(c->FindRequestType("exception")->exception, true);
    const auto& grant = c->FindRequestType("privileged_id")->privileged_access;
    ASSERT_TRUE(grant);
    EXPECT_EQ(grant->system_field, "system");
    EXPECT_EQ(grant->account_field, "account");
}

TEST(CatalogCheck, ApplicationTypesAreCheckedWithTheirLines) {
    CatalogFiles f = BuiltinCatalogFiles();
    f["requests/zz_bad.yaml"] = R"y(key: wrong
prefix: EXC
name: 誤り
description: 誤りのある申請です。
refs: ["99-9"]
exception: true
fields:
  - {key: a, label: あ, type: photo}
  - {key: b, label: い, type: boolean, required: true}
  - {key: c, label: う, type: choice, options: [{value: x, label: x}]}
  - {key: d, label: え, type: text, multiple: true}
chain:
  - role: staff
  - role: system_manager
  - from_handling: {field: a, rule: storage}
  - role: ciso
    when: {field: c, in: [y]}
privileged_access: {system_field: a, account_field: d}
)y";
    std::vector<Problem> problems;
    ASSERT_FALSE(Catalog::Parse(f, &problems));
    Mentions(problems, "requests/zz_bad.yaml", 1, "key must match the file name");
    Mentions(problems, "requests/zz_bad.yaml", 2, "prefix EXC is also used by exception");
    Mentions(problems, "requests/zz_bad.yaml", 5, "ref: no requirement 99-9");
    Mentions(problems, "requests/zz_bad.yaml", 6, "only one request type may be the exception");
    Mentions(problems, "requests/zz_bad.yaml", 8, "unknown type photo");
    Mentions(problems, "requests/zz_bad.yaml", 9, "a boolean field cannot be required");
    Mentions(problems, "requests/zz_bad.yaml", 10, "a choice needs 2 to 30 options");
    Mentions(problems, "requests/zz_bad.yaml", 11, "may be multiple");
    Mentions(problems, "requests/zz_bad.yaml", 13, "staff does not approve");
    Mentions(problems, "requests/zz_bad.yaml", 14, "system_manager needs system_field");
    Mentions(problems, "requests/zz_bad.yaml", 15, "rule must be takeout, provision or disposal");
    Mentions(problems, "requests/zz_bad.yaml", 0, "y is not an option of c");
    Mentions(problems, "requests/zz_bad.yaml", 18, "a must name a required system field");
    Mentions(problems, "requests/zz_bad.yaml", 18, "d must name a required text field");
    Mentions(problems, "requests/zz_bad.yaml", 18, "needs a validity period");
}

TEST(CatalogCheck, MinimalCatalogIsValid) {
    std::vector<Problem> problems;
    auto c = Catalog::Parse(Minimal(), &problems);
    ASSERT_TRUE(c) << FormatProblems(problems);
    EXPECT_EQ(c->controls().size(), 1u);
}

TEST(CatalogCheck, BadYamlIsReportedWithItsLine) {
    auto f = Minimal();
    f["standards/01-x.yaml"] = "ref: \"1\"\ntitle: [unclosed\n";
    EXPECT_TRUE(Mentions(ProblemsOf(f), "standards/01-x.yaml", 0, "not valid YAML"));
}

TEST(CatalogCheck, DuplicateAndMisplacedRefs) {
    auto f = Minimal();
    f["standards/02-y.yaml"] = R"y(ref: "2"
title: 対象範囲
items:
  - ref: "2(1)"
    title: a
    requirement: r
    roles: [ciso]
    evidence: [e]
    questions: [q]
    implemented_by: [manual]
  - ref: "2(1)"
    title: b
    requirement: r
    roles: [ciso]
    evidence: [e]
    questions: [q]
    implemented_by: [manual]
  - ref: "3(1)"
    title: c
    requirement: r
    roles: [ciso]
    evidence: [e]
    questions: [q]
    implemented_by: [manual]
)y";
    const auto problems = ProblemsOf(f);
    EXPECT_TRUE(Mentions(problems, "standards/02-y.yaml", 11, "duplicate ref 2(1)"));
    EXPECT_TRUE(Mentions(problems, "standards/02-y.yaml", 18, "3(1) cannot sit under 2"));
}

TEST(CatalogCheck, UnknownRoleCapabilityAndDanglingReference) {
    auto f = Minimal();
    f["standards/01-x.yaml"] = R"y(ref: "1"
title: 趣旨
requirement: 要件。
roles: [mayor]
evidence: [記録]
questions: [守っていますか。]
implemented_by: [assets.register, teleport]
related: ["9-9(9)"]
)y";
    const auto problems = ProblemsOf(f);
    EXPECT_TRUE(Mentions(problems, "standards/01-x.yaml", 1, "unknown role mayor"));
    EXPECT_TRUE(Mentions(problems, "standards/01-x.yaml", 1, "unknown capability teleport"));
    EXPECT_TRUE(Mentions(problems, "standards/01-x.yaml", 1, "no requirement 9-9(9)"));
}

TEST(CatalogCheck, MissingFieldsAndUnknownKeys) {
    auto f = Minimal();
    f["standards/01-x.yaml"] = R"y(ref: "1"
title: 趣旨
requirement: 要件。
roles: [ciso]
questions: [a, b, c, d]
implemented_by: [manual, assets.register]
colour: blue
)y";
    const auto problems = ProblemsOf(f);
    EXPECT_TRUE(Mentions(problems, "standards/01-x.yaml", 0, "`evidence` is missing"));
    EXPECT_TRUE(Mentions(problems, "standards/01-x.yaml", 0, "one to three questions"));
    EXPECT_TRUE(Mentions(problems, "standards/01-x.yaml", 0, "either [manual] or capabilities"));
    EXPECT_TRUE(Mentions(problems, "standards/01-x.yaml", 7, "unknown key `colour`"));
}

TEST(CatalogCheck, UnknownClassificationLevelRuleAndApprover) {
    auto f = Minimal();
    std::string& text = f["classification.yaml"];
    text =
        std::regex_replace(text, std::regex("requires_approval_by: section_manager"),
                           "requires_approval_by: mayor", std::regex_constants::format_first_only);
    text = std::regex_replace(text, std::regex("copies:"),
                              "teleport:", std::regex_constants::format_first_only);
    const auto problems = ProblemsOf(f);
    EXPECT_TRUE(Mentions(problems, "classification.yaml", 0, "unknown role mayor"));
    EXPECT_TRUE(Mentions(problems, "classification.yaml", 0, "unknown handling rule `teleport`"));
}

// Replaces the consistency checks of classification.yaml with `checks` (YAML text starting
// with `consistency_checks:`); returns the file line where `checks` begins.
int WithChecks(CatalogFiles& f, const std::string& checks) {
    std::string& text = f["classification.yaml"];
    const auto at = text.find("\nconsistency_checks:");
    if (at != std::string::npos) text.erase(at + 1);
    if (!text.empty() && text.back() != '\n') text += '\n';
    const int line = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
    text += checks;
    return line;
}

TEST(CatalogCheck, ASchemeWithoutConsistencyChecksHasNone) {
    auto f = Minimal();
    WithChecks(f, "");
    std::vector<Problem> problems;
    auto c = Catalog::Parse(f, &problems);
    ASSERT_TRUE(c) << FormatProblems(problems);
    EXPECT_TRUE(c->classification().consistency_checks.empty());
    EXPECT_EQ(c->schemes().back().consistency_checks.size(), 4u);  // the legacy file
}

TEST(CatalogCheck, ConsistencyChecksAreCheckedWithTheirLines) {
    auto f = Minimal();
    const int at = WithChecks(f, R"y(consistency_checks:
  - code: a_check
    kind: teleport
    ref: "1"
    description: d
    message: m
  - code: b_check
    kind: specific_personal_info_outside_zone
    ref: "1"
    description: d
    message: m
  - code: c_check
    kind: specific_personal_info_outside_zone
    zone: moon
    ref: "1"
    description: d
    message: "{zone} {colour}"
  - code: d_check
    kind: personal_info_at_or_below
    max_level: "9"
    ref: "9-9(9)"
    description: d
    message: m
  - code: d_check
    kind: review_overdue
    grace_days: soon
    ref: "1"
    description: d
    message: "{due"
    colour: blue
  - code: Bad-Code
    kind: above_system_highest
    description: d
    message: "{level} {system_level}"
)y");
    const std::string file = "classification.yaml";
    const auto problems = ProblemsOf(f);
    EXPECT_TRUE(Mentions(problems, file, at + 2, "unknown kind `teleport`"));
    EXPECT_TRUE(Mentions(problems, file, at + 6, "`zone` is missing"));
    EXPECT_TRUE(Mentions(problems, file, at + 13, "zone moon is not in zones.yaml"));
    EXPECT_TRUE(Mentions(problems, file, at + 16, "unknown placeholder {colour}"));
    EXPECT_TRUE(Mentions(problems, file, at + 19, "max_level 9 is not a confidentiality level"));
    EXPECT_TRUE(Mentions(problems, file, at + 20, "no requirement 9-9(9)"));
    EXPECT_TRUE(Mentions(problems, file, at + 23, "duplicate consistency check d_check"));
    EXPECT_TRUE(Mentions(problems, file, at + 25, "grace_days must be a whole number"));
    EXPECT_TRUE(Mentions(problems, file, at + 28, "`{` without a closing `}`"));
    EXPECT_TRUE(Mentions(problems, file, at + 29, "unknown key `colour`"));
    EXPECT_TRUE(Mentions(problems, file, at + 30, "code is snake_case"));
    EXPECT_TRUE(Mentions(problems, file, at + 30, "`ref` is missing"));
    EXPECT_EQ(problems.size(), 12u) << FormatProblems(problems);
}

TEST(CatalogCheck, EveryZonePairNeedsAFlow) {
    auto f = Minimal();
    std::string& text = f["zones.yaml"];
    const auto at = text.find("  - from: mynumber\n    to: internet");
    ASSERT_NE(at, std::string::npos);
    const auto next = text.find("  - from:", at + 5);
    text.erase(at, next == std::string::npos ? std::string::npos : next - at);
    EXPECT_TRUE(Mentions(ProblemsOf(f), "zones.yaml", 0, "mynumber → internet is not listed"));
}

TEST(CatalogCheck, MissingFile) {
    auto f = Minimal();
    f.erase("policy.yaml");
    EXPECT_TRUE(Mentions(ProblemsOf(f), "policy.yaml", 0, "the file is missing"));
}

TEST(CatalogCheck, InvalidUtf8) {
    auto f = Minimal();
    f["capabilities.yaml"] += "# \xff\n";
    EXPECT_TRUE(Mentions(ProblemsOf(f), "capabilities.yaml", 0, "not valid UTF-8"));
}

}  // namespace
}  // namespace mamori::policy

namespace mamori::policy {
namespace {

TEST(CatalogCheck, IncidentRulesAreCheckedWithTheirLines) {
    CatalogFiles f = BuiltinCatalogFiles();
    f["incidents.yaml"] = R"y(categories:
  - {key: loss, name: 紛失}
  - {key: loss, name: 盗難}
severities:
  - {key: low, name: 低, description: 小さい}
  - {key: High, name: 高, description: 大きい}
escalate_from: critical
deadlines:
  - {key: ppc, name: 速報, to: 委員会, applies: sometimes, days: 0, days_if_malicious: 3}
outside_bodies: [警察]
surprise: 1
)y";
    std::vector<Problem> problems;
    ASSERT_FALSE(Catalog::Parse(f, &problems));
    const auto has = [&](int line, const std::string& text) {
        for (const auto& p : problems)
            if (p.file == "incidents.yaml" && p.line == line &&
                p.message.find(text) != std::string::npos)
                return true;
        ADD_FAILURE() << "expected incidents.yaml:" << line << " " << text << " in:\n"
                      << FormatProblems(problems);
        return false;
    };
    has(3, "duplicate key loss");
    has(6, "key High is not");
    has(7, "critical is not one of the severities");
    has(9, "applies must be personal_information or always");
    has(9, "days must be 1 to 365");
    has(11, "unknown key `surprise`");
}

TEST(CatalogCheck, ACatalogWithoutIncidentRulesHasNone) {
    CatalogFiles f = BuiltinCatalogFiles();
    f.erase("incidents.yaml");
    std::vector<Problem> problems;
    auto c = Catalog::Parse(f, &problems);
    ASSERT_TRUE(c) << FormatProblems(problems);
    EXPECT_FALSE(c->incident_rules().defined);
}

}  // namespace
}  // namespace mamori::policy
