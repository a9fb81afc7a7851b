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

/// One check of the scheme: its stable code, kind, parameters, 対策基準 ref, description and
/// message template (policy::ConsistencyCheck, read from `consistency_checks:` of the
/// classification file; docs/policy-catalog.md).
using ConsistencyCheck = policy::ConsistencyCheck;

/// The scheme's checks, in the order warnings are reported (the Hirakawa schemes list
/// specific_personal_info_outside_mynumber, personal_info_lowest_confidentiality,
/// above_system_highest and review_overdue). A scheme without `consistency_checks` has
/// none. The reference is into `scheme`.
const std::vector<ConsistencyCheck>& ConsistencyChecks(const policy::ClassificationScheme& scheme);

/// The check kinds implemented here; the same set as policy::ConsistencyCheckKinds() (a
/// test holds them together).
std::vector<std::string> ImplementedCheckKinds();

/// Runs every check of the scheme on one asset, in the scheme's order; each warning carries
/// the check's code and ref and its message with the placeholders filled in. `today` is
/// "YYYY-MM-DD" (the city's date). Levels unknown to the scheme make the checks that need
/// their rank silent, as does a date that cannot be read. Disposed assets give no warnings.
/// Pure.
std::vector<Warning> CheckConsistency(const policy::ClassificationScheme& scheme,
                                      const AssetFacts& asset, const std::string& today);

}  // namespace mamori::assets
