#include "sheets/xlsx.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace mamori::sheets {
namespace {

using Rows = std::vector<std::vector<std::string>>;
using Parts = std::vector<std::pair<std::string, std::string>>;

/// A zip of `parts` (name, contents), deflated, as libarchive writes it.
std::string MakeZip(const Parts& parts) {
    std::string out;
    archive* zip = archive_write_new();
    archive_write_set_format_zip(zip);
    archive_write_set_bytes_in_last_block(zip, 1);
    archive_write_open(
        zip, &out, nullptr,
        [](archive*, void* data, const void* buffer, size_t size) -> la_ssize_t {
            static_cast<std::string*>(data)->append(static_cast<const char*>(buffer), size);
            return static_cast<la_ssize_t>(size);
        },
        nullptr);
    for (const auto& [name, contents] : parts) {
        archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, name.c_str());
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_perm(entry, 0644);
        archive_entry_set_size(entry, static_cast<la_int64_t>(contents.size()));
        EXPECT_EQ(archive_write_header(zip, entry), ARCHIVE_OK) << archive_error_string(zip);
        EXPECT_EQ(archive_write_data(zip, contents.data(), contents.size()),
                  static_cast<la_ssize_t>(contents.size()));
        archive_entry_free(entry);
    }
    EXPECT_EQ(archive_write_close(zip), ARCHIVE_OK);
    archive_write_free(zip);
    return out;
}

/// The contents of part `name` of a zip, or "" when it has none.
std::string Unzip(const std::string& zip_bytes, std::string_view name) {
    archive* zip = archive_read_new();
    archive_read_support_format_zip(zip);
    EXPECT_EQ(archive_read_open_memory(zip, zip_bytes.data(), zip_bytes.size()), ARCHIVE_OK);
    std::string out;
    archive_entry* entry = nullptr;
    while (archive_read_next_header(zip, &entry) == ARCHIVE_OK) {
        if (archive_entry_pathname(entry) != name) continue;
        char buffer[8192];
        for (la_ssize_t n; (n = archive_read_data(zip, buffer, sizeof buffer)) > 0;)
            out.append(buffer, static_cast<std::size_t>(n));
        break;
    }
    archive_read_free(zip);
    return out;
}

constexpr std::string_view kMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr std::string_view kRel =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

std::string Xml(std::string_view body) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n" + std::string(body);
}

std::string PackageRels(std::string_view workbook = "xl/workbook.xml") {
    return Xml(
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" Type=\"" +
        std::string(kRel) + "/officeDocument\" Target=\"" + std::string(workbook) +
        "\"/></Relationships>");
}

std::string WorkbookXml(const std::vector<std::string>& sheet_names, std::string_view pr = "") {
    std::string sheets;
    for (std::size_t i = 0; i < sheet_names.size(); ++i)
        sheets += "<sheet name=\"" + sheet_names[i] + "\" sheetId=\"" + std::to_string(i + 1) +
                  "\" r:id=\"rId" + std::to_string(i + 1) + "\"/>";
    return Xml("<workbook xmlns=\"" + std::string(kMain) + "\" xmlns:r=\"" + std::string(kRel) +
               "\">" + std::string(pr) + "<sheets>" + sheets + "</sheets></workbook>");
}

/// Relationships of the workbook: rId1… the sheets, then shared strings and styles.
std::string WorkbookRels(const std::vector<std::string>& sheet_targets,
                         std::string_view sheet_type = "worksheet") {
    std::string rels;
    for (std::size_t i = 0; i < sheet_targets.size(); ++i)
        rels += "<Relationship Id=\"rId" + std::to_string(i + 1) + "\" Type=\"" +
                std::string(kRel) + "/" + std::string(sheet_type) + "\" Target=\"" +
                sheet_targets[i] + "\"/>";
    rels += "<Relationship Id=\"rIdS\" Type=\"" + std::string(kRel) +
            "/sharedStrings\" Target=\"sharedStrings.xml\"/>";
    rels += "<Relationship Id=\"rIdT\" Type=\"" + std::string(kRel) +
            "/styles\" Target=\"styles.xml\"/>";
    return Xml(
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
        rels + "</Relationships>");
}

