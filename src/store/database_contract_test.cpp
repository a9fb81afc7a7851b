// The store contract: every case runs against SQLite and against a real PostgreSQL server.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "store/database.h"
#include "store/migrate.h"
#include "store/postgres/pg_database.h"
#include "store/read_cache.h"
#include "store/sqlite/sqlite_database.h"
#include "support/test_postgres.h"

namespace mamori::store {
namespace {

class ContractTest : public ::testing::TestWithParam<Backend> {
  protected:
    void SetUp() override {
        if (GetParam() == Backend::kSqlite) {
            dir_ = std::filesystem::temp_directory_path() /
                   ("mamori-store-" + std::to_string(::getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
            std::filesystem::remove_all(dir_);
            std::filesystem::create_directories(dir_);
            auto db = OpenSqlite({dir_ / "test.db", 4, 5000});
            ASSERT_TRUE(db) << db.error().message;
            db_ = std::move(*db);
        } else {
            url_ = mamori::testing::NewPostgresDatabase();
            auto db = OpenPostgres({url_, 4});
            ASSERT_TRUE(db) << db.error().message;
            db_ = std::move(*db);
        }
        auto r = Migrate(*db_, {{1, "0001_t",
                                 "CREATE TABLE t (id {{id}}, name TEXT NOT NULL UNIQUE,"
                                 " n BIGINT, x REAL, b {{blob}}, flag INTEGER)"}});
        ASSERT_TRUE(r) << r.error().message;
    }
    void TearDown() override {
        if (db_) db_->Close();
        db_.reset();
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
    }

    std::unique_ptr<Database> db_;
    std::filesystem::path dir_;
    std::string url_;
};

TEST_P(ContractTest, RoundTripsEveryType) {
    const std::string bytes("\x00\x01\xff\x7f", 4);
    auto ins = db_->Transact([&](Tx& tx) -> Result<ResultSet> {
        return tx.Query("INSERT INTO t (name, n, x, b, flag) VALUES (?, ?, ?, ?, ?) RETURNING id",
                        {"平川市 情報政策課", std::int64_t{1} << 40, 2.5, Blob{bytes}, true});
    });
    ASSERT_TRUE(ins) << ins.error().message;
    ASSERT_EQ(ins->rows.size(), 1u);
    const auto id = ins->rows[0].Int(0);

    auto r = db_->Query("SELECT name, n, x, b, flag FROM t WHERE id = ?", {id});
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->rows.size(), 1u);
    const Row& row = r->rows[0];
    EXPECT_EQ(row.Text(0), "平川市 情報政策課");
    EXPECT_EQ(row.Int(1), std::int64_t{1} << 40);
    EXPECT_DOUBLE_EQ(row.Real(2), 2.5);
    EXPECT_EQ(row.Bytes(3), bytes);
    EXPECT_TRUE(row.Bool(4));
    EXPECT_EQ(r->columns, (std::vector<std::string>{"name", "n", "x", "b", "flag"}));
}

TEST_P(ContractTest, NullsAndOptionals) {
    std::optional<std::string> none;
    auto ins = db_->Query("INSERT INTO t (name, n) VALUES (?, ?)", {"a", none});
    ASSERT_TRUE(ins) << ins.error().message;
    EXPECT_EQ(ins->affected, 1);
    auto r = db_->Query("SELECT n, b FROM t WHERE name = ?", {"a"});
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->rows[0].IsNull(0));
    EXPECT_EQ(r->rows[0].OptInt(0), std::nullopt);
    EXPECT_THROW((void)r->rows[0].Text(0), std::logic_error);
}

TEST_P(ContractTest, ParametersAreNeverSql) {
    const std::string evil = "x'); DROP TABLE t; --";
    ASSERT_TRUE(db_->Query("INSERT INTO t (name) VALUES (?)", {evil}));
    auto r = db_->Query("SELECT COUNT(*) FROM t WHERE name = ?", {evil});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->rows[0].Int(0), 1);
}

TEST_P(ContractTest, DuplicateKeyIsConflict) {
    ASSERT_TRUE(db_->Query("INSERT INTO t (name) VALUES (?)", {"same"}));
    auto r = db_->Query("INSERT INTO t (name) VALUES (?)", {"same"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kConflict);
    EXPECT_EQ(r.error().code, "duplicate");
}

TEST_P(ContractTest, ForeignKeysAreEnforced) {
    auto m = Migrate(*db_, {{1, "0001_t", ""},
                            {2, "0002_child",
                             "CREATE TABLE child (id {{id}}, "
                             "t_id BIGINT NOT NULL REFERENCES t(id))"}});
    ASSERT_TRUE(m) << m.error().message;
    auto r = db_->Query("INSERT INTO child (t_id) VALUES (?)", {12345});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "reference");
}

TEST_P(ContractTest, ErrorRollsBackTheWholeTransaction) {
    auto r = db_->Transact([](Tx& tx) -> Result<void> {
        if (auto a = tx.Exec("INSERT INTO t (name) VALUES (?)", {"first"}); !a)
            return Fail(a.error());
        return Fail(Error::Invalid("bad", "refused after the first write"));
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "bad");
    auto c = db_->Query("SELECT COUNT(*) FROM t");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->rows[0].Int(0), 0);
}

TEST_P(ContractTest, ExceptionRollsBackToo) {
    EXPECT_THROW((void)db_->Transact([](Tx& tx) -> Result<void> {
        (void)tx.Exec("INSERT INTO t (name) VALUES (?)", {"thrown"});
        throw std::runtime_error("bug");
    }),
                 std::runtime_error);
    auto c = db_->Query("SELECT COUNT(*) FROM t");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->rows[0].Int(0), 0);
    // The connection is usable afterwards.
    EXPECT_TRUE(db_->Query("INSERT INTO t (name) VALUES (?)", {"after"}));
}

