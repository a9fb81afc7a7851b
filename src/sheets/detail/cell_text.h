#pragma once

// The pure pieces of reading and writing cells: header trimming, and for XLSX number formats,
// date serials, cell references and Excel's _xHHHH_ escapes. Used inside src/sheets/ only.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mamori::sheets::detail {

/// `s` without the spaces around it: ASCII space, tab and the ideographic space U+3000, as
/// header names are trimmed.
std::string TrimSpaces(std::string_view s);

/// How a number format shows a number, as far as the readers care.
enum class NumberKind {
    kNumber,    ///< General, 0.00, #,##0 "円", 0%, …: the number itself.
    kDate,      ///< yyyy/m/d, ggge年m月d日, …
    kDateTime,  ///< m/d/yy h:mm, yyyy-mm-dd hh:mm:ss, …
    kTime,      ///< h:mm, mm:ss, …: the time of day.
    kDuration,  ///< [h]:mm:ss: elapsed hours, which may pass 24.
};

/// The kind of a built-in number format (ECMA-376 §18.8.30, with the Japanese ids 27–58),
/// for a numFmtId the file does not define itself.
NumberKind BuiltinNumberKind(int id);

/// The kind of a custom format code, from its first section: dates have y, d, a month m
/// (an m not next to h or s), or the era letters g, e (ggge年) or b; times have h, s or a
/// minute m; text in quotes, escaped characters, [colours] and [$-411] locales, "General"
/// and the exponent of 0.00E+00 are ignored.
NumberKind ClassifyFormatCode(std::string_view code);

/// The text of a numeric cell whose stored value is `stored` (the text of <v>) shown with a
/// format of kind `kind`, in the 1900 or (date1904) 1904 date system. Numbers: shortest text
/// that reads back as the same double, fixed notation from 1e-6 up to 1e21, no trailing
/// ".0". Dates "YYYY-MM-DD", date-times "YYYY-MM-DD HH:MM:SS", times "HH:MM:SS". A stored
/// value that is no number comes back unchanged; a serial outside 1900-01-01 … 9999-12-31
/// is shown as a number.
std::string NumberText(std::string_view stored, NumberKind kind, bool date1904);

/// A cell reference such as "B3": the column from 0 (A) and the row from 1.
struct CellRef {
    std::size_t column = 0;
    std::size_t row = 0;
};

/// Parses "A1" … "XFD1048576" (no $, letters in either case). nullopt when malformed or
/// outside Excel's grid.
std::optional<CellRef> ParseCellRef(std::string_view ref);

/// The letters of a column from 0: 0 → "A", 26 → "AA".
std::string ColumnName(std::size_t column);

/// Appends `text` with Excel's escapes decoded: _xHHHH_ (a UTF-16 code unit in hex, pairs of
/// surrogates combined) becomes the character. A lone surrogate stays as written.
void AppendUnescaped(std::string_view text, std::string& out);

/// `value` escaped so that the escaping of Excel and libxlsxwriter keeps it intact: text that
/// looks like an escape (_x0041_) gets its underscore escaped (_x005F_x0041_), and the
/// characters XML cannot hold and libxlsxwriter leaves alone (NUL, U+FFFE, U+FFFF) are
/// escaped. libxlsxwriter escapes the other control characters itself.
std::string EscapeForXlsx(std::string_view value);

/// True when EscapeForXlsx would change `value`.
bool NeedsXlsxEscape(std::string_view value);

/// The width of the longest line of `text` in columns of a fixed-width font: East Asian
/// wide and full-width characters count 2, others 1.
std::size_t DisplayWidth(std::string_view text);

}  // namespace mamori::sheets::detail