std::string SheetXml(std::string_view sheet_data) {
    return Xml("<worksheet xmlns=\"" + std::string(kMain) + "\" xmlns:r=\"" + std::string(kRel) +
               "\"><sheetData>" + std::string(sheet_data) + "</sheetData></worksheet>");
}

constexpr std::string_view kStyles =
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<numFmts count=\"3\">"
    "<numFmt numFmtId=\"164\" formatCode=\"yyyy/m/d;@\"/>"
    "<numFmt numFmtId=\"165\" "
    "formatCode=\"[$-411]ggge&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"
    "<numFmt numFmtId=\"166\" formatCode=\"0.00_ \"/>"
    "</numFmts>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs count=\"7\">"
    "<xf numFmtId=\"0\"/>"    // 0: General
    "<xf numFmtId=\"14\"/>"   // 1: built-in date
    "<xf numFmtId=\"164\"/>"  // 2: custom date
    "<xf numFmtId=\"165\"/>"  // 3: 和暦
    "<xf numFmtId=\"22\"/>"   // 4: date and time
    "<xf numFmtId=\"166\"/>"  // 5: 0.00
    "<xf numFmtId=\"20\"/>"   // 6: h:mm
    "</cellXfs></styleSheet>";

/// A one-sheet workbook ("Sheet1") with the given cells, shared strings and workbookPr.
std::string Book(std::string_view sheet_data, std::string_view shared_strings = "",
                 std::string_view workbook_pr = "") {
    return MakeZip({
        {"_rels/.rels", PackageRels()},
        {"xl/workbook.xml", WorkbookXml({"Sheet1"}, workbook_pr)},
        {"xl/_rels/workbook.xml.rels", WorkbookRels({"worksheets/sheet1.xml"})},
        {"xl/sharedStrings.xml", Xml("<sst xmlns=\"" + std::string(kMain) + "\">" +
                                     std::string(shared_strings) + "</sst>")},
        {"xl/styles.xml", Xml(std::string(kStyles))},
        {"xl/worksheets/sheet1.xml", SheetXml(sheet_data)},
    });
}

std::string Inline(std::string_view ref, std::string_view text) {
    return "<c r=\"" + std::string(ref) + "\" t=\"inlineStr\"><is><t>" + std::string(text) +
           "</t></is></c>";
}

Error XlsxErrorFor(std::string_view bytes, std::string_view sheet = {},
                   std::size_t max_rows = kDefaultMaxRows) {
    auto t = ReadXlsx(bytes, sheet, max_rows);
    if (t) {
        ADD_FAILURE() << "expected an error";
        return {};
    }
    EXPECT_EQ(t.error().kind, ErrorKind::kInvalidInput);
    return t.error();
}

// ---------------------------------------------------------------------------------------------
// Written by WriteXlsx, read back by ReadXlsx

const std::vector<std::string> kHeader = {"番号", "名称", "備考", "取得日", "式", "空"};
const Rows kRows = {
    {"00123", "情報資産台帳, 第1版", "彼は \"はい\" と言った", "2026-04-01", "=1+1", ""},
    {"", "", "", "", "", ""},  // all empty: skipped, but its row number counts
    {"0", "改行\r\nCRLF\nLF\rCR", "", "1/2", "+81", ""},
    {"-1", " 前後に空白 ", "タブ\tあり", "@x", "=HYPERLINK(\"http://x\")", ""},
    {"_x0041_ はそのまま", std::string("NUL") + '\0' + "と\x01制御", "\xEF\xBF\xBE", "_x005F_", "",
     ""},
};

TEST(XlsxTest, RoundTripTwoSheetsByName) {
    const std::vector<Sheet> sheets = {
        {"情報資産", kHeader, kRows, {}},
        {"システム", {"システム名", "所管課"}, {{"住民記録システム", "市民課"}}, {30, 0}},
    };
    auto bytes = WriteXlsx(sheets);
    ASSERT_TRUE(bytes) << bytes.error().message;
    ASSERT_EQ(bytes->substr(0, 4), "PK\x03\x04");

    auto first = ReadXlsx(*bytes, "情報資産");
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->detected_encoding, "xlsx");
    EXPECT_EQ(first->header, kHeader);
    EXPECT_EQ(first->rows, (Rows{kRows[0], kRows[2], kRows[3], kRows[4]}));
    EXPECT_EQ(first->row_numbers, (std::vector<int>{2, 4, 5, 6}));

    auto second = ReadXlsx(*bytes, "システム");
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(second->header, (std::vector<std::string>{"システム名", "所管課"}));
    EXPECT_EQ(second->rows, (Rows{{"住民記録システム", "市民課"}}));

    auto unnamed = ReadXlsx(*bytes);  // the first sheet
    ASSERT_TRUE(unnamed) << unnamed.error().message;
    EXPECT_EQ(unnamed->header, kHeader);
}

