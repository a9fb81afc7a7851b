#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace mamori::cli {

/// Adds `mamori policy check|load|versions|export-oscal` to `app`. `check` reads only the
/// catalog folder; the others open the data directory and act as the local platform
/// administrator. Returns a function that runs whichever was parsed and gives the exit
/// code, or -1 if none was.
std::function<int()> AddPolicyCommands(CLI::App& app);

}  // namespace mamori::cli
