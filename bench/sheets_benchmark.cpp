// Spreadsheet export and import at register scale: 100,000 rows × 24 columns of Japanese
// text written to CSV and to XLSX, and each read back.
//   cmake --preset release && cmake --build --preset release --target sheets_benchmark
//   ./build/release/bench/sheets_benchmark
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <string>

#include "sheets/csv.h"
#include "sheets/xlsx.h"

namespace {

using mamori::sheets::Sheet;

constexpr std::size_t kRows = 100000;
constexpr std::size_t kColumns = 24;

/// A register-like sheet: every cell different, most of it Japanese, some cells with a
/// comma, a quote or a line break so the CSV writer has to quote them.
const Sheet& Register() {
    static const Sheet kSheet = [] {
        Sheet sheet;
        sheet.name = "情報資産台帳";
        for (std::size_t c = 0; c < kColumns; ++c)
            sheet.header.push_back(fmt::format("項目{:02} 名称", c + 1));
        sheet.rows.reserve(kRows);
        for (std::size_t r = 0; r < kRows; ++r) {
            std::vector<std::string> row;
            row.reserve(kColumns);
            row.push_back(fmt::format("A-{:06}", r + 1));
            for (std::size_t c = 1; c < kColumns; ++c) {
                switch (c % 6) {
                    case 0:
                        row.push_back(fmt::format("住民基本台帳システム 第{}版", r % 97));
                        break;
                    case 1:
                        row.push_back("総務部情報政策課");
                        break;
                    case 2:
                        row.push_back(fmt::format("機密性{}・完全性2・可用性2", r % 3 + 1));
                        break;
                    case 3:
                        row.push_back(fmt::format("備考: 庁内, 第{}会議室で保管\n年1回点検", c));
                        break;
                    case 4:
                        row.push_back(fmt::format("2026-{:02}-{:02}", r % 12 + 1, r % 28 + 1));
                        break;
                    default:
                        row.push_back(fmt::format("{}行{}列の説明 \"重要\"", r + 1, c + 1));
                        break;
                }
            }
            sheet.rows.push_back(std::move(row));
        }
        return sheet;
    }();
    return kSheet;
}

void SetCounters(benchmark::State& state, std::size_t bytes) {
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kRows));
    state.counters["file_MB"] = static_cast<double>(bytes) / (1024.0 * 1024.0);
}

void BM_WriteCsv(benchmark::State& state) {
    const Sheet& sheet = Register();
    std::size_t bytes = 0;
    for (auto _ : state) {
        const std::string csv = mamori::sheets::WriteCsv(sheet.header, sheet.rows);
        bytes = csv.size();
        benchmark::DoNotOptimize(csv.data());
    }
    SetCounters(state, bytes);
}
BENCHMARK(BM_WriteCsv)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ReadCsv(benchmark::State& state) {
    const Sheet& sheet = Register();
    const std::string csv = mamori::sheets::WriteCsv(sheet.header, sheet.rows);
    for (auto _ : state) {
        auto table = mamori::sheets::ReadCsv(csv, kRows);
        if (!table || table->rows.size() != kRows) {
            state.SkipWithError(table ? "wrong row count" : table.error().message.c_str());
            break;
        }
        benchmark::DoNotOptimize(table);
    }
    SetCounters(state, csv.size());
}
BENCHMARK(BM_ReadCsv)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_WriteXlsx(benchmark::State& state) {
    const Sheet& sheet = Register();
    std::size_t bytes = 0;
    for (auto _ : state) {
        auto xlsx = mamori::sheets::WriteXlsx({sheet});
        if (!xlsx) {
            state.SkipWithError(xlsx.error().message.c_str());
            break;
        }
        bytes = xlsx->size();
        benchmark::DoNotOptimize(xlsx);
    }
    SetCounters(state, bytes);
}
BENCHMARK(BM_WriteXlsx)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ReadXlsx(benchmark::State& state) {
    auto xlsx = mamori::sheets::WriteXlsx({Register()});
    if (!xlsx) {
        state.SkipWithError(xlsx.error().message.c_str());
        return;
    }
    for (auto _ : state) {
        auto table = mamori::sheets::ReadXlsx(*xlsx, "情報資産台帳", kRows);
        if (!table || table->rows.size() != kRows) {
            state.SkipWithError(table ? "wrong row count" : table.error().message.c_str());
            break;
        }
        benchmark::DoNotOptimize(table);
    }
    SetCounters(state, xlsx->size());
}
BENCHMARK(BM_ReadXlsx)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