TEST(XlsxTest, CellsAreTextHeaderBoldFrozenAndFiltered) {
    auto bytes = WriteXlsx({{"台帳", {"番号", "式"}, {{"00123", "=1+1"}, {"7", ""}}, {}}});
    ASSERT_TRUE(bytes) << bytes.error().message;
    const std::string sheet = Unzip(*bytes, "xl/worksheets/sheet1.xml");
    ASSERT_FALSE(sheet.empty());
    EXPECT_EQ(sheet.find("<f>"), std::string::npos) << "no formula";
    EXPECT_NE(sheet.find("<c r=\"B2\" t=\"inlineStr\"><is><t>=1+1</t></is></c>"), std::string::npos)
        << sheet;
    EXPECT_NE(sheet.find("<c r=\"A3\" t=\"inlineStr\"><is><t>7</t></is></c>"), std::string::npos);
    EXPECT_EQ(sheet.find("r=\"B3\""), std::string::npos) << "empty value, no cell";
    EXPECT_NE(sheet.find("state=\"frozen\""), std::string::npos);
    EXPECT_NE(sheet.find("<autoFilter ref=\"A1:B3\"/>"), std::string::npos);
    EXPECT_NE(sheet.find("<cols>"), std::string::npos);
    EXPECT_NE(Unzip(*bytes, "xl/styles.xml").find("<b/>"), std::string::npos);
}

TEST(XlsxTest, ColumnWidthsFromValuesOrGiven) {
    const std::string long_text(100, 'x');
    auto bytes = WriteXlsx(
        {{"s", {"a", "名称", "c", "d"}, {{"1", "情報資産台帳", long_text, "y"}}, {0, 0, 0, 12}}});
    ASSERT_TRUE(bytes) << bytes.error().message;
    const std::string sheet = Unzip(*bytes, "xl/worksheets/sheet1.xml");
    // A: at least 8; B: 12 full-width columns + 2; C: at most 60; D: as given.
    EXPECT_NE(sheet.find("<col min=\"1\" max=\"1\" width=\"8.7109375\""), std::string::npos)
        << sheet;
    EXPECT_NE(sheet.find("<col min=\"2\" max=\"2\" width=\"14.7109375\""), std::string::npos);
    EXPECT_NE(sheet.find("<col min=\"3\" max=\"3\" width=\"60.7109375\""), std::string::npos);
    EXPECT_NE(sheet.find("<col min=\"4\" max=\"4\" width=\"12.7109375\""), std::string::npos);
}

TEST(XlsxTest, HeaderOnlySheet) {
    auto bytes = WriteXlsx({{"s", {"a", "b"}, {}, {}}});
    ASSERT_TRUE(bytes) << bytes.error().message;
    auto t = ReadXlsx(*bytes);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->header, (std::vector<std::string>{"a", "b"}));
    EXPECT_TRUE(t->rows.empty());
}

