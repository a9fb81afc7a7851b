#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace mamori::cli {

/// Adds the administrator's commands (user, unit, appoint, import) to `app`. Each command
/// opens the data directory's database and acts as the local platform administrator
/// ("(cli)" in the audit trail), through the same services as the API. Returns a function
/// that runs whichever of them was parsed and gives the exit code, or -1 if none was.
std::function<int()> AddAdminCommands(CLI::App& app);

}  // namespace mamori::cli
