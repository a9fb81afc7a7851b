#pragma once

#include <string>

namespace mamori::testing {

/// The URL of a new, empty PostgreSQL database on the test server, for one test's use.
/// The server is the one the CTest fixture "postgresql" started (scripts/test-pg.sh);
/// when a test binary runs outside CTest, it starts its own and stops it at exit.
/// Aborts the test program if no server can be had: the PostgreSQL tests are not optional.
std::string NewPostgresDatabase();

/// The URL of the server's maintenance database (postgres).
std::string PostgresAdminUrl();

/// scripts/test-pg.sh in the source tree, to start a server of a test's own.
std::string TestPgScript();

}  // namespace mamori::testing