TEST(XlsxTest, WriterRefusesWhatExcelWouldNot) {
    const auto code_of = [](const std::vector<Sheet>& sheets) {
        auto r = WriteXlsx(sheets);
        EXPECT_FALSE(r);
        return r ? std::string() : r.error().code;
    };
    EXPECT_EQ(code_of({}), "invalid_sheet");
    EXPECT_EQ(code_of({{"", {"a"}, {}, {}}}), "invalid_sheet");
    EXPECT_EQ(code_of({{"a/b", {"a"}, {}, {}}}), "invalid_sheet");
    EXPECT_EQ(code_of({{std::string(32, 'x'), {"a"}, {}, {}}}), "invalid_sheet");
    EXPECT_EQ(code_of({{"台帳", {"a"}, {}, {}}, {"台帳", {"a"}, {}, {}}}), "invalid_sheet");
    EXPECT_EQ(code_of({{"s", {"a"}, {{"\xFF"}}, {}}}), "invalid_cell");
    EXPECT_EQ(code_of({{"s", {"a"}, {{std::string(32768, 'x')}}, {}}}), "invalid_cell");

    auto bad = WriteXlsx({{"台帳", {"a", "b"}, {{"1", "\xC3"}}, {}}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "シート「台帳」の 2 行目 B 列: 値が UTF-8 ではありません。");
    EXPECT_TRUE(WriteXlsx({{std::string(31, 'x'), {"a"}, {{std::string(32767, 'x')}}, {}}}));
}

// ---------------------------------------------------------------------------------------------
// Written by other programs: hand-made parts

TEST(XlsxTest, ReadsAWorkbookMadeByAnotherProgram) {
    const std::string shared =
        "<si><t>番号</t></si>"                                                                  // 0
        "<si><t>名称</t></si>"                                                                  // 1
        "<si><r><rPr><b/></rPr><t>情報</t></r><r><t xml:space=\"preserve\"> 資産</t></r></si>"  // 2
        "<si><t>平川</t><rPh sb=\"0\" eb=\"2\"><t>ヒラカワ</t></rPh>"
        "<phoneticPr fontId=\"1\"/></si>"                         // 3
        "<si><t>改行_x000D_\nあり</t></si>"                       // 4
        "<si><t xml:space=\"preserve\">  取得日\u3000</t></si>";  // 5
    const std::string cells =
        // row 1 missing; the header is row 2, with no header in D
        "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c><c r=\"B2\" t=\"s\"><v>1</v></c>"
        "<c r=\"C2\" t=\"s\"><v>5</v></c>" +
        Inline("E2", "有効") + Inline("F2", "備考") +
        "</row>"
        "<row r=\"3\"><c r=\"A3\"><v>1</v></c><c r=\"B3\" t=\"s\"><v>2</v></c>"
        "<c r=\"C3\" s=\"1\"><v>45383</v></c><c r=\"E3\" t=\"b\"><v>1</v></c>" +
        Inline("F3", "メモ") +
        "</row>"
        // row 4: styled empty cells only; row 5 missing
        "<row r=\"4\"><c r=\"A4\" s=\"1\"/><c r=\"B4\" t=\"s\"/></row>"
        // row 6: cells without references (A, B), a gap, an error
        "<row r=\"6\"><c t=\"s\"><v>3</v></c><c><v>0.1</v></c>"
        "<c r=\"F6\" t=\"e\"><v>#N/A</v></c></row>"
        "<row r=\"7\"><c r=\"A7\"><v>123</v></c><c r=\"B7\" s=\"5\"><v>1234.5</v></c>"
        "<c r=\"C7\" s=\"3\"><v>45383</v></c>"
        "<c r=\"D7\" t=\"str\"><f>A1&amp;B1</f><v>式の結果</v></c>"
        "<c r=\"E7\" t=\"b\"><v>0</v></c></row>"
        "<row r=\"8\"><c r=\"A8\" s=\"6\"><v>0.75</v></c><c r=\"B8\" t=\"s\"><v>4</v></c>"
        "<c r=\"C8\" s=\"4\"><v>45383.5</v></c><c r=\"F8\"><v>-3.25E-2</v></c></row>"
        "<row r=\"9\"><c r=\"A9\"><v>1E+22</v></c><c r=\"B9\"><f>SUM(X1:X2)</f></c>"
        "<c r=\"C9\" s=\"2\"><v>60</v></c></row>";

    auto t = ReadXlsx(Book(cells, shared));
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->detected_encoding, "xlsx");
    EXPECT_EQ(t->header, (std::vector<std::string>{"番号", "名称", "取得日", "", "有効", "備考"}));
    EXPECT_EQ(t->rows, (Rows{
                           {"1", "情報 資産", "2024-04-01", "", "TRUE", "メモ"},
                           {"平川", "0.1", "", "", "", "#N/A"},
                           {"123", "1234.5", "2024-04-01", "式の結果", "FALSE", ""},
                           {"18:00:00", "改行\r\nあり", "2024-04-01 12:00:00", "", "", "-0.0325"},
                           {"1e+22", "", "1900-02-29", "", "", ""},
                       }));
    EXPECT_EQ(t->row_numbers, (std::vector<int>{3, 6, 7, 8, 9}));
}