TEST_P(ContractTest, CommitIsVisibleAndAffectedCounts) {
    auto r = db_->Transact([](Tx& tx) -> Result<std::int64_t> {
        for (const char* n : {"a", "b", "c"})
            if (auto x = tx.Exec("INSERT INTO t (name, n) VALUES (?, ?)", {n, 1}); !x)
                return Fail(x.error());
        return tx.Exec("UPDATE t SET n = n + 1 WHERE n = ?", {1});
    });
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, 3);
    auto s = db_->Query("SELECT SUM(n) FROM t");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->rows[0].Int(0), 6);
}

TEST_P(ContractTest, ConcurrentWritersAllLand) {
    constexpr int kThreads = 4, kEach = 25;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                auto r = db_->Transact([&](Tx& tx) -> Result<void> {
                    auto c = tx.Query("SELECT COUNT(*) FROM t");
                    if (!c) return Fail(c.error());
                    auto x =
                        tx.Exec("INSERT INTO t (name, n) VALUES (?, ?)",
                                {std::to_string(t) + "-" + std::to_string(i), c->rows[0].Int(0)});
                    if (!x) return Fail(x.error());
                    return {};
                });
                if (!r) ++failures;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    auto c = db_->Query("SELECT COUNT(*) FROM t");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->rows[0].Int(0), kThreads * kEach);
}

TEST_P(ContractTest, MigrationsAreIdempotentAndRefuseNewerSchema) {
    std::vector<Migration> ms = {{1, "0001_t", ""}, {3, "0003_u", "CREATE TABLE u (k TEXT)"}};
    auto r = Migrate(*db_, ms);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->from_version, 1);
    EXPECT_EQ(r->to_version, 3);
    auto again = Migrate(*db_, ms);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->from_version, 3);
    EXPECT_EQ(again->to_version, 3);

    auto old = Migrate(*db_, {{1, "0001_t", ""}});
    ASSERT_FALSE(old);
    EXPECT_EQ(old.error().code, "schema_too_new");
    EXPECT_NE(old.error().message.find("version 3"), std::string::npos);
}

