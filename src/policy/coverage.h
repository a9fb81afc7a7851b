#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "policy/catalog.h"

namespace mamori::policy {

/// How far mamori supports a requirement today.
enum class Support {
    kAvailable,  ///< at least one capability that implements it exists in this release
    kPlanned,    ///< implemented only by capabilities still planned
    kManual,     ///< done by people, outside mamori (`implemented_by: [manual]`)
};

/// "available" | "planned" | "manual".
std::string_view SupportName(Support s);

/// A capability as a requirement names it. `status` is capabilities.yaml's status, or
/// "unknown" for a key the catalog does not list (a checked catalog has none).
struct CapabilityUse {
    std::string key;
    std::string name;
    std::string area;
    std::string status;
};

/// One requirement (a leaf of 第2章) and what implements it.
struct CoverageItem {
    std::string ref;
    std::string title;
    std::string chapter;  ///< ref of its chapter ("8" for "8-2(6)")
    bool manual = false;
    Support support = Support::kManual;
    std::vector<CapabilityUse> implemented_by;  ///< empty when manual
};

struct CoverageTotals {
    int requirements = 0;
    int available = 0;  ///< with at least one available capability
    int planned = 0;    ///< with capabilities, none of them available yet
    int manual = 0;
};

struct ChapterCoverage {
    std::string ref;
    std::string title;
    CoverageTotals totals;
};

/// The map of how much of the policy mamori supports.
struct Coverage {
    std::string version;
    CoverageTotals totals;
    std::vector<ChapterCoverage> chapters;  ///< in document order
    std::vector<CoverageItem> items;        ///< every requirement, in document order
};

/// Coverage of every requirement of `c`. Pure.
Coverage Cover(const Catalog& c);

/// {"version", "totals": {"requirements", "available", "planned", "manual"},
///  "chapters": [{"ref", "title", "totals"}], "items": [{"ref", "title", "chapter", "manual",
///  "support", "implemented_by": [{"key", "name", "area", "status"}]}]}
boost::json::value ToJson(const Coverage& c);

}  // namespace mamori::policy