TEST(XlsxTest, Date1904System) {
    auto t = ReadXlsx(Book("<row r=\"1\">" + Inline("A1", "日付") +
                               "</row><row r=\"2\"><c r=\"A2\" s=\"1\"><v>43921</v></c></row>"
                               "<row r=\"3\"><c r=\"A3\" s=\"1\"><v>0</v></c></row>",
                           "", "<workbookPr date1904=\"1\"/>"));
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->rows, (Rows{{"2024-04-01"}, {"1904-01-01"}}));
}

TEST(XlsxTest, WorkbookElsewhereAndPrefixedElements) {
    // The workbook part where _rels/.rels says, and elements with a namespace prefix.
    const std::string sheet = Xml(
        "<x:worksheet xmlns:x=\"" + std::string(kMain) +
        "\"><x:sheetData>"
        "<x:row r=\"1\"><x:c r=\"A1\" t=\"inlineStr\"><x:is><x:t>名前</x:t></x:is></x:c></x:row>"
        "<x:row r=\"2\"><x:c r=\"A2\" t=\"inlineStr\"><x:is><x:t>値</x:t></x:is></x:c></x:row>"
        "</x:sheetData></x:worksheet>");
    const std::string bytes = MakeZip({
        {"_rels/.rels", PackageRels("/book/main.xml")},
        {"book/main.xml", WorkbookXml({"一覧", "二枚目"})},
        {"book/_rels/main.xml.rels",
         WorkbookRels({"sheets/one.xml", "/book/sheets/../sheets/two.xml"})},
        {"book/sheets/one.xml", SheetXml(Inline("A1", "x"))},
        {"book/sheets/two.xml", sheet},
    });
    auto t = ReadXlsx(bytes, "二枚目");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->header, (std::vector<std::string>{"名前"}));
    EXPECT_EQ(t->rows, (Rows{{"値"}}));
}

// ---------------------------------------------------------------------------------------------
// Errors

TEST(XlsxTest, NotAZip) {
    EXPECT_EQ(XlsxErrorFor("氏名,よみ\n").code, "invalid_xlsx");
    const Error e = XlsxErrorFor("PK\x03\x04 and then nothing of a zip");
    EXPECT_EQ(e.code, "invalid_xlsx");
    EXPECT_NE(e.message.find("zip 形式ではないか"), std::string::npos) << e.message;
}

TEST(XlsxTest, ZipWithoutWorkbook) {
    const Error e = XlsxErrorFor(MakeZip({{"readme.txt", "hello"}}));
    EXPECT_EQ(e.code, "invalid_xlsx");
    EXPECT_EQ(e.message,
              "xlsx の中にブック (xl/workbook.xml) がありません。Excel のブックではないようです。");
}

TEST(XlsxTest, UnknownSheetListsTheSheets) {
    auto bytes = WriteXlsx({{"情報資産", {"a"}, {}, {}}, {"システム", {"a"}, {}, {}}});
    ASSERT_TRUE(bytes);
    const Error e = XlsxErrorFor(*bytes, "例外");
    EXPECT_EQ(e.code, "unknown_sheet");
    EXPECT_EQ(e.message,
              "シート「例外」がありません。このブックのシート: 「情報資産」「システム」");
}

TEST(XlsxTest, RefusesMoreThanMaxRows) {
    auto bytes = WriteXlsx({{"s", {"a"}, {{"1"}, {"2"}, {"3"}}, {}}});
    ASSERT_TRUE(bytes);
    EXPECT_TRUE(ReadXlsx(*bytes, "", 3));
    const Error e = XlsxErrorFor(*bytes, "", 2);
    EXPECT_EQ(e.code, "invalid_xlsx");
    EXPECT_EQ(e.message, "4 行目: 行が多すぎます (見出しを除いて 2 行まで)。");
}

