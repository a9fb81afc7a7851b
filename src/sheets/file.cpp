#include "sheets/file.h"

#include <fmt/format.h>

#include <algorithm>

#include "sheets/csv.h"

namespace mamori::sheets {

Result<File> MakeFile(Format format, std::string_view stem, const std::vector<Sheet>& sheets,
                      std::string_view date) {
    std::string compact(date);
    std::erase(compact, '-');
    File f;
    if (format == Format::kCsv) {
        f.content_type = "text/csv; charset=utf-8";
        f.filename = fmt::format("mamori-{}-{}.csv", stem, compact);
        f.body = WriteCsv(sheets.front().header, sheets.front().rows);
        return f;
    }
    auto bytes = WriteXlsx(sheets);
    if (!bytes) return Fail(bytes.error());
    f.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    f.filename = fmt::format("mamori-{}-{}.xlsx", stem, compact);
    f.body = std::move(*bytes);
    return f;
}

}  // namespace mamori::sheets
