#include "sheets/table.h"

#include <gtest/gtest.h>

#include "sheets/csv.h"
#include "sheets/xlsx.h"

namespace mamori::sheets {
namespace {

using Rows = std::vector<std::vector<std::string>>;

TEST(TableTest, ReadsCsvAndXlsxByTheirBytes) {
    const std::vector<std::string> header = {"氏名", "番号"};
    const Rows rows = {{"平川 太郎", "007"}};

    auto csv = ReadTable(WriteCsv(header, rows), "ignored");
    ASSERT_TRUE(csv) << csv.error().message;
    EXPECT_EQ(csv->detected_encoding, "utf-8");
    EXPECT_EQ(csv->rows, rows);

    auto xlsx_bytes = WriteXlsx({{"名簿", header, rows, {}}});
    ASSERT_TRUE(xlsx_bytes) << xlsx_bytes.error().message;
    auto xlsx = ReadTable(*xlsx_bytes, "名簿");
    ASSERT_TRUE(xlsx) << xlsx.error().message;
    EXPECT_EQ(xlsx->detected_encoding, "xlsx");
    EXPECT_EQ(xlsx->header, header);
    EXPECT_EQ(xlsx->rows, rows);
}

TEST(TableTest, PassesTheRowLimitOn) {
    const std::string csv = WriteCsv({"a"}, {{"1"}, {"2"}});
    EXPECT_FALSE(ReadTable(csv, {}, 1));
    auto xlsx = WriteXlsx({{"s", {"a"}, {{"1"}, {"2"}}, {}}});
    ASSERT_TRUE(xlsx);
    EXPECT_FALSE(ReadTable(*xlsx, {}, 1));
    EXPECT_TRUE(ReadTable(*xlsx, {}, 2));
}

TEST(TableTest, ExplainsLegacyAndEncryptedExcelFiles) {
    auto t = ReadTable(std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") + std::string(504, '\0'));
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, "invalid_xlsx");
    EXPECT_NE(t.error().message.find(".xls"), std::string::npos);
}

}  // namespace
}  // namespace mamori::sheets
