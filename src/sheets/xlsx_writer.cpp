#include <fmt/format.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <system_error>
#include <utility>

#include "core/text.h"
#include "sheets/detail/cell_text.h"
#include "sheets/xlsx.h"

// libxlsxwriter (Debian libxlsxwriter-dev) writes the workbook; this file adds the temporary
// directory it needs, the escaping that keeps every value intact, and the layout.

namespace mamori::sheets {

namespace {

constexpr std::size_t kWidthSampleRows = 1000;
constexpr std::size_t kExcelMaxCellCharacters = 32767;  // libxlsxwriter's check, unexported
constexpr double kMinWidth = 8;
constexpr double kMaxWidth = 60;
constexpr double kWidthPadding = 2;  // room for the autofilter button

Error InvalidSheet(std::string message) {
    return Error::Invalid("invalid_sheet", std::move(message));
}

/// A directory made with mkdtemp (mode 0700), removed with its contents on destruction.
class TempDir {
  public:
    static Result<TempDir> Make() {
        const char* base = std::getenv("TMPDIR");
        std::string path = std::string(base && *base ? base : "/tmp") + "/mamori-xlsx-XXXXXX";
        if (!mkdtemp(path.data()))
            return Fail(Error::Internal(
                fmt::format("mkdtemp {}: {}", path, std::generic_category().message(errno))));
        return TempDir(std::move(path));
    }
    TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
    TempDir& operator=(TempDir&&) = delete;
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        if (path_.empty()) return;
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }

    const std::string& path() const { return path_; }

  private:
    explicit TempDir(std::string path) : path_(std::move(path)) {}
    std::string path_;
};

/// Owns a libxlsxwriter workbook until it is closed (closing also frees it).
class Workbook {
  public:
    Workbook(const std::string& file, const std::string& tmpdir) {
        lxw_workbook_options options{};
        options.constant_memory = LXW_TRUE;  // rows go to a temporary file as they are written
        options.tmpdir = const_cast<char*>(tmpdir.c_str());  // outlives the workbook
        workbook_ = workbook_new_opt(file.c_str(), &options);
    }
    ~Workbook() {
        if (workbook_) workbook_close(workbook_);
    }
    Workbook(const Workbook&) = delete;
    Workbook& operator=(const Workbook&) = delete;

    lxw_workbook* get() const { return workbook_; }
    lxw_error Close() { return workbook_close(std::exchange(workbook_, nullptr)); }

