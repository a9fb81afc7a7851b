#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy/catalog.h"

namespace mamori::assets {

/// What the consistency checks look at: an asset, and the system it is kept in (if any).
struct AssetFacts {
    std::string confidentiality;  ///< level key
    bool personal_info = false;
    bool specific_personal_info = false;  ///< 特定個人情報 (My Number data)
    std::string next_review_on;           ///< "YYYY-MM-DD"; empty when not set
    std::string status = "active";        ///< disposed assets are not checked
    struct System {
        std::string zone;                     ///< zones.yaml key
        std::string highest_confidentiality;  ///< level key
    };
    std::optional<System> system;
};

/// A finding: a stable snake_case code, a message in Japanese and the 対策基準 item.
struct Warning {
    std::string code;
    std::string message;
    std::string ref;
};

/// One named check. The rule set is a list of these so that a later step can move their
/// parameters (the zone for 特定個人情報, the minimum rank for personal information, …)
/// into the policy catalog without changing callers: the codes and refs are stable.
struct ConsistencyCheck {
    std::string code;
    std::string ref;
    std::string description;  ///< Japanese, for a list of the rules
};

/// The rule set, in the order warnings are reported:
///  - specific_personal_info_outside_mynumber (5(1)): 特定個人情報 kept in a system whose
///    zone is not `mynumber`;
///  - personal_info_lowest_confidentiality (4(1)): personal information classified at the
///    lowest confidentiality rank of the scheme;
///  - above_system_highest (4(1)): the asset is more confidential (by rank) than its
///    system's declared highest level;
///  - review_overdue (4(2)): next_review_on is before today.
const std::vector<ConsistencyCheck>& ConsistencyChecks();

/// Runs every check on one asset. `today` is "YYYY-MM-DD" (the city's date). Levels unknown
/// to the scheme make the checks that need their rank silent. Disposed assets give no
/// warnings. Pure.
std::vector<Warning> CheckConsistency(const policy::ClassificationScheme& scheme,
                                      const AssetFacts& asset, const std::string& today);

}  // namespace mamori::assets
