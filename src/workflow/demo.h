#pragma once

#include "assets/assets_service.h"
#include "core/clock.h"
#include "core/error.h"
#include "org/roles.h"
#include "store/database.h"
#include "workflow/attachments.h"

namespace mamori::workflow {

/// Adds applications of the demo city ひばり野市 in every state (docs/demo.md): take-outs
/// approved and waiting at 市民課, a provision sent back, a disposal refused, a software
/// installation withdrawn, a privileged-ID use waiting, and three 例外措置 — one approved
/// and in force, one emergency exception reported afterwards and approved, one whose period
/// has ended (expired). Dates are relative to the clock's date (JST).
///
/// Everything goes through WorkflowService as the demo people themselves (applicants and
/// the approvers the chains resolve to), so every step is audited and 兼務の禁止 applies.
/// REQUIRES: org::SeedDemo and assets::SeedDemoAssets have run, the catalog is loaded and
/// has the Hirakawa types (a catalog without them: nothing is added, success).
/// Errors: kInvalidInput "demo_city_missing" when a demo person or asset is missing; any
/// error of WorkflowService.
/// With `attachments`, the 例外措置 in force carries an attached procedure (a small PDF).
[[nodiscard]] Result<void> SeedDemoRequests(store::Database& db, const Clock& clock,
                                            const org::RoleCatalog& roles,
                                            assets::CatalogSource catalog,
                                            AttachmentStore* attachments = nullptr);

}  // namespace mamori::workflow
