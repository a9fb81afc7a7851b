#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "core/config.h"
#include "core/error.h"
#include "core/principal.h"
#include "store/database.h"

namespace mamori::cli {

/// Adds the administrator's commands (user, unit, appoint, import) to `app`. Each command
/// opens the data directory's database and acts as the local platform administrator
/// ("(cli)" in the audit trail), through the same services as the API. Returns a function
/// that runs whichever of them was parsed and gives the exit code, or -1 if none was.
std::function<int()> AddAdminCommands(CLI::App& app);

/// The local administrator: whoever may read the data directory runs the installation.
/// Acts with the catalog's platform_admin permissions, recorded as elevated.
Principal CliAdmin();

/// Opens the data directory's database (migrating it) and runs `fn` as the local
/// administrator (CliAdmin), with a fresh request id; returns fn's exit code, or 1 (after
/// reporting) when the directory cannot be opened.
int WithDatabase(const std::filesystem::path& data,
                 const std::function<int(store::Database&, const Config&, const Context&)>& fn);

/// Prints "mamori: message — field" to stderr and returns the exit code 1.
int Report(const Error& e);

}  // namespace mamori::cli
