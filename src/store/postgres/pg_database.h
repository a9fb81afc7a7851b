#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "store/database.h"

namespace mamori::store {

struct PostgresOptions {
    std::string url;  ///< libpq connection URI; may hold a password, so never log it.
    int pool_size = 8;
};

/// Connects to PostgreSQL through libpq. Connections that break are dropped and reopened on
/// next use, so the server recovers by itself when the database comes back.
/// Fails with kUnavailable when the server cannot be reached.
[[nodiscard]] Result<std::unique_ptr<Database>> OpenPostgres(const PostgresOptions& options);

/// Loads a plain-SQL dump written by DumpTo into the (empty) database at `url`, in one
/// transaction, with psql. Used by `mamori restore`.
[[nodiscard]] Result<void> RestorePostgres(const std::string& url,
                                           const std::filesystem::path& dump);

/// The URL with any password replaced by "***", for messages and logs.
std::string RedactUrl(const std::string& url);

}  // namespace mamori::store
