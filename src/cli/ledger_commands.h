#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace mamori::cli {

/// Adds `mamori ledger verify|verify-checkpoint|prove|public-key` to `app` (docs/ledger.md).
/// `verify-checkpoint` needs no data directory: it checks a checkpoint file offline with a
/// verifier key. Returns a function that runs whichever was parsed and gives the exit code
/// (0 ok, 1 a problem found or an error), or -1 if none was.
std::function<int()> AddLedgerCommands(CLI::App& app);

}  // namespace mamori::cli
