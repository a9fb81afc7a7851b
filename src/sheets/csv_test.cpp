#include "sheets/csv.h"

#include <gtest/gtest.h>
#include <iconv.h>

#include <string>
#include <vector>

namespace mamori::sheets {
namespace {

using Rows = std::vector<std::vector<std::string>>;

/// `utf8` converted to CP932 with glibc iconv, as Excel on Japanese Windows saves it.
std::string ToCp932(std::string_view utf8) {
    iconv_t cd = iconv_open("CP932", "UTF-8");
    EXPECT_NE(cd, reinterpret_cast<iconv_t>(-1));
    std::string out(utf8.size() * 2 + 4, '\0');
    char* in_ptr = const_cast<char*>(utf8.data());
    std::size_t in_left = utf8.size();
    char* out_ptr = out.data();
    std::size_t out_left = out.size();
    const std::size_t rc = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
    iconv_close(cd);
    EXPECT_NE(rc, static_cast<std::size_t>(-1));
    out.resize(static_cast<std::size_t>(out_ptr - out.data()));
    return out;
}

/// The error ReadCsv gives for `bytes`, or an empty Error when it succeeds.
Error ErrorFor(std::string_view bytes, std::size_t max_rows = 100000) {
    auto r = ReadCsv(bytes, max_rows);
    if (r) {
        ADD_FAILURE() << "expected an error for: " << bytes;
        return {};
    }
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
    return r.error();
}

constexpr std::string_view kNames = "氏名,よみ\r\n平川 太郎,ひらかわ たろう\r\n";

TEST(CsvTest, ReadsUtf8WithoutBom) {
    auto t = ReadCsv(kNames);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->detected_encoding, "utf-8");
    EXPECT_EQ(t->header, (std::vector<std::string>{"氏名", "よみ"}));
    EXPECT_EQ(t->rows, (Rows{{"平川 太郎", "ひらかわ たろう"}}));
}

TEST(CsvTest, DropsUtf8Bom) {
    auto t = ReadCsv("\xEF\xBB\xBF" + std::string(kNames));
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->detected_encoding, "utf-8");
    EXPECT_EQ(t->header, (std::vector<std::string>{"氏名", "よみ"}));
    EXPECT_EQ(t->rows, (Rows{{"平川 太郎", "ひらかわ たろう"}}));
}

TEST(CsvTest, ConvertsCp932) {
    const std::string cp932 = ToCp932(kNames);
    ASSERT_NE(cp932, kNames);
    auto t = ReadCsv(cp932);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->detected_encoding, "cp932");
    EXPECT_EQ(t->header, (std::vector<std::string>{"氏名", "よみ"}));
    EXPECT_EQ(t->rows, (Rows{{"平川 太郎", "ひらかわ たろう"}}));
}

TEST(CsvTest, Cp932TrailBytesThatLookLikeAsciiAreNotSplit) {
    // "表" and "ソ" end in 0x5C ('\'), "①" is an NEC special character, "ｶﾅ" half-width
    // katakana; the quoted field holds a comma and a doubled quote in CP932 too.
    const std::string utf8 = "項目,備考\n表示,\"ソフト①,ｶﾅ \"\"引用\"\"\"\n";
    auto t = ReadCsv(ToCp932(utf8));
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->detected_encoding, "cp932");
    EXPECT_EQ(t->rows, (Rows{{"表示", "ソフト①,ｶﾅ \"引用\""}}));
}

TEST(CsvTest, QuotedFieldsHoldCommasLineBreaksAndDoubledQuotes) {
    auto t = ReadCsv(
        "name,note,quote\r\n"
        "\"平川, 太郎\",\"1行目\r\n2行目\nthird\",\"彼は \"\"はい\"\" と言った\"\r\n"
        "\"\",\"\"\"\",plain\r\n");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->rows, (Rows{{"平川, 太郎", "1行目\r\n2行目\nthird", "彼は \"はい\" と言った"},
                             {"", "\"", "plain"}}));
}

TEST(CsvTest, CrlfLfAndCrGiveTheSameTable) {
    auto crlf = ReadCsv("a,b\r\n1,2\r\n3,4\r\n");
    auto lf = ReadCsv("a,b\n1,2\n3,4\n");
    auto cr = ReadCsv("a,b\r1,2\r3,4\r");
    auto no_final_break = ReadCsv("a,b\n1,2\n3,4");
    auto trailing_blank_lines = ReadCsv("a,b\r\n1,2\r\n3,4\r\n\r\n\r\n");
    for (const auto* t : {&crlf, &lf, &cr, &no_final_break, &trailing_blank_lines}) {
        ASSERT_TRUE(*t) << (*t).error().message;
        EXPECT_EQ((*t)->header, (std::vector<std::string>{"a", "b"}));
        EXPECT_EQ((*t)->rows, (Rows{{"1", "2"}, {"3", "4"}}));
    }
}

