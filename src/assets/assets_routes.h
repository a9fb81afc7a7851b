#pragma once

#include "assets/assets_service.h"
#include "assets/register.h"
#include "http/router.h"
#include "org/roles.h"

namespace mamori::assets {

/// Registers the register API on `router` (all on the worker pool):
///   GET/POST  /api/v1/systems                    assets.read / assets.manage
///   GET/PATCH /api/v1/systems/{id}               assets.read / assets.manage
///   GET       /api/v1/systems/{id}/history       assets.read
///   GET       /api/v1/systems/export             assets.read (?format=csv|xlsx)
///   POST      /api/v1/systems/import             assets.manage (CSV or XLSX; ?dry_run=)
///   GET/POST  /api/v1/assets                     assets.read / assets.manage
///   GET       /api/v1/assets/stats|warnings      assets.read
///   POST      /api/v1/assets/review              assets.manage
///   GET       /api/v1/assets/export              assets.read (?format=csv|xlsx)
///   POST      /api/v1/assets/import              assets.manage (CSV or XLSX; ?dry_run=)
///   GET/PATCH /api/v1/assets/{id}                assets.read / assets.manage
///   POST      /api/v1/assets/{id}/dispose        assets.manage
///   GET       /api/v1/assets/{id}/history|handling|warnings   assets.read
/// The route permission is the coarse gate; the service checks the unit scope. `service`,
/// `registers` and `roles` must outlive the router.
void AddAssetsRoutes(http::Router& router, AssetsService& service, Registers& registers,
                     const org::RoleCatalog& roles);

}  // namespace mamori::assets
