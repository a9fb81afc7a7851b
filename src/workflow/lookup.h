#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "core/principal.h"
#include "store/database.h"

namespace mamori::workflow {

// Picking people, units and systems in an application form (issue 8). Any signed-in person
// may apply and name, say, the responsible person of a cloud service or another section's
// system, though only some may read the organisation or the system register. This lookup
// answers names only — no user names, addresses, roles or register details — and only of
// active records, a page at a time.

/// One match: what the form stores (`id`) and what people read.
struct LookupItem {
    std::string id;
    std::string name;
    std::string detail;  ///< person: their unit; unit: its parent; system: its owner unit
};

enum class LookupKind { kPerson, kUnit, kSystem };

/// Up to `limit` (1–50) active records of `kind` whose name contains `q` (all when empty),
/// by name. Needs a signed-in caller (401 otherwise).
[[nodiscard]] Result<std::vector<LookupItem>> Lookup(store::Database& db, const Context& ctx,
                                                     LookupKind kind, const std::string& q,
                                                     int limit);

}  // namespace mamori::workflow