TEST_P(ContractTest, FailedMigrationChangesNothing) {
    auto r = Migrate(*db_, {{1, "0001_t", ""},
                            {2, "0002_ok", "CREATE TABLE v (k TEXT)"},
                            {3, "0003_bad", "CREATE TABLE w (k NOSUCHTYPE_OR_SYNTAX ((("}});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("0003_bad"), std::string::npos);
    auto v = SchemaVersion(*db_);
    ASSERT_TRUE(v);
    EXPECT_EQ(*v, 1);
    EXPECT_FALSE(db_->Query("SELECT COUNT(*) FROM v"));
}

TEST_P(ContractTest, BuiltinMigrationsApply) {
    const auto& ms = BuiltinMigrations();
    ASSERT_FALSE(ms.empty());
    for (std::size_t i = 1; i < ms.size(); ++i) EXPECT_LT(ms[i - 1].version, ms[i].version);
    // A fresh database (the test's own table uses version 1, so use a second database).
    std::unique_ptr<Database> fresh;
    if (GetParam() == Backend::kSqlite) {
        fresh = std::move(*OpenSqlite({dir_ / "fresh.db", 2, 5000}));
    } else {
        fresh = std::move(*OpenPostgres({mamori::testing::NewPostgresDatabase(), 2}));
    }
    auto r = Migrate(*fresh, ms);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->to_version, ms.back().version);
    fresh->Close();
}

TEST_P(ContractTest, DumpMakesAConsistentCopy) {
    ASSERT_TRUE(db_->Query("INSERT INTO t (name, n) VALUES (?, ?)", {"kept", 7}));
    const auto file = std::filesystem::temp_directory_path() /
                      ("mamori-dump-" + std::to_string(::getpid()) +
                       (GetParam() == Backend::kSqlite ? ".db" : ".sql"));
    std::filesystem::remove(file);
    auto d = db_->DumpTo(file);
    ASSERT_TRUE(d) << d.error().message;
    ASSERT_TRUE(std::filesystem::exists(file));
    if (GetParam() == Backend::kSqlite) {
        auto copy = OpenSqlite({file, 1, 1000});
        ASSERT_TRUE(copy);
        auto r = (*copy)->Query("SELECT n FROM t WHERE name = ?", {"kept"});
        ASSERT_TRUE(r);
        EXPECT_EQ(r->rows.at(0).Int(0), 7);
        (*copy)->Close();
    } else {
        const std::string target = mamori::testing::NewPostgresDatabase();
        auto restored = RestorePostgres(target, file);
        ASSERT_TRUE(restored) << restored.error().message;
        auto copy = OpenPostgres({target, 1});
        ASSERT_TRUE(copy);
        auto r = (*copy)->Query("SELECT n FROM t WHERE name = ?", {"kept"});
        ASSERT_TRUE(r);
        EXPECT_EQ(r->rows.at(0).Int(0), 7);
        (*copy)->Close();
    }
    std::filesystem::remove(file);
}

// ---- ReadCache: what was read stays valid exactly until something is written.

TEST_P(ContractTest, GenerationGrowsOnWritesOnly) {
    const auto g0 = db_->Generation();
    ASSERT_TRUE(db_->Query("SELECT COUNT(*) FROM t"));
    ASSERT_TRUE(db_->Query("  select 1"));
    EXPECT_EQ(db_->Generation(), g0) << "reads change nothing";
    ASSERT_TRUE(db_->Query("INSERT INTO t (name) VALUES (?)", {"a"}));
    const auto g1 = db_->Generation();
    EXPECT_GT(g1, g0);
    auto tx = db_->Transact([](Tx& t) -> Result<void> {
        if (auto r = t.Query("UPDATE t SET n = 1"); !r) return Fail(r.error());
        return {};
    });
    ASSERT_TRUE(tx);
    EXPECT_GT(db_->Generation(), g1) << "a committed transaction counts";
    const auto g2 = db_->Generation();
    auto rolled_back = db_->Transact([](Tx& t) -> Result<void> {
        (void)t.Query("UPDATE t SET n = 2");
        return Fail(Error::Internal("no"));
    });
    EXPECT_FALSE(rolled_back);
    EXPECT_EQ(db_->Generation(), g2) << "a rolled-back transaction changed nothing";
}