TEST(CsvTest, EmptyFieldsAndTrailingComma) {
    auto t = ReadCsv("a,b,c\n1,,\n,,3");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->rows, (Rows{{"1", "", ""}, {"", "", "3"}}));
}

TEST(CsvTest, TrimsHeaderButKeepsDataSpaces) {
    auto t = ReadCsv(" 氏名 ,\tよみ\u3000\n 平川 , たろう \n");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->header, (std::vector<std::string>{"氏名", "よみ"}));
    EXPECT_EQ(t->rows, (Rows{{" 平川 ", " たろう "}}));
}

TEST(CsvTest, SkipsBlankAndAllEmptyRowsButCountsThem) {
    auto t = ReadCsv("a,b\n1,2\n\n,\n3,4\n,\n");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->rows, (Rows{{"1", "2"}, {"3", "4"}}));
    EXPECT_EQ(t->row_numbers, (std::vector<int>{2, 5}));
    // Row 3 is blank and row 4 empty, so the bad row is row 5, as Excel numbers it.
    EXPECT_EQ(ErrorFor("a,b\n1,2\n\n,\n3\n").message,
              "5 行目: 列の数が見出しと違います (見出し 2 列、この行 1 列)");
    EXPECT_EQ(ErrorFor("a,b\r\n1,2\r\n\r\n3\r\n").message,
              "4 行目: 列の数が見出しと違います (見出し 2 列、この行 1 列)");
}

TEST(CsvTest, FieldCountMustMatchHeader) {
    const Error e = ErrorFor("a,b,c,d,e\n1,2,3,4,5\n1,2,3,4\n");
    EXPECT_EQ(e.code, "invalid_csv");
    EXPECT_EQ(e.message, "3 行目: 列の数が見出しと違います (見出し 5 列、この行 4 列)");
    EXPECT_EQ(ErrorFor("a,b\n1,2,3\n").message,
              "2 行目: 列の数が見出しと違います (見出し 2 列、この行 3 列)");
}

TEST(CsvTest, RowNumbersCountRecordsNotLines) {
    // The quoted field spans three lines but is one row in Excel.
    EXPECT_EQ(ErrorFor("a,b\n\"x\ny\nz\",1\n1,2,3\n").message,
              "3 行目: 列の数が見出しと違います (見出し 2 列、この行 3 列)");
}

TEST(CsvTest, UnterminatedQuoteNamesRowAndColumn) {
    const Error e = ErrorFor("a,b\n1,2\n3,\"open\n4,5\n");
    EXPECT_EQ(e.code, "invalid_csv");
    EXPECT_EQ(e.message, "3 行目 2 列: 引用符 (\") が閉じられていません。");
}

TEST(CsvTest, MisplacedQuoteNamesRowAndColumn) {
    const Error inside = ErrorFor("a,b,c\n1,2,x\"y\n");
    EXPECT_EQ(inside.code, "invalid_csv");
    EXPECT_EQ(inside.message.rfind("2 行目 3 列: 引用符 (\") の使い方が正しくありません。", 0), 0u)
        << inside.message;
    const Error after = ErrorFor("a,b\n1,2\n\"ab\"c,3\n");
    EXPECT_EQ(after.message.rfind("3 行目 1 列: ", 0), 0u) << after.message;
}

TEST(CsvTest, EmptyInputHasNoHeader) {
    for (std::string_view bytes : {"", "\xEF\xBB\xBF", "\r\n\r\n", "\n"}) {
        const Error e = ErrorFor(bytes);
        EXPECT_EQ(e.code, "invalid_csv");
        EXPECT_EQ(e.message, "CSV ファイルが空です。1 行目に見出しを入れてください。");
    }
}

TEST(CsvTest, HeaderOnlyIsAnEmptyTable) {
    auto t = ReadCsv("a,b\n");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->header.size(), 2u);
    EXPECT_TRUE(t->rows.empty());
}

TEST(CsvTest, RefusesMoreThanMaxRows) {
    EXPECT_TRUE(ReadCsv("a\n1\n2\n", 2));
    const Error e = ErrorFor("a\n1\n2\n3\n4\n", 2);
    EXPECT_EQ(e.code, "invalid_csv");
    EXPECT_EQ(e.message, "4 行目: 行が多すぎます (見出しを除いて 2 行まで)。");
}

TEST(CsvTest, RefusesFieldsLongerThanTheLimit) {
    const std::string at_limit(kMaxCsvFieldBytes, 'x');
    auto t = ReadCsv("a,b\n1," + at_limit + "\n");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->rows[0][1].size(), kMaxCsvFieldBytes);

    const Error e = ErrorFor("a,b\n1,2\n3,\"" + at_limit + "y\"\n");
    EXPECT_EQ(e.code, "invalid_csv");
    EXPECT_EQ(e.message, "3 行目 2 列: 値が長すぎます (10001 バイト。10000 バイトまでです)。");
}

