// Policy catalog: parsing and checking the whole Hirakawa catalog (issue 5 target: under
// 100 ms), reading it from its folder, and the derived views the API serves.
//   make build && ./build/release/bench/policy_benchmark
#include <benchmark/benchmark.h>

#include <filesystem>

#include "policy/catalog.h"
#include "policy/coverage.h"
#include "policy/diff.h"
#include "policy/oscal.h"

namespace {

using mamori::policy::BuiltinCatalogFiles;
using mamori::policy::Catalog;

void BM_ParseAndCheckHirakawa(benchmark::State& state) {
    const auto& files = BuiltinCatalogFiles();
    for (auto _ : state) {
        auto c = Catalog::Parse(files);
        if (!c) state.SkipWithError(c.error().message.c_str());
        benchmark::DoNotOptimize(c);
    }
}
BENCHMARK(BM_ParseAndCheckHirakawa)->Unit(benchmark::kMillisecond);

void BM_ReadFolderParseAndCheck(benchmark::State& state) {
    const std::filesystem::path dir = MAMORI_CATALOG_DIR;
    for (auto _ : state) {
        auto files = mamori::policy::ReadCatalogDir(dir);
        if (!files) state.SkipWithError(files.error().message.c_str());
        auto c = Catalog::Parse(*files);
        benchmark::DoNotOptimize(c);
    }
}
BENCHMARK(BM_ReadFolderParseAndCheck)->Unit(benchmark::kMillisecond);

const Catalog& Hirakawa() {
    static const Catalog kCatalog = *Catalog::Parse(BuiltinCatalogFiles());
    return kCatalog;
}

void BM_Coverage(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(mamori::policy::Cover(Hirakawa()));
}
BENCHMARK(BM_Coverage)->Unit(benchmark::kMicrosecond);

void BM_DiffWithItself(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(mamori::policy::Diff(Hirakawa(), Hirakawa()));
}
BENCHMARK(BM_DiffWithItself)->Unit(benchmark::kMicrosecond);

void BM_OscalExport(benchmark::State& state) {
    for (auto _ : state) benchmark::DoNotOptimize(mamori::policy::ToOscal(Hirakawa()));
}
BENCHMARK(BM_OscalExport)->Unit(benchmark::kMicrosecond);

}  // namespace
