#include "assets/consistency.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "assets/handling.h"

namespace mamori::assets {

namespace {

constexpr std::string_view kMyNumberZone = "mynumber";

int RankOf(const policy::ClassificationScheme& scheme, const std::string& key) {
    const policy::Level* l = FindLevel(scheme, "confidentiality", key);
    return l ? l->rank : 0;
}

int LowestRank(const policy::ClassificationScheme& scheme) {
    const policy::Axis* axis = scheme.FindAxis("confidentiality");
    if (!axis || axis->levels.empty()) return 0;
    int lowest = axis->levels.front().rank;
    for (const auto& l : axis->levels) lowest = std::min(lowest, l.rank);
    return lowest;
}

using Rule = std::function<std::optional<std::string>(const policy::ClassificationScheme&,
                                                      const AssetFacts&, const std::string&)>;

/// The implementation of each check, in the order of ConsistencyChecks(); each returns the
/// message of its warning, or nothing.
const std::vector<Rule>& Rules() {
    static const std::vector<Rule> kRules = {
        [](const auto&, const AssetFacts& a, const std::string&) -> std::optional<std::string> {
            if (!a.specific_personal_info || !a.system || a.system->zone == kMyNumberZone)
                return std::nullopt;
            return fmt::format(
                "特定個人情報が、マイナンバー利用事務系ではない系統 ({}) の情報システムに"
                "保存されています",
                a.system->zone);
        },
        [](const auto& scheme, const AssetFacts& a,
           const std::string&) -> std::optional<std::string> {
            const int rank = RankOf(scheme, a.confidentiality);
            if (!a.personal_info || rank == 0 || rank != LowestRank(scheme)) return std::nullopt;
            return fmt::format(
                "個人情報を含む情報資産が、機密性の最も低い区分 ({}) に分類されています",
                a.confidentiality);
        },
        [](const auto& scheme, const AssetFacts& a,
           const std::string&) -> std::optional<std::string> {
            if (!a.system) return std::nullopt;
            const int rank = RankOf(scheme, a.confidentiality);
            const int highest = RankOf(scheme, a.system->highest_confidentiality);
            if (rank == 0 || highest == 0 || rank <= highest) return std::nullopt;
            return fmt::format(
                "情報資産の機密性 ({}) が、情報システムで扱う最も高い機密性 ({}) を超えています",
                a.confidentiality, a.system->highest_confidentiality);
        },
        [](const auto&, const AssetFacts& a,
           const std::string& today) -> std::optional<std::string> {
            if (a.next_review_on.empty() || a.next_review_on >= today) return std::nullopt;
            return fmt::format("見直し (棚卸し) の期日 {} を過ぎています", a.next_review_on);
        },
    };
    return kRules;
}

}  // namespace

const std::vector<ConsistencyCheck>& ConsistencyChecks() {
    static const std::vector<ConsistencyCheck> kChecks = {
        {"specific_personal_info_outside_mynumber", "5(1)",
         "特定個人情報はマイナンバー利用事務系の情報システムに保存する"},
        {"personal_info_lowest_confidentiality", "4(1)",
         "個人情報を含む情報資産を機密性の最も低い区分に分類しない"},
        {"above_system_highest", "4(1)",
         "情報資産の機密性は、保存先の情報システムで扱う最も高い機密性を超えない"},
        {"review_overdue", "4(2)", "情報資産の見直し (棚卸し) を期日までに行う"},
    };
    return kChecks;
}

std::vector<Warning> CheckConsistency(const policy::ClassificationScheme& scheme,
                                      const AssetFacts& asset, const std::string& today) {
    std::vector<Warning> out;
    if (asset.status == "disposed") return out;
    const auto& checks = ConsistencyChecks();
    const auto& rules = Rules();
    for (std::size_t n = 0; n < checks.size() && n < rules.size(); ++n)
        if (auto message = rules[n](scheme, asset, today))
            out.push_back({checks[n].code, std::move(*message), checks[n].ref});
    return out;
}

}  // namespace mamori::assets
