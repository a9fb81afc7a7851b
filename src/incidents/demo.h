#pragma once

#include "assets/assets_service.h"
#include "core/clock.h"
#include "core/error.h"
#include "org/roles.h"
#include "store/database.h"

namespace mamori::incidents {

/// Adds incidents of the demo city (docs/demo.md) in several states and categories: a
/// misdelivered 住民票の写し at 市民課 involving personal information, three days old with the
/// Commission's deadlines running; a lost USB stick at 税務課 being contained; a suspicious
/// attachment opened at 環境課, not yet triaged; an outage of a counter system at 情報政策課,
/// closed with its cause and measures; a password on a sticky note at 福祉課, accepted.
/// Everything goes through IncidentsService as the demo people (the reporter, the CSIRT), so
/// notifications, timelines and audit events are real. Dates are relative to the clock.
/// REQUIRES: the demo organisation, registers and the catalog (with incidents.yaml; without
/// it nothing is added, success).
[[nodiscard]] Result<void> SeedDemoIncidents(store::Database& db, const Clock& clock,
                                             const org::RoleCatalog& roles,
                                             assets::CatalogSource catalog);

}  // namespace mamori::incidents
