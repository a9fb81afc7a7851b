#pragma once

#include <string>

namespace mamori {

/// Sets up the process-wide spdlog logger: one line per event on stderr, with time,
/// level and message. `level` is one of trace, debug, info, warn, error.
void InitLogging(const std::string& level);

}  // namespace mamori
