// The ledger through the store (issue 6 targets): durable append of audit events on SQLite
// with batched commits (≥ 50,000 events/s), an inclusion proof from stored nodes, and the
// time of a full `ledger verify`.
//   make build && ./build/release/bench/ledger_store_benchmark [--events=N]
// Without --benchmark_* flags it runs the benchmarks; with --verify-events=N it fills a
// fresh SQLite database with N events and times one full verification.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "audit/audit.h"
#include "core/clock.h"
#include "ledger/ledger_service.h"
#include "ledger/ledger_store.h"
#include "store/migrate.h"
#include "store/sqlite/sqlite_database.h"

namespace {

namespace fs = std::filesystem;
using mamori::Context;
using mamori::Result;

std::unique_ptr<mamori::store::Database> Fresh(const char* name) {
    auto path = fs::temp_directory_path() / name;
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
    auto db = std::move(*mamori::store::OpenSqlite({path, 2, 5000}));
    (void)mamori::store::Migrate(*db, mamori::store::BuiltinMigrations());
    return db;
}

// Records `count` audit events shaped like real ones, `batch` per transaction.
void Fill(mamori::store::Database& db, std::int64_t count, std::int64_t batch) {
    const Context ctx{nullptr, "bench-request-0001", "192.0.2.10"};
    for (std::int64_t done = 0; done < count;) {
        const std::int64_t n = std::min(batch, count - done);
        auto r = db.Transact([&](mamori::store::Tx& tx) -> Result<void> {
            for (std::int64_t i = 0; i < n; ++i) {
                auto a = mamori::audit::Record(
                    tx, ctx,
                    {.actor_name = "bench",
                     .action = "person.update",
                     .object_type = "person",
                     .object_id = "p" + std::to_string(done + i),
                     .summary = {{"display_name", "平川 花子"}, {"unit_id", "u-0001"}}},
                    "2026-11-27T03:00:00Z");
                if (!a) return mamori::Fail(a.error());
            }
            return {};
        });
        if (!r) {
            std::fprintf(stderr, "fill: %s\n", r.error().message.c_str());
            std::exit(1);
        }
        done += n;
    }
}

void BM_DurableAppendBatched(benchmark::State& state) {
    auto db = Fresh("mamori-bench-ledger-append.db");
    for (auto _ : state) Fill(*db, state.range(0), state.range(0));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_DurableAppendBatched)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_InclusionProofFromSqlite(benchmark::State& state) {
    static std::unique_ptr<mamori::store::Database> db;
    const std::int64_t size = state.range(0);
    if (!db) {
        db = Fresh("mamori-bench-ledger-proof.db");
        Fill(*db, size, 10000);
    }
    static mamori::ledger::CachedDbNodes nodes(*db);  // as LedgerService serves proofs
    std::uint64_t i = 12345;
    for (auto _ : state) {
        i = (i * 6364136223846793005ULL + 1442695040888963407ULL);
        auto p = mamori::ledger::InclusionProof(nodes, i % size, size);
        benchmark::DoNotOptimize(p);
    }
}
BENCHMARK(BM_InclusionProofFromSqlite)->Arg(1000000)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        if (std::strncmp(argv[i], "--proofs-on=", 12) == 0) {
            // Inclusion proofs on a database left by --verify-events (e.g. 10 M leaves).
            auto db = std::move(*mamori::store::OpenSqlite({argv[i] + 12, 2, 5000}));
            auto size = mamori::ledger::StoredSize(*db);
            mamori::ledger::CachedDbNodes nodes(*db);
            std::uint64_t x = 12345;
            for (int k = 0; k < 2000; ++k) {
                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                (void)mamori::ledger::InclusionProof(nodes, x % *size, *size);
            }
            constexpr int kProofs = 20000;
            auto t0 = std::chrono::steady_clock::now();
            for (int k = 0; k < kProofs; ++k) {
                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                if (!mamori::ledger::InclusionProof(nodes, x % *size, *size)) return 1;
            }
            auto t1 = std::chrono::steady_clock::now();
            std::printf("inclusion proof at %llu leaves: %.1f us each\n",
                        static_cast<unsigned long long>(*size),
                        std::chrono::duration<double, std::micro>(t1 - t0).count() / kProofs);
            return 0;
        } else if (std::strncmp(argv[i], "--verify-events=", 16) == 0) {
            const std::int64_t n = std::atoll(argv[i] + 16);
            auto db = Fresh("mamori-bench-ledger-verify.db");
            auto t0 = std::chrono::steady_clock::now();
            Fill(*db, n, 10000);
            auto t1 = std::chrono::steady_clock::now();
            auto signer = mamori::ledger::GenerateSigner("mamori/bench");
            mamori::SystemClock clock;
            mamori::ledger::LedgerService service(*db, clock, std::move(*signer), {});
            (void)service.CheckpointIfDue(true);
            auto t2 = std::chrono::steady_clock::now();
            auto report = service.Verify(false);
            auto t3 = std::chrono::steady_clock::now();
            // Inclusion proofs at random indexes through the service (cached upper nodes).
            constexpr int kProofs = 20000;
            std::uint64_t x = 12345;
            for (int k = 0; k < 1000; ++k) {  // warm the cache of upper nodes
                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                (void)service.Inclusion(x % n, n);
            }
            auto t4 = std::chrono::steady_clock::now();
            for (int k = 0; k < kProofs; ++k) {
                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                auto p = service.Inclusion(x % n, n);
                if (!p) std::exit(1);
            }
            auto t5 = std::chrono::steady_clock::now();
            std::printf("inclusion proof at %lld leaves: %.1f us each (%d proofs)\n",
                        static_cast<long long>(n),
                        std::chrono::duration<double, std::micro>(t5 - t4).count() / kProofs,
                        kProofs);
            const auto s = [](auto a, auto b) {
                return std::chrono::duration<double>(b - a).count();
            };
            std::printf(
                "events %lld: fill %.1f s (%.0f events/s), verify %.1f s (%.0f events/s): %s\n",
                static_cast<long long>(n), s(t0, t1), n / s(t0, t1), s(t2, t3), n / s(t2, t3),
                report ? report->message.c_str() : report.error().message.c_str());
            return report && report->ok ? 0 : 1;
        }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    return 0;
}
