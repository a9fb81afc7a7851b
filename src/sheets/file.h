#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "sheets/xlsx.h"

namespace mamori::sheets {

enum class Format { kCsv, kXlsx };

/// A spreadsheet written as a file, ready to send.
struct File {
    std::string content_type;
    std::string filename;  ///< ASCII, e.g. mamori-assets-20261127.csv
    std::string body;
};

/// `mamori-<stem>-<yyyymmdd>.csv|xlsx`: CSV (UTF-8 with BOM) of the first sheet, or XLSX of
/// every sheet. `date` is "YYYY-MM-DD" (the city's date).
[[nodiscard]] Result<File> MakeFile(Format format, std::string_view stem,
                                    const std::vector<Sheet>& sheets, std::string_view date);

}  // namespace mamori::sheets
