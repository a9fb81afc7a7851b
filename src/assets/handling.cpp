#include "assets/handling.h"

#include <fmt/format.h>

#include <array>
#include <string_view>
#include <utility>

namespace mamori::assets {

namespace {

constexpr std::array<std::string_view, 3> kAxes = {"confidentiality", "integrity", "availability"};

const char* AxisLabel(std::string_view axis) {
    if (axis == "confidentiality") return "機密性";
    if (axis == "integrity") return "完全性";
    return "可用性";
}

/// How strict a field's value is: 0 absent, larger stricter. Values the table does not
/// rank count as 1 (present).
int Strictness(std::string_view field, std::string_view value) {
    if (field == "allowed") return value == "false" ? 2 : 1;
    if (field == "required" || field == "restricted" || field == "designated_only" ||
        field == "locked")
        return value == "true" ? 2 : 1;
    if (field == "encryption") return value == "required" ? 2 : 1;
    return 1;
}

struct Candidate {
    std::string value;
    int rank = 0;  // of the level it came from
};

}  // namespace

const policy::Level* FindLevel(const policy::ClassificationScheme& scheme, std::string_view axis,
                               std::string_view key) {
    const policy::Axis* ax = scheme.FindAxis(axis);
    if (!ax) return nullptr;
    for (const auto& l : ax->levels)
        if (l.key == key) return &l;
    return nullptr;
}

std::vector<AppliedRule> HandlingFor(const policy::ClassificationScheme& scheme,
                                     const std::string& c, const std::string& i,
                                     const std::string& a) {
    const std::array<const std::string*, 3> keys = {&c, &i, &a};
    std::vector<AppliedRule> out;
    std::map<std::string, std::size_t> index;               // rule key → out
    std::vector<std::map<std::string, Candidate>> winners;  // per out entry
    for (std::size_t n = 0; n < kAxes.size(); ++n) {
        if (keys[n]->empty()) continue;
        const policy::Level* level = FindLevel(scheme, kAxes[n], *keys[n]);
        if (!level) continue;
        for (const auto& rule : level->handling) {
            auto [it, inserted] = index.try_emplace(rule.key, out.size());
            if (inserted) {
                AppliedRule applied;
                applied.key = rule.key;
                applied.axis = std::string(kAxes[n]);
                applied.level = level->key;
                applied.ref = rule.ref;
                applied.note = rule.note;
                out.push_back(std::move(applied));
                winners.emplace_back();
            }
            AppliedRule& applied = out[it->second];
            applied.sources.push_back({std::string(kAxes[n]), level->key, rule.ref, rule.note});
            auto& best = winners[it->second];
            for (const auto& [field, value] : rule.fields) {
                auto found = best.find(field);
                if (found == best.end()) {
                    best.emplace(field, Candidate{value, level->rank});
                    continue;
                }
                const int now = Strictness(field, found->second.value);
                const int cand = Strictness(field, value);
                if (cand > now || (cand == now && value != found->second.value &&
                                   level->rank > found->second.rank))
                    found->second = Candidate{value, level->rank};
            }
        }
    }
    for (std::size_t k = 0; k < out.size(); ++k)
        for (auto& [field, cand] : winners[k]) out[k].fields[field] = std::move(cand.value);
    return out;
}

Result<void> ValidateLevels(const policy::ClassificationScheme& scheme, const std::string& c,
                            const std::string& i, const std::string& a) {
    const std::array<const std::string*, 3> keys = {&c, &i, &a};
    for (std::size_t n = 0; n < kAxes.size(); ++n) {
        const std::string field(kAxes[n]);
        const policy::Axis* axis = scheme.FindAxis(kAxes[n]);
        const std::string& key = *keys[n];
        if (!axis) {
            if (!key.empty())
                return Fail(Error::Invalid("unknown_level",
                                           fmt::format("分類基準「{}」には{}の区分がありません",
                                                       scheme.name, AxisLabel(kAxes[n])),
                                           field));
            continue;
        }
        if (key.empty())
            return Fail(Error::Invalid(
                "missing_field", fmt::format("{}の区分を指定してください", AxisLabel(kAxes[n])),
                field));
        if (!FindLevel(scheme, kAxes[n], key)) {
            std::string known;
            for (const auto& l : axis->levels) known += (known.empty() ? "" : "、") + l.key;
            return Fail(Error::Invalid(
                "unknown_level",
                fmt::format("{}の区分は {} のいずれかです", AxisLabel(kAxes[n]), known), field));
        }
    }
    return {};
}

namespace {

struct RuleText {
    std::string_view key;
    std::string_view title;
    std::string_view subject;  ///< the act, as the object of 〜には
};

constexpr RuleText kRuleTexts[] = {
    {"copies", "複製・配付", "複製・配付"},
    {"storage", "保管", "保管"},
    {"transmission", "送信・運搬", "送信・運搬"},
    {"takeout", "持ち出し", "持ち出し"},
    {"provision", "外部への提供", "外部への提供"},
    {"disposal", "廃棄", "廃棄"},
    {"private_devices", "私物端末での取扱い", "支給以外の端末での取扱い"},
    {"publication", "公開", "公開"},
    {"backup", "バックアップ", "バックアップ"},
    {"signature", "電子署名", "送信時の電子署名"},
    {"recovery", "復旧", "障害からの復旧"},
    {"label", "分類の表示", "分類の表示"},
};

const RuleText* TextOf(std::string_view key) {
    for (const auto& t : kRuleTexts)
        if (t.key == key) return &t;
    return nullptr;
}

std::string Field(const AppliedRule& r, const std::string& name) {
    auto it = r.fields.find(name);
    return it == r.fields.end() ? std::string() : it->second;
}

}  // namespace

std::string RuleTitle(std::string_view key) {
    const RuleText* t = TextOf(key);
    return t ? std::string(t->title) : std::string(key);
}

std::string DescribeRule(const AppliedRule& r,
                         const std::function<std::string(const std::string&)>& role_name) {
    const RuleText* t = TextOf(r.key);
    const std::string subject = t ? std::string(t->subject) : r.key;
    // One short sentence per field, in the order a person acts on them.
    std::string out;
    if (Field(r, "allowed") == "false") out += subject + "は禁止されています。";
    if (Field(r, "allowed") == "true") out += subject + "は認められています。";
    if (Field(r, "restricted") == "true") out += subject + "は業務に必要な範囲に限ります。";
    if (Field(r, "designated_only") == "true") out += "定められた場所に保管します。";
    if (Field(r, "locked") == "true") out += "施錠できる場所に置きます。";
    if (Field(r, "encryption") == "required") out += "暗号化が必要です。";
    if (Field(r, "encryption") == "recommended") out += "暗号化を推奨します。";
    if (Field(r, "method") == "irrecoverable") out += subject + "は復元できない方法で行います。";
    if (Field(r, "record") == "required") out += "日時、担当者及び方法を記録します。";
    if (Field(r, "required") == "true") out += subject + "が必要です。";
    if (Field(r, "required") == "false") out += subject + "は必須ではありません。";
    if (const std::string target = Field(r, "target"); !target.empty())
        out += "目標は「" + target + "」です。";
    if (const std::string role = Field(r, "requires_approval_by"); !role.empty())
        out += subject + "には" + role_name(role) + "の許可が必要です。";
    if (out.empty()) out = subject + "について定めがあります。";
    return out;
}

}  // namespace mamori::assets
