#include "sheets/table.h"

#include "sheets/csv.h"
#include "sheets/xlsx.h"

namespace mamori::sheets {

namespace {

constexpr std::string_view kZipMagic = "PK\x03\x04";
// An OLE compound file: a legacy .xls, or an .xlsx that Excel encrypted with a password.
constexpr std::string_view kCompoundFileMagic = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

}  // namespace

Result<Table> ReadTable(std::string_view bytes, std::string_view sheet_name, std::size_t max_rows) {
    if (bytes.starts_with(kZipMagic)) return ReadXlsx(bytes, sheet_name, max_rows);
    if (bytes.starts_with(kCompoundFileMagic))
        return Fail(Error::Invalid(
            "invalid_xlsx",
            "古い形式の Excel ファイル (.xls) か、パスワードで保護された Excel ファイルは読めま"
            "せん。パスワードを外し、「Excel ブック (*.xlsx)」か CSV で保存し直してください。"));
    return ReadCsv(bytes, max_rows);
}

}  // namespace mamori::sheets
