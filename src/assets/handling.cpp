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

}  // namespace mamori::assets