TEST(CsvTest, LargeInputSpanningManyChunks) {
    std::string csv = "id,name\n";
    for (int i = 0; i < 20000; ++i)
        csv += std::to_string(i) + ",\"名前 " + std::to_string(i) + "\"\n";
    auto t = ReadCsv(csv);
    ASSERT_TRUE(t) << t.error().message;
    ASSERT_EQ(t->rows.size(), 20000u);
    EXPECT_EQ(t->rows[12345], (std::vector<std::string>{"12345", "名前 12345"}));
}

TEST(CsvTest, RefusesBytesThatAreNeitherUtf8NorCp932) {
    // 0xFF is no UTF-8 byte and no CP932 lead byte; it is byte 5.
    const Error e = ErrorFor("a,b\n\xFF\xFE,1\n");
    EXPECT_EQ(e.code, "invalid_encoding");
    EXPECT_NE(e.message.find("先頭から 5 バイト目"), std::string::npos) << e.message;

    // Mostly UTF-8 with a stray 0x80 (not CP932 either): reported where UTF-8 broke.
    const Error mostly_utf8 = ErrorFor("氏名,よみ\n平川,\x80\n");
    EXPECT_EQ(mostly_utf8.code, "invalid_encoding");
    EXPECT_NE(mostly_utf8.message.find("先頭から 22 バイト目"), std::string::npos)
        << mostly_utf8.message;

    // A BOM promises UTF-8; CP932 after it is an error, not a guess.
    EXPECT_EQ(ErrorFor("\xEF\xBB\xBF" + ToCp932("氏名\n")).code, "invalid_encoding");
    // A CP932 lead byte cut off at the end.
    EXPECT_EQ(ErrorFor(ToCp932("氏名\n") + "\x81").code, "invalid_encoding");
}

TEST(CsvTest, OverlongUtf8IsNotTakenAsUtf8) {
    // C0 AF is an overlong "/" and not UTF-8; as CP932 it is two half-width katakana.
    auto t = ReadCsv("a\n\xC0\xAF\n");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->detected_encoding, "cp932");
    EXPECT_EQ(t->rows, (Rows{{"ﾀｯ"}}));
    // An encoded surrogate (ED A0 80) ends in 0x80, which CP932 lacks as well.
    EXPECT_EQ(ErrorFor("a\n\xED\xA0\x80\n").code, "invalid_encoding");
}

TEST(CsvWriterTest, BomCrlfAndQuotingOnlyWhenNeeded) {
    const std::string csv = WriteCsv({"氏名", "備考"}, {{"平川 太郎", "a,b"},
                                                        {"say \"hi\"", "1行目\r\n2行目"},
                                                        {"cr\rhere", "lf\nhere"},
                                                        {"", " spaced "}});
    EXPECT_EQ(csv,
              "\xEF\xBB\xBF氏名,備考\r\n"
              "平川 太郎,\"a,b\"\r\n"
              "\"say \"\"hi\"\"\",\"1行目\r\n2行目\"\r\n"
              "\"cr\rhere\",\"lf\nhere\"\r\n"
              ", spaced \r\n");
}

TEST(CsvWriterTest, FormulaLikeTextIsWrittenUnchanged) {
    EXPECT_EQ(WriteCsv({"a", "b", "c", "d", "e"}, {{"=1+1", "+81", "-", "@SUM(A1)", "\tx"}}),
              "\xEF\xBB\xBF"
              "a,b,c,d,e\r\n=1+1,+81,-,@SUM(A1),\tx\r\n");
}

TEST(CsvWriterTest, ShortRowsArePaddedToTheHeader) {
    EXPECT_EQ(WriteCsv({"a", "b", "c"}, {{"1"}, {}}),
              "\xEF\xBB\xBF"
              "a,b,c\r\n1,,\r\n,,\r\n");
}

TEST(CsvWriterTest, HeaderOnly) {
    EXPECT_EQ(WriteCsv({"a"}, {}),
              "\xEF\xBB\xBF"
              "a\r\n");
}

TEST(CsvWriterTest, RoundTripGivesBackTheSameStrings) {
    const std::vector<std::string> header = {"番号", "名称", "備考", "日付", "式"};
    const Rows rows = {
        {"00123", "情報資産台帳, 第1版", "彼は \"はい\" と言った", "2026-04-01", "=1+1"},
        {"", "改行\r\nあり\nLF のみ\rCR のみ", "", "", "-"},
        {"0", " 前後に空白 ", "\t", "@x", "+1"},
        {"①ｶﾅ\u3000", "\"", ",", "\"\"", "end"},
    };
    auto t = ReadCsv(WriteCsv(header, rows));
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->detected_encoding, "utf-8");
    EXPECT_EQ(t->header, header);
    EXPECT_EQ(t->rows, rows);
    EXPECT_EQ(t->row_numbers, (std::vector<int>{2, 3, 4, 5}));
}

}  // namespace
}  // namespace mamori::sheets
