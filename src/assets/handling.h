#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "policy/catalog.h"

namespace mamori::assets {

/// Where (part of) an applied rule comes from: one level of one axis of the scheme.
struct RuleSource {
    std::string axis;   ///< confidentiality | integrity | availability
    std::string level;  ///< the level key, e.g. "3B"
    std::string ref;    ///< the 対策基準 item, e.g. "4(2)"
    std::string note;   ///< may be empty
};

/// One handling rule as it applies to an asset, merged over its three levels.
struct AppliedRule {
    std::string key;                            ///< takeout, transmission, …
    std::map<std::string, std::string> fields;  ///< merged, the strictest value of each field
    /// The first contributing level (axis order confidentiality, integrity, availability);
    /// its ref and note are the rule's citation.
    std::string axis;
    std::string level;
    std::string ref;
    std::string note;
    /// Every level whose rule with this key contributed, in axis order.
    std::vector<RuleSource> sources;
};

/// The handling rules that apply to an asset classified (c, i, a) under `scheme`: the rules
/// of the three levels merged into one entry per rule key, in the order keys first appear
/// (confidentiality's rules first). A field present in several levels keeps its strictest
/// value: `allowed: false` over `true`; `true` over `false` for required, restricted,
/// designated_only, locked; `encryption: required` over `recommended`; a present field
/// over an absent one; between two other values (e.g. two different approvers) the one of
/// the higher-ranked level, then the earlier axis. Unknown or empty level keys contribute
/// nothing (validate first with ValidateLevels). Pure.
std::vector<AppliedRule> HandlingFor(const policy::ClassificationScheme& scheme,
                                     const std::string& c, const std::string& i,
                                     const std::string& a);

/// Checks that c, i and a are level keys of the scheme's axes. An axis the scheme does not
/// have must be given empty. Errors: kInvalidInput "missing_field" / "unknown_level" naming
/// the field (confidentiality, integrity or availability).
[[nodiscard]] Result<void> ValidateLevels(const policy::ClassificationScheme& scheme,
                                          const std::string& c, const std::string& i,
                                          const std::string& a);

/// The Japanese title of a handling rule key (持ち出し for takeout, …); the key itself when
/// unknown.
std::string RuleTitle(std::string_view key);

/// One plain Japanese sentence saying what the rule asks, e.g.
/// 「持ち出しには情報セキュリティ管理者の許可が必要です。」. `role_name` turns a role key
/// (requires_approval_by) into its name. Pure.
std::string DescribeRule(const AppliedRule& rule,
                         const std::function<std::string(const std::string&)>& role_name);

/// The level `key` of `axis` in the scheme, or nullptr.
const policy::Level* FindLevel(const policy::ClassificationScheme& scheme, std::string_view axis,
                               std::string_view key);

}  // namespace mamori::assets
