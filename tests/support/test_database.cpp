#include "support/test_database.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <system_error>

#include "store/migrate.h"
#include "store/postgres/pg_database.h"
#include "store/sqlite/sqlite_database.h"
#include "support/test_postgres.h"

namespace mamori::testing {

namespace {

/// Keeps ASCII letters, digits, '-' and '_'; anything else (the '/' of parameterised test
/// names, '.', spaces) becomes '_'.
std::string FileSafe(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '_';
        out += keep ? c : '_';
    }
    return out;
}

/// A temporary file name unique to this process, test and instance.
std::filesystem::path NewSqliteFile() {
    static std::atomic<int> counter{0};
    std::string test = "no_test";
    if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info())
        test = std::string(info->test_suite_name()) + "-" + info->name();
    return std::filesystem::temp_directory_path() /
           ("mamori-test-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + "-" +
            FileSafe(test) + ".db");
}

void RemoveSqliteFiles(const std::filesystem::path& file) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        std::filesystem::remove(file.string() + suffix, ec);
}

}  // namespace

TestDatabase::TestDatabase(store::Backend backend) : backend_(backend) {
    Result<std::unique_ptr<store::Database>> opened = Fail(Error::Internal("not opened"));
    if (backend == store::Backend::kSqlite) {
        file_ = NewSqliteFile();
        RemoveSqliteFiles(file_);
        opened = store::OpenSqlite({file_, 4, 5000});
    } else {
        opened = store::OpenPostgres({NewPostgresDatabase(), 4});
    }
    if (!opened) {
        ADD_FAILURE() << "cannot open the test database: " << opened.error().message;
        return;
    }
    if (auto m = store::Migrate(**opened, store::BuiltinMigrations()); !m) {
        ADD_FAILURE() << "cannot migrate the test database: " << m.error().code << " "
                      << m.error().message;
        (*opened)->Close();
        return;
    }
    db_ = std::move(*opened);
}

TestDatabase::~TestDatabase() {
    if (db_) db_->Close();
    db_.reset();
    if (!file_.empty()) RemoveSqliteFiles(file_);
}

store::Database& TestDatabase::db() {
    if (!db_) {
        std::fprintf(stderr, "TestDatabase::db() called although ok() is false\n");
        std::abort();
    }
    return *db_;
}

std::string BackendName(const ::testing::TestParamInfo<store::Backend>& info) {
    return info.param == store::Backend::kSqlite ? "Sqlite" : "Postgresql";
}

}  // namespace mamori::testing
