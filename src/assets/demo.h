#pragma once

#include "assets/assets_service.h"
#include "core/clock.h"
#include "core/error.h"
#include "org/roles.h"
#include "store/database.h"

namespace mamori::assets {

/// Adds the registers of the demo city ひばり野市 (docs/demo.md): 9 information systems
/// over the three zones (one planned) and 36 classified information assets of its
/// sections, of which two are deliberately inconsistent (特定個人情報 in an LGWAN system;
/// personal information at the lowest confidentiality level), two are overdue for review,
/// two are due within 30 days and two are disposed (溶解処理, with a witness). Review and
/// disposal dates are relative to the clock's date (JST), so the demo looks alive whenever
/// it is made.
///
/// Everything goes through AssetsService as the actor "(demo)", who holds
/// `section_manager` for every department (so `roles` must give that role
/// `assets.manage`); every change is audited. `catalog` gives the catalog in force: the
/// data is written for the Hirakawa scheme (3A/3B/3C/2/1); a level key the scheme lacks
/// falls back to its first character (3B → 3, as in the 3/2/1 scheme), and when a level or
/// zone is still unknown the registers are left empty (returns success).
/// REQUIRES: org::SeedDemo has made the city, and the catalog has been loaded.
/// Errors: kInvalidInput "demo_city_missing" when a unit or person of the demo city is
/// missing; kConflict "demo_assets_exist" when the registers are not empty; any error of
/// AssetsService. Each change is its own transaction (`mamori init` removes the whole
/// data directory on failure).
[[nodiscard]] Result<void> SeedDemoAssets(store::Database& db, const Clock& clock,
                                          const org::RoleCatalog& roles, CatalogSource catalog);

}  // namespace mamori::assets
