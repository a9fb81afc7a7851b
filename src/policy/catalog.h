#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "org/roles.h"
#include "policy/incident_rules.h"
#include "policy/request_types.h"

namespace mamori::policy {

// The policy catalog as data (format: docs/policy-catalog.md). A Catalog is immutable once
// parsed and safe to share between threads.

/// One dated revision of the policy, oldest first in PolicyInfo::revisions.
struct Revision {
    std::string date;   ///< ISO date, e.g. "2006-11-28"
    std::string label;  ///< as printed, e.g. "平成18年11月28日"
    std::string kind;   ///< 策定 | 一部改正 | 全部改正
};

/// A row of 情報セキュリティポリシーの構成.
struct StructureRow {
    std::string document;
    std::string part_of;  ///< empty when the document stands alone
    std::string description;
};

/// policy.yaml.
struct PolicyInfo {
    std::string city;
    std::string title;
    std::string version;         ///< the catalog version's identifier
    std::string effective_date;  ///< ISO date
    std::string classification_file;
    std::string preface;  ///< 序文, verbatim
    std::vector<StructureRow> structure;
    std::vector<Revision> revisions;
    std::vector<std::string> answer_options;  ///< self-check answers, in order
};

/// An item of 第1章 (基本方針), verbatim, with its sub-items.
struct BasicItem {
    std::string ref;  ///< "1", "2(1)"
    std::string title;
    std::string text;     ///< paragraphs before the sub-items (may be empty)
    std::string closing;  ///< paragraphs after the sub-items (may be empty)
    std::vector<BasicItem> items;
};

/// A node of 第2章 (対策基準): a chapter ("8"), a section ("8-2") or a sub-item ("8-2(6)").
/// A node without children is a requirement and has the requirement fields.
/// Catalog::controls holds every node flat, in document order (pre-order).
struct Control {
    std::string ref;
    std::string title;
    std::string parent;  ///< parent's ref; empty for a chapter
    int depth = 0;       ///< 0 chapter, 1 section or chapter sub-item, 2 section sub-item
    std::vector<std::string> children;  ///< refs, in order
    // Requirement fields (leaves only).
    std::string requirement;
    std::vector<std::string> roles;           ///< keys of roles.yaml
    std::vector<std::string> evidence;        ///< typical evidence
    std::vector<std::string> questions;       ///< self-check questions (1–3)
    std::vector<std::string> implemented_by;  ///< capability keys, or exactly {"manual"}
    std::vector<std::string> related;         ///< other refs
    // Where it was written, for messages.
    std::string file;
    int line = 0;

    bool leaf() const { return children.empty(); }
    bool manual() const { return implemented_by.size() == 1 && implemented_by[0] == "manual"; }
};

/// capabilities.yaml: a mamori capability a requirement may be implemented by.
struct Capability {
    std::string key;
    std::string name;
    std::string area;
    std::string status;  ///< available | planned
};

/// One handling rule of a classification level, e.g. takeout {requires_approval_by:
/// section_manager}. `fields` hold the rule's own fields as written (booleans as "true" /
/// "false"); `ref` and `note` are kept apart.
struct HandlingRule {
    std::string key;
    std::map<std::string, std::string> fields;
    std::string ref;
    std::string note;
};

struct Level {
    std::string key;  ///< "3A", "2", …
    std::string name;
    int rank = 0;  ///< larger = stricter
    std::string definition;
    std::vector<HandlingRule> handling;
};

struct Axis {
    std::string key;  ///< confidentiality | integrity | availability
    std::string name;
    std::vector<Level> levels;  ///< highest first
};

/// A kind of consistency check that mamori implements (src/assets/consistency.cpp): a
/// closed set, like the handling rules. A check of a scheme names its kind and gives the
/// kind's parameters; its message may use the kind's placeholders only.
struct ConsistencyCheckKind {
    std::string key;                        ///< e.g. specific_personal_info_outside_zone
    std::vector<std::string> required;      ///< parameters that must be given
    std::vector<std::string> optional;      ///< parameters that may be given
    std::vector<std::string> placeholders;  ///< `{name}`s the message may use
};

/// Every kind, in the order of docs/policy-catalog.md:
///  - specific_personal_info_outside_zone (zone): 特定個人情報 kept in a system of another
///    zone; placeholders {zone} {system_zone};
///  - personal_info_at_or_below (max_level): personal information classified at or below
///    the confidentiality level max_level (by rank); placeholders {level} {max_level};
///  - above_system_highest: the asset is more confidential (by rank) than its system's
///    declared highest level; placeholders {level} {system_level};
///  - review_overdue (grace_days, optional, default 0): next_review_on lies more than
///    grace_days before today; placeholders {due} {days_overdue} {grace_days}.
const std::vector<ConsistencyCheckKind>& ConsistencyCheckKinds();

/// One consistency check of a scheme (`consistency_checks:` of classification*.yaml).
struct ConsistencyCheck {
    std::string code;  ///< stable snake_case; the API reports warnings by it
    std::string kind;  ///< a ConsistencyCheckKind key
    std::map<std::string, std::string> params;  ///< the kind's parameters, as written
    std::string ref;                            ///< the 対策基準 item
    std::string description;                    ///< the rule, in Japanese
    std::string message;                        ///< the warning, with `{placeholder}`s
};

/// classification*.yaml.
struct ClassificationScheme {
    std::string file;  ///< the file it came from
    std::string key;
    std::string name;
    std::string source;
    std::string ref;
    std::vector<Axis> axes;
    /// In the order warnings are reported; empty when the file lists none.
    std::vector<ConsistencyCheck> consistency_checks;

