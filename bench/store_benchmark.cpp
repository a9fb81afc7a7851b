// Store micro-benchmarks: the cost of one indexed read and of one write transaction on
// SQLite through the Database interface (prepared-statement cache, pool, row copy).
#include <benchmark/benchmark.h>

#include <filesystem>

#include "store/migrate.h"
#include "store/sqlite/sqlite_database.h"

namespace {

std::unique_ptr<mamori::store::Database> Fresh(const char* name) {
    auto path = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove(path);
    auto db = std::move(*mamori::store::OpenSqlite({path, 2, 5000}));
    (void)mamori::store::Migrate(*db, {{1, "t", "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)"}});
    return db;
}

void BM_SqliteIndexedRead(benchmark::State& state) {
    auto db = Fresh("mamori-bench-read.db");
    (void)db->Transact([](mamori::store::Tx& tx) -> mamori::Result<void> {
        for (int i = 0; i < 10000; ++i)
            (void)tx.Exec("INSERT INTO kv (k, v) VALUES (?, ?)",
                          {"key" + std::to_string(i), "value" + std::to_string(i)});
        return {};
    });
    int i = 0;
    for (auto _ : state) {
        auto r = db->Query("SELECT v FROM kv WHERE k = ?", {"key" + std::to_string(i++ % 10000)});
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_SqliteIndexedRead);

void BM_SqliteWriteTransaction(benchmark::State& state) {
    auto db = Fresh("mamori-bench-write.db");
    int i = 0;
    for (auto _ : state) {
        auto r = db->Transact([&](mamori::store::Tx& tx) -> mamori::Result<std::int64_t> {
            return tx.Exec("INSERT INTO kv (k, v) VALUES (?, ?)", {std::to_string(i++), "v"});
        });
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_SqliteWriteTransaction);

}  // namespace
