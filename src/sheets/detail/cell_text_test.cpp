#include "sheets/detail/cell_text.h"

#include <gtest/gtest.h>

#include <string>

namespace mamori::sheets::detail {
namespace {

struct FormatCase {
    std::string_view code;
    NumberKind kind;
};

TEST(CellTextTest, ClassifiesFormatCodes) {
    const FormatCase cases[] = {
        {"General", NumberKind::kNumber},
        {"G/標準", NumberKind::kNumber},
        {"G/標準\"件\"", NumberKind::kNumber},
        {"0.00", NumberKind::kNumber},
        {"#,##0 \"円\";[Red]-#,##0 \"円\"", NumberKind::kNumber},
        {"0.00E+00", NumberKind::kNumber},
        {"[$¥-411]#,##0", NumberKind::kNumber},
        {"0.0 \"h\"", NumberKind::kNumber},
        {"@", NumberKind::kNumber},
        {"yyyy/m/d", NumberKind::kDate},
        {"yyyy/m/d;@", NumberKind::kDate},
        {"yyyy\"年\"m\"月\"d\"日\"", NumberKind::kDate},
        {"[$-411]ggge\"年\"m\"月\"d\"日\"", NumberKind::kDate},
        {"[DBNum1][$-411]ggge年m月d日", NumberKind::kDate},
        {"d-mmm-yy", NumberKind::kDate},
        {"mmm-yy", NumberKind::kDate},
        {"m", NumberKind::kDate},
        {"m/d/yy h:mm", NumberKind::kDateTime},
        {"yyyy-mm-dd hh:mm:ss", NumberKind::kDateTime},
        {"h:mm", NumberKind::kTime},
        {"h:mm AM/PM", NumberKind::kTime},
        {"mm:ss", NumberKind::kTime},
        {"h\"時\"mm\"分\"", NumberKind::kTime},
        {"[h]:mm:ss", NumberKind::kDuration},
        {"[mm]:ss", NumberKind::kDuration},
        {"[Red]0.00", NumberKind::kNumber},
    };
    for (const auto& c : cases) EXPECT_EQ(ClassifyFormatCode(c.code), c.kind) << c.code;
}

TEST(CellTextTest, BuiltinFormats) {
    for (int id : {14, 15, 16, 17, 27, 31, 57, 58})
        EXPECT_EQ(BuiltinNumberKind(id), NumberKind::kDate);
    EXPECT_EQ(BuiltinNumberKind(22), NumberKind::kDateTime);
    for (int id : {18, 19, 20, 21, 32, 33, 45, 47})
        EXPECT_EQ(BuiltinNumberKind(id), NumberKind::kTime);
    EXPECT_EQ(BuiltinNumberKind(46), NumberKind::kDuration);
    for (int id : {0, 1, 2, 9, 10, 11, 12, 49, 164})
        EXPECT_EQ(BuiltinNumberKind(id), NumberKind::kNumber);
}

TEST(CellTextTest, Numbers) {
    const auto n = [](std::string_view v) { return NumberText(v, NumberKind::kNumber, false); };
    EXPECT_EQ(n("42"), "42");
    EXPECT_EQ(n("42.0"), "42");
    EXPECT_EQ(n("100000"), "100000");
    EXPECT_EQ(n("-3.5"), "-3.5");
    EXPECT_EQ(n("0.1"), "0.1");
    EXPECT_EQ(n("0.30000000000000004"), "0.30000000000000004");
    EXPECT_EQ(n("1E+2"), "100");
    EXPECT_EQ(n("123456789012345678"), "123456789012345680");
    EXPECT_EQ(n("1E+21"), "1e+21");
    EXPECT_EQ(n("0.000001"), "0.000001");
    EXPECT_EQ(n("1.5E-7"), "1.5e-07");
    EXPECT_EQ(n("-0"), "0");
    EXPECT_EQ(n("not a number"), "not a number");
}

TEST(CellTextTest, DatesAndTimes) {
    const auto d = [](std::string_view v, NumberKind k = NumberKind::kDate, bool d1904 = false) {
        return NumberText(v, k, d1904);
    };
    EXPECT_EQ(d("1"), "1900-01-01");
    EXPECT_EQ(d("59"), "1900-02-28");
    EXPECT_EQ(d("60"), "1900-02-29");  // as Excel shows it
    EXPECT_EQ(d("61"), "1900-03-01");
    EXPECT_EQ(d("45383"), "2024-04-01");
    EXPECT_EQ(d("45383.99"), "2024-04-01");
    EXPECT_EQ(d("2958465"), "9999-12-31");
    EXPECT_EQ(d("2958466"), "2958466");
    EXPECT_EQ(d("0"), "0");
    EXPECT_EQ(d("-1"), "-1");
    EXPECT_EQ(d("0", NumberKind::kDate, true), "1904-01-01");
    EXPECT_EQ(d("43921", NumberKind::kDate, true), "2024-04-01");
    EXPECT_EQ(d("45383.5", NumberKind::kDateTime), "2024-04-01 12:00:00");
    EXPECT_EQ(d("45383.000011574", NumberKind::kDateTime), "2024-04-01 00:00:01");
    EXPECT_EQ(d("0.75", NumberKind::kTime), "18:00:00");
    EXPECT_EQ(d("1.75", NumberKind::kTime), "18:00:00");
    EXPECT_EQ(d("1.75", NumberKind::kDuration), "42:00:00");
}

TEST(CellTextTest, CellReferences) {
    EXPECT_EQ(ParseCellRef("A1")->column, 0u);
    EXPECT_EQ(ParseCellRef("A1")->row, 1u);
    EXPECT_EQ(ParseCellRef("gr200")->column, 199u);
    EXPECT_EQ(ParseCellRef("XFD1048576")->column, 16383u);
    EXPECT_EQ(ParseCellRef("XFD1048576")->row, 1048576u);
    for (std::string_view bad :
         {"", "A", "1", "A0", "A01", "XFE1", "A1048577", "AAAA1", "A1B", "$A$1", "A-1"})
        EXPECT_FALSE(ParseCellRef(bad)) << bad;
    EXPECT_EQ(ColumnName(0), "A");
    EXPECT_EQ(ColumnName(25), "Z");
    EXPECT_EQ(ColumnName(26), "AA");
    EXPECT_EQ(ColumnName(199), "GR");
    EXPECT_EQ(ColumnName(16383), "XFD");
}

TEST(CellTextTest, Escapes) {
    const auto unescape = [](std::string_view s) {
        std::string out;
        AppendUnescaped(s, out);
        return out;
    };
    EXPECT_EQ(unescape("a_x000D_b"), "a\rb");
    EXPECT_EQ(unescape("_x005F_x000D_"), "_x000D_");
    EXPECT_EQ(unescape("_x00e9_"), "é");
    EXPECT_EQ(unescape("_xD83D__xDE00_"), "\xF0\x9F\x98\x80");  // U+1F600
    EXPECT_EQ(unescape("_xD83D_"), "_xD83D_");                  // lone surrogate
    EXPECT_EQ(unescape("_x12_ _X000D_ _x00G0_"), "_x12_ _X000D_ _x00G0_");

    EXPECT_EQ(EscapeForXlsx("_x0041_"), "_x005F_x0041_");
    EXPECT_EQ(EscapeForXlsx(std::string("a\0b", 3)), "a_x0000_b");
    EXPECT_EQ(EscapeForXlsx("\xEF\xBF\xBE\xEF\xBF\xBF"), "_xFFFE__xFFFF_");
    EXPECT_FALSE(NeedsXlsxEscape("plain 平川 _x12_ \r\n"));
    for (const std::string& v : {std::string("_x0041_"), std::string("a\0b", 3),
                                 std::string("\xEF\xBF\xBE"), std::string("__x005F__")}) {
        EXPECT_TRUE(NeedsXlsxEscape(v));
        EXPECT_EQ(unescape(EscapeForXlsx(v)), v);
    }
}

TEST(CellTextTest, DisplayWidthAndTrim) {
    EXPECT_EQ(DisplayWidth("abc"), 3u);
    EXPECT_EQ(DisplayWidth("情報資産"), 8u);
    EXPECT_EQ(DisplayWidth("ｶﾅ"), 2u);
    EXPECT_EQ(DisplayWidth("短い\r\nとても長い行"), 12u);
    EXPECT_EQ(TrimSpaces(" \t\u3000氏名 \u3000"), "氏名");
    EXPECT_EQ(TrimSpaces("\u3000"), "");
}

}  // namespace
}  // namespace mamori::sheets::detail