    const Axis* FindAxis(std::string_view key) const;
};

struct ZoneMethod {
    std::string key;
    std::string name;
    std::string description;
};

struct Zone {
    std::string key;  ///< mynumber | lgwan | internet
    std::string name;
    std::string ref;
    std::string description;
};

struct ZoneFlow {
    std::string from;
    std::string to;
    std::string rule;  ///< forbidden | sanitised | exception
    std::vector<std::string> methods;
    std::string ref;
    std::string note;
};

/// zones.yaml.
struct Zones {
    std::vector<ZoneMethod> methods;
    std::vector<Zone> zones;
    std::vector<ZoneFlow> flows;
};

/// The files of a catalog: path relative to the catalog folder ("policy.yaml",
/// "standards/08-technical.yaml") → content.
using CatalogFiles = std::map<std::string, std::string>;

/// A problem found in a catalog, with where it is.
struct Problem {
    std::string file;
    int line = 0;  ///< 1-based; 0 when the problem is not at one line
    std::string message;
};

/// "standards/08-technical.yaml:12: …", one per line.
std::string FormatProblems(const std::vector<Problem>& problems);

class Catalog {
  public:
    /// Parses and checks every file (rules in docs/policy-catalog.md). On any problem it
    /// returns an Invalid error "catalog_invalid" whose message lists them all, and fills
    /// `problems` when given. A catalog is never accepted in part.
    [[nodiscard]] static Result<Catalog> Parse(const CatalogFiles& files,
                                               std::vector<Problem>* problems = nullptr);

    const CatalogFiles& files() const { return files_; }
    const PolicyInfo& policy() const { return policy_; }
    const std::string& basic_chapter() const { return basic_chapter_; }
    const std::vector<BasicItem>& basic() const { return basic_; }
    /// Every node of 第2章, flat, in document order.
    const std::vector<Control>& controls() const { return controls_; }
    const Control* Find(std::string_view ref) const;
    const org::RoleCatalog& roles() const { return roles_; }
    const std::vector<Capability>& capabilities() const { return capabilities_; }
    const Capability* FindCapability(std::string_view key) const;
    /// The scheme in force (policy.yaml's `classification`).
    const ClassificationScheme& classification() const { return classification_; }
    /// Every scheme file of the catalog, the one in force first.
    const std::vector<ClassificationScheme>& schemes() const { return schemes_; }
    const Zones& zones() const { return zones_; }
    /// requests/*.yaml, in key order.
    const std::vector<RequestType>& request_types() const { return request_types_; }
    const RequestType* FindRequestType(std::string_view key) const;
    /// incidents.yaml (`defined` false when the catalog has none).
    const IncidentRules& incident_rules() const { return incident_rules_; }

  private:
    friend class CatalogParser;
    CatalogFiles files_;
    PolicyInfo policy_;
    std::string basic_chapter_;
    std::vector<BasicItem> basic_;
    std::vector<Control> controls_;
    std::unordered_map<std::string, std::size_t> index_;
    org::RoleCatalog roles_;
    std::vector<Capability> capabilities_;
    ClassificationScheme classification_;
    std::vector<ClassificationScheme> schemes_;
    Zones zones_;
    std::vector<RequestType> request_types_;
    IncidentRules incident_rules_;
};

/// Reads a catalog folder: policy.yaml, basic-policy.yaml, roles.yaml, capabilities.yaml,
/// zones.yaml, classification*.yaml, incidents.yaml, standards/*.yaml and requests/*.yaml
/// (other files are ignored).
/// Errors: NotFound when the folder does not exist; Invalid when a file is not UTF-8 or
/// larger than 1 MiB.
[[nodiscard]] Result<CatalogFiles> ReadCatalogDir(const std::filesystem::path& dir);

/// The Hirakawa catalog shipped inside the binary (policies/hirakawa/).
const CatalogFiles& BuiltinCatalogFiles();

}  // namespace mamori::policy