TEST_P(ContractTest, ReadCacheIsDroppedByAnyWrite) {
    ReadCache<std::string> cache(*db_, std::chrono::seconds(60), 100);
    EXPECT_EQ(cache.Get("k"), nullptr);
    cache.Put("k", "v1", cache.Generation());
    ASSERT_NE(cache.Get("k"), nullptr);
    EXPECT_EQ(*cache.Get("k"), "v1");
    ASSERT_TRUE(db_->Query("INSERT INTO t (name) VALUES (?)", {"b"}));
    EXPECT_EQ(cache.Get("k"), nullptr) << "a write invalidates every entry";
}

TEST_P(ContractTest, ReadCacheRefusesWhatChangedWhileItWasRead) {
    ReadCache<std::string> cache(*db_, std::chrono::seconds(60), 100);
    const auto before = cache.Generation();
    ASSERT_TRUE(db_->Query("INSERT INTO t (name) VALUES (?)", {"c"}));  // a write meanwhile
    cache.Put("k", "stale", before);
    EXPECT_EQ(cache.Get("k"), nullptr);
}

TEST_P(ContractTest, ReadCacheAgesOutAndCanBeOff) {
    ReadCache<std::string> short_lived(*db_, std::chrono::milliseconds(20), 100);
    short_lived.Put("k", "v", short_lived.Generation());
    ASSERT_NE(short_lived.Get("k"), nullptr);
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
    EXPECT_EQ(short_lived.Get("k"), nullptr) << "older than max_age";

    ReadCache<std::string> off(*db_, std::chrono::milliseconds(0), 100);
    off.Put("k", "v", off.Generation());
    EXPECT_EQ(off.Get("k"), nullptr);
}

TEST_P(ContractTest, ReadCacheStaysBounded) {
    ReadCache<int> cache(*db_, std::chrono::seconds(60), 3);
    const auto g = cache.Generation();
    for (int i = 0; i < 3; ++i) cache.Put(std::to_string(i), i, g);
    EXPECT_NE(cache.Get("2"), nullptr);
    cache.Put("3", 3, g);  // full: starts again
    EXPECT_EQ(cache.Get("0"), nullptr);
    ASSERT_NE(cache.Get("3"), nullptr);
    EXPECT_EQ(*cache.Get("3"), 3);
}

INSTANTIATE_TEST_SUITE_P(Backends, ContractTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         [](const auto& info) {
                             return info.param == Backend::kSqlite ? "Sqlite" : "Postgresql";
                         });

TEST(PostgresTest, UnreachableServerIsUnavailableAndPasswordHidden) {
    auto db = OpenPostgres({"postgresql://u:s3cret@127.0.0.1:1/none?connect_timeout=2", 1});
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().kind, ErrorKind::kUnavailable);
    EXPECT_EQ(db.error().message.find("s3cret"), std::string::npos);
}

TEST(SqliteTest, UnwritableDirectoryIsUnavailable) {
    auto db = OpenSqlite({"/nonexistent-dir/for/mamori/test.db", 1, 100});
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().kind, ErrorKind::kUnavailable);
}

TEST(RedactTest, HidesPasswordOnly) {
    EXPECT_EQ(RedactUrl("postgresql://u:pw@h:5432/d"), "postgresql://u:***@h:5432/d");
    EXPECT_EQ(RedactUrl("postgresql://u@h/d"), "postgresql://u@h/d");
}

}  // namespace
}  // namespace mamori::store
