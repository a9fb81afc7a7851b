#pragma once

#include <filesystem>
#include <memory>

#include "store/database.h"

namespace mamori::store {

struct SqliteOptions {
    std::filesystem::path file;
    int pool_size = 4;
    int busy_timeout_ms = 5000;
};

/// Opens (creating if needed) a SQLite database in WAL mode with foreign keys on and a
/// busy timeout. Transactions begin IMMEDIATE, so writers queue instead of failing on
/// lock upgrade. Fails with kUnavailable if the file cannot be opened or written.
[[nodiscard]] Result<std::unique_ptr<Database>> OpenSqlite(const SqliteOptions& options);

}  // namespace mamori::store
