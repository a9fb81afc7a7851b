#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "policy/catalog.h"

namespace mamori::workflow {

/// A record the form names, to be checked against the database.
struct FormReference {
    std::string field;  ///< the field key
    policy::FieldType type;
    std::string id;
};

/// A form checked against its request type: only the type's fields, each of its type and
/// within its limits. References are checked by the caller (CheckedForm::references).
struct CheckedForm {
    boost::json::object values;
    std::vector<FormReference> references;
    std::string valid_from, valid_until;  ///< the validity field's period, when the type has one
};

/// Checks `form` (the JSON object a client sent) against `type`. The first problem is a 400
/// whose field is "form.<key>" and whose message names the field by its label. Control
/// references are checked here against `catalog`; date ranges against the type's validity.
[[nodiscard]] Result<CheckedForm> CheckForm(const policy::RequestType& type,
                                            const policy::Catalog& catalog,
                                            const boost::json::object& form);

/// The most items a `multiple` field takes.
inline constexpr std::size_t kMaxListItems = 50;

}  // namespace mamori::workflow
