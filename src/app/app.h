#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/config.h"
#include "core/error.h"
#include "store/database.h"

namespace mamori::app {

/// The name of the config file inside a data directory.
inline constexpr const char* kConfigFile = "mamori.yaml";

/// Reads and validates DIR/mamori.yaml; every problem is in the error message, one per line.
[[nodiscard]] Result<Config> LoadConfig(const std::filesystem::path& data_dir);

/// What opening a database does to its schema.
enum class SchemaMode {
    kMigrate,    ///< serve, init: apply missing migrations.
    kLeaveAsIs,  ///< backup, restore: never change the schema; refuse one newer than known.
};

/// Opens the database the config names. Refuses (schema_too_new) a schema newer than this
/// binary knows, whatever the mode.
[[nodiscard]] Result<std::unique_ptr<store::Database>> OpenDatabase(const Config& config,
                                                                    SchemaMode mode);

/// Options of `mamori init`.
struct InitOptions {
    std::filesystem::path data_dir;
    bool demo = false;
    DatabaseKind database = DatabaseKind::kSqlite;
    std::string postgresql_url;
    std::string admin_password;  ///< Empty: one is generated.
    std::string demo_password;   ///< With demo: the demo accounts' password; empty: generated.
    std::filesystem::path policy_dir;  ///< A policy catalog folder; empty: the Hirakawa one.
};

/// What `mamori init` made.
struct InitResult {
    std::string admin_password;  ///< Set only when it was generated (to print once).
    std::string demo_password;   ///< Set only when generated for the demo accounts.
    std::string installation_id;
    std::string policy_version;     ///< The policy catalog version loaded.
    std::string ledger_public_key;  ///< The ledger's verifier key line (may be published).
};

/// Creates a data directory: its config, its keys folder, its database with the schema, and
/// the first platform administrator `admin` (whose temporary password must be changed at
/// first login). With `demo`, also the fictional city of docs/demo.md. Refuses a directory that
/// exists and is not empty. All-or-nothing: on failure the directory it created is removed again.
[[nodiscard]] Result<InitResult> InitDataDir(const InitOptions& options);

/// `mamori serve`: runs the HTTP server until SIGINT/SIGTERM. `listen` overrides the config.
/// Prints "mamori: serving on URL" to stdout once listening. Returns the exit code.
int Serve(const std::filesystem::path& data_dir, const std::optional<std::string>& listen);

/// `mamori backup`: a consistent archive (.tar.gz) of config, keys and database, made while
/// the server may be running.
[[nodiscard]] Result<void> Backup(const std::filesystem::path& data_dir,
                                  const std::filesystem::path& to);

/// `mamori restore`: unpacks a backup into a new data directory (which must not exist).
/// For PostgreSQL, `postgresql_url` names the empty database to load into (default: the URL
/// in the backed-up config) and is written into the restored config.
[[nodiscard]] Result<void> Restore(const std::filesystem::path& from,
                                   const std::filesystem::path& data_dir,
                                   const std::string& postgresql_url);

/// The web UI folder: the config's `server.web_root`, else $MAMORI_WEB_ROOT, else next to the
/// binary (../share/mamori/web when installed, ../../web/dist in the build tree).
std::filesystem::path ResolveWebRoot(const Config& config);

}  // namespace mamori::app
