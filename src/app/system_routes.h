#pragma once

#include "http/router.h"
#include "store/database.h"

namespace mamori::app {

/// GET /healthz (process alive; answered on the I/O thread, never touches the database)
/// and GET /readyz (200 only when the database answers; 503 otherwise).
void AddSystemRoutes(http::Router& router, store::Database& db);

}  // namespace mamori::app
