// The cost of the password hash (argon2id, t=3, m=64 MiB): what one login costs the server.
#include <benchmark/benchmark.h>

#include "auth/password.h"

namespace {

void BM_HashPassword(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(mamori::auth::HashPassword("Hirakawa-2026-pw"));
}
BENCHMARK(BM_HashPassword)->Unit(benchmark::kMillisecond);

void BM_VerifyPassword(benchmark::State& state) {
    const std::string hash = *mamori::auth::HashPassword("Hirakawa-2026-pw");
    for (auto _ : state)
        benchmark::DoNotOptimize(mamori::auth::VerifyPassword("Hirakawa-2026-pw", hash));
}
BENCHMARK(BM_VerifyPassword)->Unit(benchmark::kMillisecond);

}  // namespace
