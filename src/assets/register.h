#pragma once

#include <string>
#include <string_view>

#include "assets/assets_service.h"
#include "core/error.h"
#include "core/principal.h"
#include "sheets/file.h"
#include "sheets/xlsx.h"
#include "store/database.h"

namespace mamori::assets {

/// The most data rows one register import may have.
inline constexpr std::size_t kMaxRegisterRows = 100000;
/// The largest register file an import takes (CSV or XLSX).
inline constexpr std::size_t kMaxRegisterBytes = 64 * 1024 * 1024;

/// Planner statistics for the asset register (SQLite's ANALYZE; PostgreSQL's autovacuum
/// does it by itself, and ANALYZE is harmless there). Without them SQLite may read and sort
/// a whole register to answer one page of it. Only the `assets` table, and only once it
/// holds kAnalyseFrom rows: statistics taken while a table is nearly empty would make the
/// planner scan it once it has grown (seen with the ledger's node table). Called at start and
/// after a large import.
void AnalyseRegister(store::Database& db);
inline constexpr std::int64_t kAnalyseFrom = 1000;

/// The sheet names of the XLSX registers (and the sheet an import reads first).
inline constexpr std::string_view kAssetSheet = "情報資産台帳";
inline constexpr std::string_view kSystemSheet = "情報システム台帳";

using SheetFormat = sheets::Format;
/// A register written as a file, ready to send.
using RegisterFile = sheets::File;

/// What an import did, with how the file was read.
struct RegisterImport {
    ImportResult result;
    std::string encoding;  ///< utf-8 | cp932 | xlsx
};

/// The asset and system registers as spreadsheets (CSV with a BOM, or XLSX), in the form a
/// city keeps in Excel, and back. Columns are by Japanese header (docs/assets.md lists them);
/// references are by what a person reads: the section as a path 「総務部/総務課」, the
/// 情報セキュリティ管理者 by user name, the system by its name, the zone by its name or key,
/// choices in Japanese (電子/紙/電子・紙, あり/なし, 庁内/データセンター/クラウド,
/// 運用中/計画中/廃止). Export then import of the same file changes nothing.
///
/// Import is all or nothing: every row is resolved and then checked by AssetsService exactly
/// as a single create or update would be, and every problem is reported by row (as Excel
/// numbers it) and column; with any problem nothing is written. A row whose 資産番号 exists
/// updates that asset (a system: whose name exists). The columns 状態, 廃棄日, 廃棄方法,
/// 廃棄者, 廃棄立会人 and 最終棚卸し日 are written on export and ignored on import (disposal and
/// 棚卸し are recorded on their own).
class Registers {
  public:
    /// `service` and `db` must outlive this.
    Registers(AssetsService& service, store::Database& db) : service_(service), db_(db) {}

    /// The asset register (within unit_id when given). XLSX has both registers as sheets.
    [[nodiscard]] Result<RegisterFile> ExportAssets(const Context& ctx, SheetFormat format,
                                                    const std::string& unit_id);
    [[nodiscard]] Result<RegisterFile> ExportSystems(const Context& ctx, SheetFormat format);

    /// Errors (whole file): "invalid_encoding", "invalid_csv", "invalid_xlsx",
    /// "unknown_sheet", "missing_column", "unknown_column", "duplicate_column", and those of
    /// AssetsService (403 without assets.manage). Row problems are in result.errors.
    [[nodiscard]] Result<RegisterImport> ImportAssets(const Context& ctx, std::string_view bytes,
                                                      bool dry_run);
    [[nodiscard]] Result<RegisterImport> ImportSystems(const Context& ctx, std::string_view bytes,
                                                       bool dry_run);

  private:
    /// The system register as the caller may read it, as a sheet.
    Result<sheets::Sheet> SystemsSheet(const Context& ctx);

    AssetsService& service_;
    store::Database& db_;
};

}  // namespace mamori::assets
