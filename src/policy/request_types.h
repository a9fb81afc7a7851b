#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::policy {

// Application (申請) types as policy data: requests/*.yaml of a catalog (format:
// docs/policy-catalog.md, "requests/*.yaml"). The workflow engine (src/workflow/) runs them.

/// The closed set of form field types.
enum class FieldType {
    kText,
    kLongText,
    kDate,
    kDateRange,
    kNumber,
    kChoice,
    kBoolean,
    kAsset,
    kSystem,
    kUnit,
    kPerson,
    kControl,
    kFile,
};

/// "text", "long_text", … ; nullopt for an unknown name.
std::optional<FieldType> FieldTypeFromName(std::string_view name);
std::string_view FieldTypeName(FieldType type);
/// Whether the type may be `multiple` (a list of references or files).
bool FieldTypeMayRepeat(FieldType type);

struct ChoiceOption {
    std::string value;
    std::string label;
};

struct FormField {
    std::string key;
    std::string label;
    FieldType type = FieldType::kText;
    bool required = false;
    bool multiple = false;
    std::string help;
    std::size_t max_length = 0;         ///< text / long_text: the limit in characters (defaulted)
    std::optional<long long> min, max;  ///< number only
    std::vector<ChoiceOption> options;  ///< choice only
};

/// When a step applies: exactly one of equals / in / confidentiality_at_least is set.
struct StepCondition {
    std::string field;
    std::optional<std::string> equals;  ///< booleans as "true" / "false"
    std::vector<std::string> in;
    std::string confidentiality_at_least;  ///< a level key of the scheme in force
};

/// One step of an approval chain: a role relative to the applicant (or to a chosen system),
/// or the roles an asset's handling rule names.
struct ChainStep {
    std::string role;            ///< empty for a from_handling step
    std::string label;           ///< what the step checks (may be empty)
    std::string system_field;    ///< role system_manager: the `system` field
    std::string handling_field;  ///< from_handling: the `asset` field
    std::string handling_rule;   ///< from_handling: takeout | provision | disposal
    std::optional<StepCondition> when;
    bool from_handling() const { return !handling_rule.empty(); }
};

struct Validity {
    std::string field;  ///< a required date_range field
    int max_days = 0;   ///< 0: no limit
    int expiring_soon_days = 14;
};

/// An approved request of the type grants the applicant a privileged ID on a system for
/// its validity period (特権ID, 8-2(6)); mamori's own elevation may require one.
struct PrivilegedAccess {
    std::string system_field;   ///< a required single system field
    std::string account_field;  ///< a required text field: the ID to be used
};

struct RequestType {
    std::string file;  ///< requests/<key>.yaml
    std::string key;
    std::string prefix;  ///< request numbers PREFIX-YYYY-NNNN
    std::string name;
    std::string description;
    std::vector<std::string> refs;  ///< 対策基準 items served
    bool exception = false;         ///< approved requests form the exceptions ledger
    std::optional<Validity> validity;
    std::optional<PrivilegedAccess> privileged_access;  ///< requires validity
    std::vector<FormField> fields;
    std::vector<ChainStep> chain;

    const FormField* FindField(std::string_view key) const;
};

}  // namespace mamori::policy
