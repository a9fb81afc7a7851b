#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/database.h"

namespace mamori::testing {

/// A fresh, migrated database for one test: SQLite in a new temporary file, or a new, empty
/// PostgreSQL database on the test server (see test_postgres.h). Both get every builtin
/// migration. Failures to open or migrate are reported with ADD_FAILURE; check ok() with
/// ASSERT_TRUE in SetUp before using db():
///
///     void SetUp() override {
///         test_db_ = std::make_unique<mamori::testing::TestDatabase>(GetParam());
///         ASSERT_TRUE(test_db_->ok());
///     }
///
/// The destructor closes the database and, for SQLite, removes its files. Not thread-safe
/// itself; the Database it hands out is.
class TestDatabase {
  public:
    explicit TestDatabase(store::Backend backend);
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    /// True when the database was opened and migrated.
    bool ok() const { return db_ != nullptr; }
    /// The database. REQUIRES: ok() (aborts otherwise — a test bug).
    store::Database& db();
    store::Backend backend() const { return backend_; }
    /// The SQLite file; empty for PostgreSQL.
    const std::filesystem::path& file() const { return file_; }

  private:
    store::Backend backend_;
    std::filesystem::path file_;
    std::unique_ptr<store::Database> db_;
};

/// "Sqlite" or "Postgresql": the name printer for INSTANTIATE_TEST_SUITE_P, e.g.
///     INSTANTIATE_TEST_SUITE_P(Backends, FooTest, mamori::testing::AllBackends(),
///                              mamori::testing::BackendName);
std::string BackendName(const ::testing::TestParamInfo<store::Backend>& info);

/// Both backends, as test parameters.
inline auto AllBackends() {
    return ::testing::Values(store::Backend::kSqlite, store::Backend::kPostgresql);
}

}  // namespace mamori::testing