  private:
    lxw_workbook* workbook_ = nullptr;
};

std::string SheetNameProblem(const lxw_workbook* workbook, const std::string& name) {
    if (name.empty()) return "シート名が空です。";
    switch (workbook_validate_sheet_name(const_cast<lxw_workbook*>(workbook), name.c_str())) {
        case LXW_NO_ERROR:
            return {};
        case LXW_ERROR_SHEETNAME_LENGTH_EXCEEDED:
            return fmt::format("シート名「{}」が長すぎます ({} 文字まで)。", name,
                               LXW_SHEETNAME_MAX);
        case LXW_ERROR_INVALID_SHEETNAME_CHARACTER:
            return fmt::format("シート名「{}」に使えない文字 ([ ] : * ? / \\) があります。", name);
        case LXW_ERROR_SHEETNAME_START_END_APOSTROPHE:
            return fmt::format("シート名「{}」の最初と最後に ' は使えません。", name);
        case LXW_ERROR_SHEETNAME_ALREADY_USED:
            return fmt::format("シート名「{}」が二度使われています。", name);
        default:
            return fmt::format("シート名「{}」は使えません。", name);
    }
}

std::vector<double> ColumnWidths(const Sheet& sheet, std::size_t columns) {
    std::vector<std::size_t> widest(columns, 0);
    for (std::size_t c = 0; c < std::min(columns, sheet.header.size()); ++c)
        widest[c] = detail::DisplayWidth(sheet.header[c]);
    const std::size_t sample = std::min(sheet.rows.size(), kWidthSampleRows);
    for (std::size_t r = 0; r < sample; ++r)
        for (std::size_t c = 0; c < std::min(columns, sheet.rows[r].size()); ++c)
            widest[c] = std::max(widest[c], detail::DisplayWidth(sheet.rows[r][c]));
    std::vector<double> widths(columns);
    for (std::size_t c = 0; c < columns; ++c) {
        if (c < sheet.widths.size() && sheet.widths[c] > 0) {
            widths[c] = sheet.widths[c];
        } else {
            widths[c] =
                std::clamp(static_cast<double>(widest[c]) + kWidthPadding, kMinWidth, kMaxWidth);
        }
    }
    return widths;
}

/// Writes one value as a text cell; an empty value leaves the cell empty.
Result<void> WriteCell(lxw_worksheet* worksheet, const Sheet& sheet, std::size_t row,
                       std::size_t column, const std::string& value, lxw_format* format) {
    if (value.empty()) return {};
    const auto where = [&] {
        return fmt::format("シート「{}」の {} 行目 {} 列", sheet.name, row + 1,
                           detail::ColumnName(column));
    };
    if (!core::ValidUtf8(value))
        return Fail(Error::Invalid("invalid_cell", where() + ": 値が UTF-8 ではありません。"));
    const bool escape = detail::NeedsXlsxEscape(value);
    const std::string escaped = escape ? detail::EscapeForXlsx(value) : std::string();
    const lxw_error error = worksheet_write_string(
        worksheet, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(column),
        escape ? escaped.c_str() : value.c_str(), format);
    if (error == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED)
        return Fail(Error::Invalid("invalid_cell",
                                   fmt::format("{}: 値が長すぎます (Excel のセルは {} 文字まで)。",
                                               where(), kExcelMaxCellCharacters)));
    if (error != LXW_NO_ERROR)
        return Fail(Error::Internal(fmt::format("libxlsxwriter: {}", lxw_strerror(error))));
    return {};
}

Result<void> WriteSheet(lxw_workbook* workbook, lxw_format* bold, const Sheet& sheet) {
    if (const std::string problem = SheetNameProblem(workbook, sheet.name); !problem.empty())
        return Fail(InvalidSheet(problem));
    std::size_t columns = sheet.header.size();
    for (const auto& row : sheet.rows) columns = std::max(columns, row.size());
    if (sheet.rows.size() + 1 > LXW_ROW_MAX)
        return Fail(InvalidSheet(fmt::format("シート「{}」の行が多すぎます (Excel は {} 行まで)。",
                                             sheet.name, LXW_ROW_MAX)));
    if (columns > LXW_COL_MAX)
        return Fail(InvalidSheet(fmt::format("シート「{}」の列が多すぎます (Excel は {} 列まで)。",
                                             sheet.name, LXW_COL_MAX)));

    lxw_worksheet* worksheet = workbook_add_worksheet(workbook, sheet.name.c_str());
    if (!worksheet)
        return Fail(Error::Internal("libxlsxwriter: workbook_add_worksheet " + sheet.name));
    const std::vector<double> widths = ColumnWidths(sheet, columns);
    for (std::size_t c = 0; c < columns; ++c) {
        const auto col = static_cast<lxw_col_t>(c);
        worksheet_set_column(worksheet, col, col, widths[c], nullptr);
    }
    worksheet_freeze_panes(worksheet, 1, 0);
    if (columns > 0)
        worksheet_autofilter(worksheet, 0, 0, static_cast<lxw_row_t>(sheet.rows.size()),
                             static_cast<lxw_col_t>(columns - 1));

    for (std::size_t c = 0; c < sheet.header.size(); ++c)
        if (auto written = WriteCell(worksheet, sheet, 0, c, sheet.header[c], bold); !written)
            return written;
    for (std::size_t r = 0; r < sheet.rows.size(); ++r)
        for (std::size_t c = 0; c < sheet.rows[r].size(); ++c)
            if (auto written = WriteCell(worksheet, sheet, r + 1, c, sheet.rows[r][c], nullptr);
                !written)
                return written;
    return {};
}

Result<std::string> ReadWholeFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof())
        return Fail(Error::Internal("cannot read the workbook written to " + path));
    return bytes;
}

}  // namespace

Result<std::string> WriteXlsx(const std::vector<Sheet>& sheets) {
    if (sheets.empty()) return Fail(InvalidSheet("書き出すシートがありません。"));
    // libxlsxwriter calls gmtime(), which is not thread-safe; one workbook at a time also
    // keeps a burst of large exports from taking every core.
    static std::mutex one_at_a_time;
    const std::lock_guard lock(one_at_a_time);
    auto dir = TempDir::Make();
    if (!dir) return Fail(std::move(dir.error()));
    const std::string file = dir->path() + "/book.xlsx";

    Workbook workbook(file, dir->path());
    if (!workbook.get()) return Fail(Error::Internal("libxlsxwriter: workbook_new_opt failed"));
    lxw_format* bold = workbook_add_format(workbook.get());
    format_set_bold(bold);
    for (const auto& sheet : sheets)
        if (auto written = WriteSheet(workbook.get(), bold, sheet); !written)
            return Fail(std::move(written.error()));
    if (const lxw_error error = workbook.Close(); error != LXW_NO_ERROR)
        return Fail(Error::Internal(fmt::format("libxlsxwriter: {}", lxw_strerror(error))));
    return ReadWholeFile(file);
}

}  // namespace mamori::sheets
