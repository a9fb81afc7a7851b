#pragma once

#include "http/router.h"
#include "store/database.h"

namespace mamori::audit {

/// GET /api/v1/audit-events (permission audit.read): newest first, filters actor_id, action
/// (exact, or a prefix ending in "."), object_type, object_id, from, to (RFC 3339), and
/// cursor paging (`limit` ≤ 500, `cursor` from the previous page's `next_cursor`).
void AddAuditRoutes(http::Router& router, store::Database& db);

}  // namespace mamori::audit
