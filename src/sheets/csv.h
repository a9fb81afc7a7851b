#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "sheets/table.h"

namespace mamori::sheets {

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
[[nodiscard]] Result<Table> ReadCsv(std::string_view bytes, std::size_t max_rows = kDefaultMaxRows);

/// Writes a table as CSV for Excel: UTF-8 with a byte order mark (without it, Japanese Excel
/// takes the file as Shift_JIS), RFC 4180, every record ending in CRLF. A field is quoted
/// only when it holds a comma, a quote, CR or LF, and its quotes are doubled.
///
/// Values are written exactly as given; nothing is added to neutralise spreadsheet formulas
/// ("CSV injection": a cell beginning with =, +, -, @, tab or CR that Excel evaluates when it
/// opens the file). A prefix such as ' would change the data and break the round trip, and
/// the same text is legitimate data ("-", "=1+1" in a note). Files meant to be opened in
/// Excel should be offered as XLSX (WriteXlsx), where every cell is a text cell and no
/// formula runs; CSV is for exchange with other programs and for import back into mamori.
///
/// Round trip: ReadCsv(WriteCsv(header, rows)) gives back `header` and `rows` byte for byte,
/// except that (as ReadCsv documents) header names lose surrounding spaces, rows whose
/// fields are all empty are skipped (their row numbers still count), and a header with no
/// name but one empty one is a blank line, which reads back as no header.
///
/// REQUIRES: every value is UTF-8. A row shorter than the header is written with empty
/// fields at the end; a row longer than the header is written as it is (ReadCsv will refuse
/// such a file).
[[nodiscard]] std::string WriteCsv(const std::vector<std::string>& header,
                                   const std::vector<std::vector<std::string>>& rows);

}  // namespace mamori::sheets
