#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace mamori::sheets {

/// The longest cell ReadCsv and ReadXlsx accept, in bytes of UTF-8.
inline constexpr std::size_t kMaxCsvFieldBytes = 10000;

/// The number of data rows the readers accept when the caller names no limit.
inline constexpr std::size_t kDefaultMaxRows = 100000;

/// A spreadsheet as read for an import: its header row and its data rows, all UTF-8 text.
struct Table {
    /// Column names from the first non-empty row, with surrounding spaces (ASCII space, tab
    /// and the ideographic space U+3000) removed.
    std::vector<std::string> header;
    /// Data rows; each has exactly header.size() fields, kept byte for byte.
    std::vector<std::vector<std::string>> rows;
    /// For each data row, its row number as Excel shows it (blank rows count), so messages
    /// can point at the right row even when blank rows were skipped. In a CSV file the
    /// header is row 1.
    std::vector<int> row_numbers;
    /// What the bytes were read as: "utf-8" or "cp932" (Shift_JIS as Windows writes it) for
    /// CSV, "xlsx" for an Excel workbook.
    std::string detected_encoding;
};

/// Reads a spreadsheet file whatever its kind: an XLSX workbook when `bytes` start with the
/// zip signature "PK\x03\x04" (ReadXlsx, with `sheet_name`), otherwise CSV (ReadCsv;
/// `sheet_name` is ignored).
///
/// Errors: those of ReadXlsx or ReadCsv; and a legacy .xls file or a password-protected
/// workbook (both OLE compound files) → Error::Invalid "invalid_xlsx" asking for .xlsx or
/// CSV instead, rather than a puzzling encoding error.
[[nodiscard]] Result<Table> ReadTable(std::string_view bytes, std::string_view sheet_name = {},
                                      std::size_t max_rows = kDefaultMaxRows);

}  // namespace mamori::sheets
