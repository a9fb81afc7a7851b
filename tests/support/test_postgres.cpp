#include "support/test_postgres.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

namespace mamori::testing {

namespace {

std::string ReadUrl(const std::filesystem::path& dir) {
    std::ifstream in(dir / "url");
    std::string url;
    std::getline(in, url);
    return url;
}

struct OwnServer {
    std::filesystem::path dir;
    ~OwnServer() {
        if (dir.empty()) return;
        std::string cmd = std::string(MAMORI_SOURCE_DIR_LITERAL) + "/scripts/test-pg.sh stop " +
                          dir.string() + " >/dev/null 2>&1";
        (void)std::system(cmd.c_str());
    }
};

std::string ServerUrl() {
    static std::once_flag once;
    static std::string url;
    static OwnServer own;
    std::call_once(once, [] {
        if (const char* d = std::getenv("MAMORI_TEST_PG_DIR"); d && *d) {
            url = ReadUrl(d);
            if (!url.empty()) {
                PGconn* c = PQconnectdb(url.c_str());
                bool ok = PQstatus(c) == CONNECTION_OK;
                PQfinish(c);
                if (ok) return;
            }
        }
        own.dir =
            std::filesystem::temp_directory_path() / ("mamori-pg-" + std::to_string(getpid()));
        std::string cmd = std::string(MAMORI_SOURCE_DIR_LITERAL) + "/scripts/test-pg.sh start " +
                          own.dir.string() + " >&2";
        if (std::system(cmd.c_str()) != 0) {
            std::fprintf(stderr, "cannot start the test PostgreSQL server\n");
            std::abort();
        }
        url = ReadUrl(own.dir);
    });
    return url;
}

}  // namespace

std::string PostgresAdminUrl() { return ServerUrl(); }

std::string TestPgScript() {
    return std::string(MAMORI_SOURCE_DIR_LITERAL) + "/scripts/test-pg.sh";
}

std::string NewPostgresDatabase() {
    static std::atomic<int> counter{0};
    const std::string admin = ServerUrl();
    const std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(++counter);
    PGconn* c = PQconnectdb(admin.c_str());
    PGresult* r = PQexec(c, ("CREATE DATABASE " + name).c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) std::fprintf(stderr, "CREATE DATABASE failed: %s\n", PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    if (!ok) std::abort();
    // The admin URL ends with "/postgres"; swap the database name.
    return admin.substr(0, admin.rfind('/') + 1) + name;
}

}  // namespace mamori::testing
