#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "sheets/table.h"

namespace mamori::sheets {

/// The most columns ReadXlsx accepts: a non-empty cell right of column GR (200) is refused.
inline constexpr std::size_t kMaxXlsxColumns = 200;

/// The most bytes one part (file) of an XLSX zip may unpack to in ReadXlsx.
inline constexpr std::size_t kMaxXlsxPartBytes = 200 * 1024 * 1024;

/// One worksheet to write: a header row and data rows of text.
struct Sheet {
    /// The tab's name: 1 to 31 characters, none of [ ] : * ? / \, not beginning or ending
    /// with ', unique in the workbook (ASCII letters compared case-insensitively).
    std::string name;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    /// Column widths in characters, left to right; optional. A missing or non-positive width
    /// is computed from the header and the first 1000 rows (full-width characters count
    /// double), between 8 and 60.
    std::vector<double> widths;
};

/// Writes the sheets as an Excel workbook (.xlsx) and returns its bytes.
///
/// Every cell is written as a text cell, so "00123" keeps its zeros, "2026-04-01" stays the
/// text it was, and "=1+1" is shown as written: no formula in an exported file ever runs.
/// Empty values leave the cell empty. The header row is bold and frozen (it stays in view
/// when scrolling), and an autofilter covers the header and the data.
///
/// Round trip: ReadXlsx of the result gives back each sheet's header and rows byte for byte
/// (control characters, CR and text that looks like Excel's _xHHHH_ escapes included), with
/// the exceptions ReadXlsx documents: header names lose surrounding spaces, the header ends
/// at its last non-empty name (a header with no name at all is not found again), rows whose
/// cells are all empty are skipped, and cells over kMaxCsvFieldBytes, more than
/// kMaxXlsxColumns columns or more rows than the reader's max_rows are refused. Cells are
/// written inline, about 50 bytes of XML each besides their text, so a sheet is read back
/// only while that stays within kMaxXlsxPartBytes: 100,000 rows × 24 columns of values of
/// about 25 bytes unpack to 180 MB.
///
/// Uses libxlsxwriter in its constant-memory mode; it needs a file, so the workbook is
/// built in a private directory made with mkdtemp under $TMPDIR (or /tmp) and removed before
/// returning. May be called from several threads: calls take turns (a process-wide mutex),
/// because libxlsxwriter uses gmtime(), which is not thread-safe.
///
/// Errors, with Japanese messages:
///  - Error::Invalid "invalid_sheet": no sheets; a sheet name that Excel refuses (empty, too
///    long, a forbidden character, used twice); more than 1,048,575 rows or 16,384 columns.
///  - Error::Invalid "invalid_cell": a value that is not UTF-8, or longer than Excel's limit
///    of 32,767 characters; the message names the sheet, row and column.
///  - Error::Internal: the temporary directory or file cannot be made or read.
///
/// REQUIRES: a row may be shorter than the header (the rest is empty); a longer row is
/// written as it is, and ReadXlsx then refuses it (a cell without a header).
[[nodiscard]] Result<std::string> WriteXlsx(const std::vector<Sheet>& sheets);

/// Reads one worksheet of an Excel workbook (.xlsx, also Strict Open XML and files written
/// by LibreOffice, Google Sheets or libraries) from memory, as text.
///
/// `sheet_name` picks the tab by its name; empty means the first tab.
///
/// Cells are placed by their reference (A1 … XFD), so omitted empty cells and rows are
/// handled. The first row with a non-empty cell is the header; its width is its last
/// non-empty cell, and its names are trimmed as ReadCsv trims them. After it, rows whose
/// cells are all empty are skipped; `row_numbers` are the row numbers Excel shows. Each cell
/// becomes the text Excel displays for it, independent of the column's display format
/// except for dates:
///  - text (shared, inline or a formula's text result): as stored, rich-text runs joined,
///    phonetic guides (ふりがな) left out, Excel's _xHHHH_ escapes decoded;
///  - a number: "42", "-3.5", "0.1" (shortest text that reads back as the same double; no
///    trailing ".0"; exponent form only below 1e-6 or from 1e21);
///  - a number whose cell format is a date (built-in formats 14–17 and the Japanese built-in
///    date formats 27–31, 34–36, 50–54, 57, 58; custom formats with y, d, or a month m, or the
///    Japanese era letters g and e): "YYYY-MM-DD"; a date-and-time format (22, or a custom
///    one with hours or seconds as well): "YYYY-MM-DD HH:MM:SS"; a time-only format (18–21,
///    32, 33, 45–47, 55, 56, custom with only h, m and s): "HH:MM:SS" (hours may pass 24).
///    The workbook's date system (1900, or 1904 with date1904) is honoured, and 1900's
///    fictitious 29 February is kept as Excel shows it. A serial outside 1900-01-01 …
///    9999-12-31 stays a number;
///  - a boolean: "TRUE" or "FALSE"; an error: its text ("#N/A", "#DIV/0!");
///  - a formula: its cached result (nothing if the file has none).
/// `detected_encoding` is "xlsx".
///
/// Bounds: a part that unpacks to more than kMaxXlsxPartBytes, or unpacked parts totalling
/// more than 100 times the size of the file once past 16 MB (a zip bomb), are refused
/// without unpacking further.
///
/// Errors, all Error::Invalid with a Japanese message:
///  - "invalid_xlsx": not a zip; encrypted; no workbook, no such worksheet part; malformed
///    XML (or XML with a DTD); the bounds above; an empty sheet; more than `max_rows` data
///    rows; a non-empty cell right of column kMaxXlsxColumns or of the header's last
///    column; a cell over kMaxCsvFieldBytes. Messages name the row and column where they
///    apply ("3 行目 B 列").
///  - "unknown_sheet": no tab is called `sheet_name`; the message lists the tabs.
[[nodiscard]] Result<Table> ReadXlsx(std::string_view bytes, std::string_view sheet_name = {},
                                     std::size_t max_rows = kDefaultMaxRows);

}  // namespace mamori::sheets
