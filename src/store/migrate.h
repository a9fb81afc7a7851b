#pragma once

#include <string>
#include <vector>

#include "store/database.h"

namespace mamori::store {

/// One numbered schema change. `sql` uses the dialect tokens of dialect.h.
struct Migration {
    int version;
    std::string name;
    std::string sql;
};

/// The migrations compiled into this binary (src/store/migrations/NNNN_name.sql), in order.
const std::vector<Migration>& BuiltinMigrations();

/// What Migrate did.
struct MigrationReport {
    int from_version = 0;
    int to_version = 0;
};

/// Applies, in one transaction, every migration newer than the database's schema version.
/// Refuses (kConflict "schema_too_new") a database whose schema is newer than the newest
/// migration given: an older binary must not write to a newer schema.
/// Versions must be increasing; gaps are allowed.
[[nodiscard]] Result<MigrationReport> Migrate(Database& db, const std::vector<Migration>& ms);

/// The schema version recorded in the database (0 for an empty database).
[[nodiscard]] Result<int> SchemaVersion(Database& db);

}  // namespace mamori::store