TEST(XlsxTest, RefusesCellsBeyondTheHeaderOrColumn200) {
    EXPECT_EQ(XlsxErrorFor(Book("<row r=\"1\">" + Inline("A1", "a") + "</row><row r=\"3\">" +
                                Inline("C3", "x") + "</row>"))
                  .message,
              "3 行目 C 列: 見出しのない列に値があります (見出しは A 列まで)。見出しを入れるか、"
              "値を消してください。");
    auto at_limit = ReadXlsx(Book("<row r=\"1\">" + Inline("GR1", "last") + "</row>"));
    ASSERT_TRUE(at_limit) << at_limit.error().message;
    EXPECT_EQ(at_limit->header.size(), 200u);
    EXPECT_EQ(XlsxErrorFor(Book("<row r=\"1\">" + Inline("GS1", "x") + "</row>")).message,
              "1 行目 GS 列: 列が多すぎます (200 列までです)。");
    // Empty cells far to the right (formatting only) are fine.
    EXPECT_TRUE(
        ReadXlsx(Book("<row r=\"1\">" + Inline("A1", "a") + "<c r=\"XFD1\" s=\"1\"/></row>")));
}

TEST(XlsxTest, RefusesCellsLongerThanTheLimit) {
    const std::string at_limit(kMaxCsvFieldBytes, 'x');
    EXPECT_TRUE(ReadXlsx(Book("<row r=\"1\">" + Inline("A1", at_limit) + "</row>")));
    EXPECT_EQ(XlsxErrorFor(Book("<row r=\"1\">" + Inline("A1", "a") + "</row><row r=\"2\">" +
                                Inline("A2", at_limit + "y") + "</row>"))
                  .message,
              "2 行目 A 列: 値が長すぎます (10001 バイト。10000 バイトまでです)。");
}

TEST(XlsxTest, EmptySheet) {
    EXPECT_EQ(XlsxErrorFor(Book("<row r=\"1\"><c r=\"A1\" s=\"1\"/></row>")).message,
              "シート「Sheet1」が空です。最初の行に見出しを入れてください。");
}

TEST(XlsxTest, MalformedXmlAndDtd) {
    const Error broken = XlsxErrorFor(Book("<row r=\"1\"><c r=\"A1\">"));
    EXPECT_EQ(broken.code, "invalid_xlsx");
    EXPECT_NE(broken.message.find("xl/worksheets/sheet1.xml を読めません"), std::string::npos)
        << broken.message;

    const std::string with_dtd = MakeZip({
        {"xl/workbook.xml",
         "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaaaaaaaa\">]><workbook/>"},
    });
    const Error dtd = XlsxErrorFor(with_dtd);
    EXPECT_NE(dtd.message.find("DTD"), std::string::npos) << dtd.message;
}

TEST(XlsxTest, BrokenReferences) {
    EXPECT_NE(XlsxErrorFor(Book("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>7</v></c></row>"))
                  .message.find("共有文字列の番号 7 が範囲外です"),
              std::string::npos);
    EXPECT_NE(XlsxErrorFor(Book("<row r=\"1\"><c r=\"A2\"><v>1</v></c></row>"))
                  .message.find("セル番地 A2 が正しくありません"),
              std::string::npos);
    EXPECT_NE(XlsxErrorFor(Book("<row r=\"2\"></row><row r=\"1\"></row>"))
                  .message.find("行番号 1 が正しくありません"),
              std::string::npos);
}

TEST(XlsxTest, ChartSheetIsNotATable) {
    const std::string bytes = MakeZip({
        {"xl/workbook.xml", WorkbookXml({"グラフ"})},
        {"xl/_rels/workbook.xml.rels", WorkbookRels({"chartsheets/sheet1.xml"}, "chartsheet")},
    });
    EXPECT_NE(XlsxErrorFor(bytes).message.find("表のシートではありません"), std::string::npos);
}

TEST(XlsxTest, RefusesAZipBomb) {
    // 20 MB of spaces deflate to about 20 KB: far beyond 100 times the file's size.
    const std::string padding(20 * 1024 * 1024, ' ');
    const Error e = XlsxErrorFor(Book("<row r=\"1\">" + Inline("A1", "a") + "</row>" + padding));
    EXPECT_EQ(e.code, "invalid_xlsx");
    EXPECT_NE(e.message.find("圧縮爆弾"), std::string::npos) << e.message;
}

}  // namespace
}  // namespace mamori::sheets
