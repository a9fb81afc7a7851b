#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "policy/catalog.h"

namespace mamori::policy {

/// A node (chapter, section or requirement) present in only one of the two versions.
struct DiffNode {
    std::string ref;
    std::string title;
    bool requirement = false;  ///< a leaf: it has the requirement fields
};

/// A node or 基本方針 item present in both versions whose content differs.
struct DiffChange {
    std::string ref;
    std::string title;  ///< the newer title
    /// What differs, in a fixed order. Nodes: title, requirement, roles, evidence,
    /// questions, implemented_by, related, items (its children). 基本方針 items: title,
    /// text, closing.
    std::vector<std::string> fields;
};

/// The difference between two versions of a catalog. Each list is in document order (of
/// the newer version, of the older one for what was removed).
struct VersionDiff {
    std::string older_version;
    std::string newer_version;
    /// policy.yaml fields that differ: title, city, effective_date, preface, structure,
    /// revisions, answer_options.
    std::vector<std::string> policy_fields;

    std::vector<DiffNode> added;  ///< 第2章 nodes
    std::vector<DiffNode> removed;
    std::vector<DiffChange> changed;

    std::vector<DiffNode> basic_added;  ///< 第1章 items (requirement is always false)
    std::vector<DiffNode> basic_removed;
    std::vector<DiffChange> basic_changed;

    /// The classification scheme in force. `classification_changes` names what differs:
    /// "scheme" (its key, name, source or ref), an axis key ("confidentiality") when the
    /// axis is new, gone or renamed, and "axis/level" ("confidentiality/3A") for a level
    /// added, removed or changed (name, rank, definition or handling rules).
    bool classification_changed = false;
    std::vector<std::string> classification_changes;

    /// zones.yaml: "zone:<key>", "flow:<from>><to>" and "method:<key>" for each one added,
    /// removed or changed.
    bool zones_changed = false;
    std::vector<std::string> zone_changes;

    bool empty() const {
        return policy_fields.empty() && added.empty() && removed.empty() && changed.empty() &&
               basic_added.empty() && basic_removed.empty() && basic_changed.empty() &&
               !classification_changed && !zones_changed;
    }
};

/// What changed from `older` to `newer`. Nodes and items are matched by ref. Pure.
VersionDiff Diff(const Catalog& older, const Catalog& newer);

/// {"from", "to", "policy": {"fields"}, "requirements": {"added", "removed", "changed"},
///  "basic_policy": {"added", "removed", "changed"}, "classification": {"changed",
///  "changes"}, "zones": {"changed", "changes"}}; nodes as {"ref", "title", "requirement"},
/// changes as {"ref", "title", "fields"}.
boost::json::value ToJson(const VersionDiff& d);

}  // namespace mamori::policy
