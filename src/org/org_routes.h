#pragma once

#include <chrono>

#include "http/router.h"
#include "org/org_service.h"

namespace mamori::org {

/// Registers the organisation API on `router` (all on the worker pool):
///   GET/POST  /api/v1/units                    org.read / org.manage
///   GET/PATCH /api/v1/units/{id}               org.read / org.manage
///   POST      /api/v1/units/{id}/close         org.manage
///   GET/POST  /api/v1/people                   org.read / org.manage
///   POST      /api/v1/people/import            org.manage (text/csv body; ?dry_run=true)
///   GET/PATCH /api/v1/people/{id}              org.read / org.manage
///   POST      /api/v1/people/{id}/suspend|reactivate|leave   org.manage
///   POST      /api/v1/people/{id}/unlock|reset-password      accounts.manage
///   GET/POST  /api/v1/appointments             org.read / org.manage
///   GET       /api/v1/appointments/{id}        org.read
///   POST      /api/v1/appointments/{id}/end    org.manage
///   GET       /api/v1/roles                    session (any fully logged-in user)
/// The route permission is the coarse gate; the service then checks the unit scope.
/// `service` must outlive the router. Pages of the people list are kept, serialised, for
/// at most `read_cache` (see store::ReadCache; zero keeps none).
void AddOrgRoutes(http::Router& router, OrgService& service,
                  std::chrono::milliseconds read_cache = {});

}  // namespace mamori::org
