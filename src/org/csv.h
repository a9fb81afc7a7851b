#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace mamori::org {

/// The longest field ReadCsv accepts, in bytes of UTF-8.
inline constexpr std::size_t kMaxCsvFieldBytes = 10000;

/// A CSV file as read for an import: its header row and its data rows, all UTF-8.
struct CsvTable {
    /// Column names from the first row, with surrounding spaces (ASCII space, tab and the
    /// ideographic space U+3000) removed.
    std::vector<std::string> header;
    /// Data rows; each has exactly header.size() fields, kept byte for byte.
    std::vector<std::vector<std::string>> rows;
    /// For each data row, its row number as Excel shows it (the header is row 1; blank lines
    /// count), so messages can point at the right row even when blank lines were skipped.
    std::vector<int> row_numbers;
    /// The encoding the file was read in: "utf-8" or "cp932" (Shift_JIS as Windows writes it).
    std::string detected_encoding;
};

/// Reads a CSV file as Excel saves it.
///
/// Encoding: a UTF-8 byte order mark is dropped and the rest must be UTF-8; otherwise the
/// bytes are taken as UTF-8 when they are valid UTF-8, else converted from CP932.
///
/// Format: RFC 4180 — comma separated; fields may be quoted, and a quoted field may hold
/// commas, line breaks and doubled quotes (""); records end in CRLF, LF or CR; the last line
/// break is optional. Spaces around unquoted fields are kept. A quote anywhere else (inside
/// an unquoted field, or after a closing quote) is refused rather than guessed at. Blank
/// lines and rows whose fields are all empty (",,,", as Excel writes for cleared rows) are
/// skipped, but still counted, so the row numbers in messages are the ones Excel shows.
///
/// Errors, all Error::Invalid with a Japanese message:
///  - "invalid_encoding": neither UTF-8 nor CP932; the message gives the byte position.
///  - "invalid_csv": no header row; a quote left open; a misplaced quote; a row whose
///    number of fields differs from the header's; more than `max_rows` data rows; a field
///    over kMaxCsvFieldBytes. The message names the row (the header is row 1) and, where it
///    applies, the column (1-based).
[[nodiscard]] Result<CsvTable> ReadCsv(std::string_view bytes, std::size_t max_rows = 100000);

}  // namespace mamori::org
