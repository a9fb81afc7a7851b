#include <archive.h>
#include <archive_entry.h>
#include <expat.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sheets/detail/cell_text.h"
#include "sheets/xlsx.h"

// An XLSX file is a zip of XML parts (ECMA-376 Part 2, Open Packaging Conventions). libarchive
// unpacks the parts we need, one at a time, straight from memory; expat parses each as it
// streams out, so a sheet is never held unpacked in memory. The parts, in the order read:
//
//   _rels/.rels                 → where the workbook is (normally xl/workbook.xml)
//   xl/workbook.xml             → the sheets' names and relationship ids; date1904
//   xl/_rels/workbook.xml.rels  → relationship id → worksheet part; shared strings; styles
//   xl/sharedStrings.xml        → the strings that cells of type "s" refer to by index
//   xl/styles.xml               → number format of each cell style, to recognise dates
//   xl/worksheets/sheetN.xml    → the cells
//
// Elements and attributes are matched by local name, so both the transitional and the strict
// namespaces, and prefixed elements (x:c), are read.

namespace mamori::sheets {

namespace {

using detail::NumberKind;

constexpr std::size_t kBombFloorBytes = 16 * 1024 * 1024;
constexpr std::size_t kBombRatio = 100;
constexpr std::size_t kReadBlockBytes = 256 * 1024;
constexpr std::size_t kMaxExcelRow = 1048576;
constexpr std::string_view kDefaultWorkbookPart = "xl/workbook.xml";
constexpr char kNamespaceSeparator = '|';

Error InvalidXlsx(std::string message) {
    return Error::Invalid("invalid_xlsx", std::move(message));
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return AsciiLower(x) == AsciiLower(y);
           });
}

bool EndsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::optional<std::size_t> ParseIndex(std::string_view s) {
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return value;
}

// ---------------------------------------------------------------------------------------------
// Zip

struct ArchiveFree {
    void operator()(archive* a) const { archive_read_free(a); }
};

/// The zip in memory. Each Read opens it again (libarchive reads the central directory, so
/// finding a part does not unpack the ones before it) and counts what is unpacked against
/// the limits.
class Zip {
  public:
    explicit Zip(std::string_view bytes)
        : bytes_(bytes), budget_(std::max(kBombFloorBytes, bytes.size() * kBombRatio)) {}

    /// Streams part `path` (ASCII case ignored, as OPC part names compare) to `sink` block by
    /// block, until the part ends or `sink` returns false. False when there is no such part.
    Result<bool> Read(std::string_view path, const std::function<bool(std::string_view)>& sink) {
        const std::unique_ptr<archive, ArchiveFree> zip(archive_read_new());
        if (!zip) return Fail(Error::Internal("archive_read_new failed"));
        archive_read_support_format_zip(zip.get());
        if (archive_read_open_memory(zip.get(), bytes_.data(), bytes_.size()) != ARCHIVE_OK)
            return Fail(NotZip());
        archive_entry* entry = nullptr;
        for (;;) {
            const int status = archive_read_next_header(zip.get(), &entry);
            if (status == ARCHIVE_EOF) return false;
            if (status < ARCHIVE_WARN) return Fail(NotZip());
            const char* name = archive_entry_pathname(entry);
            if (name && EqualsIgnoreCase(name, path)) break;
        }
        if (archive_entry_is_encrypted(entry))
            return Fail(
                InvalidXlsx("暗号化された xlsx "
                            "ファイルは読めません。パスワードを外して保存し直してください。"));
        if (archive_entry_size_is_set(entry) &&
            static_cast<std::uint64_t>(archive_entry_size(entry)) > kMaxXlsxPartBytes)
            return Fail(PartTooLarge(path));

        buffer_.resize(kReadBlockBytes);
        std::size_t part_bytes = 0;
        for (;;) {
            const la_ssize_t n = archive_read_data(zip.get(), buffer_.data(), buffer_.size());
            if (n < 0)
                return Fail(InvalidXlsx(fmt::format(
                    "xlsx の中の {} を展開できません。ファイルが壊れています ({})。", path,
                    archive_error_string(zip.get()) ? archive_error_string(zip.get()) : "")));
            if (n == 0) return true;
            const auto size = static_cast<std::size_t>(n);
            part_bytes += size;
            unpacked_ += size;
            if (part_bytes > kMaxXlsxPartBytes) return Fail(PartTooLarge(path));
            if (unpacked_ > budget_)
                return Fail(InvalidXlsx(
                    "xlsx を展開すると元のファイルに比べて大きくなりすぎます。壊れたファイルか、"
                    "圧縮爆弾 (zip bomb) の疑いがあるため読みません。"));
            if (!sink(std::string_view(buffer_.data(), size))) return true;
        }
    }

  private:
    static Error NotZip() {
        return InvalidXlsx(
            "xlsx ファイルとして読めません (zip 形式ではないか、壊れています)。Excel で「Excel "
            "ブック (*.xlsx)」として保存し直してください。");
    }
    static Error PartTooLarge(std::string_view path) {
        return InvalidXlsx(fmt::format("xlsx の中の {} が大きすぎます (展開後 {} MB まで)。", path,
                                       kMaxXlsxPartBytes / (1024 * 1024)));
    }

    std::string_view bytes_;
    std::size_t budget_;
    std::size_t unpacked_ = 0;
    std::vector<char> buffer_;
};

// ---------------------------------------------------------------------------------------------
// XML

/// Receives one part's elements by local name. A handler that finds a problem calls Stop;
/// nothing more is delivered after that.
class XmlHandler {
  public:
    virtual ~XmlHandler() = default;
    virtual void OnStart(std::string_view name, const XML_Char** attributes) = 0;
    virtual void OnEnd(std::string_view name) = 0;
    virtual void OnText(std::string_view) {}

    void Stop(Error error) {
        if (!error_) error_ = std::move(error);
        XML_StopParser(parser_, XML_FALSE);
    }
    const std::optional<Error>& error() const { return error_; }
    void set_parser(XML_Parser parser) { parser_ = parser; }

  private:
    XML_Parser parser_ = nullptr;
    std::optional<Error> error_;
};

std::string_view LocalName(const XML_Char* name) {
    const std::string_view full(name);
    const std::size_t separator = full.rfind(kNamespaceSeparator);
    return separator == std::string_view::npos ? full : full.substr(separator + 1);
}

/// The value of the attribute with local name `name`: without a namespace, or (namespaced)
/// with one, as r:id is. Empty when absent.
std::string_view Attribute(const XML_Char** attributes, std::string_view name,
                           bool namespaced = false) {
    for (const XML_Char** a = attributes; *a; a += 2) {
        const std::string_view full(a[0]);
        const bool has_namespace = full.find(kNamespaceSeparator) != std::string_view::npos;
        if (has_namespace == namespaced && LocalName(a[0]) == name) return a[1];
    }
    return {};
}

/// One expat parser feeding one handler.
class XmlParser {
  public:
    XmlParser(XmlHandler& handler, std::string_view part)
        : parser_(XML_ParserCreateNS(nullptr, kNamespaceSeparator)),
          handler_(handler),
          part_(part) {
        handler_.set_parser(parser_);
        XML_SetUserData(parser_, this);
        XML_SetElementHandler(parser_, &XmlParser::Start, &XmlParser::End);
        XML_SetCharacterDataHandler(parser_, &XmlParser::Text);
        // No part of a workbook has a DTD; refusing one rules out entity tricks altogether.
        XML_SetStartDoctypeDeclHandler(parser_, &XmlParser::Doctype);
    }
    ~XmlParser() { XML_ParserFree(parser_); }
    XmlParser(const XmlParser&) = delete;
    XmlParser& operator=(const XmlParser&) = delete;

    bool ok() const { return parser_ != nullptr; }

    /// Parses the next chunk (`last`: the end of the part). False once anything failed.
    bool Feed(std::string_view chunk, bool last) {
        if (failed_) return false;
        if (XML_Parse(parser_, chunk.data(), static_cast<int>(chunk.size()),
                      last ? XML_TRUE : XML_FALSE) == XML_STATUS_ERROR)
            failed_ = true;
        return !failed_;
    }

    /// The handler's error, or expat's, or nothing.
    std::optional<Error> error() const {
        if (handler_.error()) return handler_.error();
        if (!failed_) return std::nullopt;
        return InvalidXlsx(fmt::format(
            "xlsx の中の {} を読めません ({} 行目: {})。ファイルが壊れています。", part_,
            XML_GetCurrentLineNumber(parser_), XML_ErrorString(XML_GetErrorCode(parser_))));
    }

  private:
    static XmlParser& Self(void* data) { return *static_cast<XmlParser*>(data); }
    static void Start(void* data, const XML_Char* name, const XML_Char** attributes) {
        XmlParser& self = Self(data);
        if (!self.handler_.error()) self.handler_.OnStart(LocalName(name), attributes);
    }
    static void End(void* data, const XML_Char* name) {
        XmlParser& self = Self(data);
        if (!self.handler_.error()) self.handler_.OnEnd(LocalName(name));
    }
    static void Text(void* data, const XML_Char* text, int length) {
        XmlParser& self = Self(data);
        if (!self.handler_.error())
            self.handler_.OnText(std::string_view(text, static_cast<std::size_t>(length)));
    }
    static void Doctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
        XmlParser& self = Self(data);
        self.handler_.Stop(InvalidXlsx(fmt::format(
            "xlsx の中の {} に DTD (DOCTYPE) があります。Excel の保存するファイルにはないもの"
            "なので、読みません。",
            self.part_)));
    }

    XML_Parser parser_;
    XmlHandler& handler_;
    std::string_view part_;
    bool failed_ = false;
};

/// Parses part `path` of the zip with `handler`. False when the zip has no such part.
Result<bool> ParsePart(Zip& zip, std::string_view path, XmlHandler& handler) {
    XmlParser parser(handler, path);
    if (!parser.ok()) return Fail(Error::Internal("XML_ParserCreateNS failed"));
    auto found =
        zip.Read(path, [&parser](std::string_view chunk) { return parser.Feed(chunk, false); });
    if (!found) return found;
    if (!*found) return false;
    parser.Feed({}, true);
    if (auto error = parser.error()) return Fail(std::move(*error));
    return true;
}

// ---------------------------------------------------------------------------------------------
// Package parts

struct Relationship {
    std::string id;
    std::string type;
    std::string target;
    bool external = false;
};

class RelationshipsHandler : public XmlHandler {
  public:
    void OnStart(std::string_view name, const XML_Char** attributes) override {
        if (name != "Relationship") return;
        relationships.push_back({std::string(Attribute(attributes, "Id")),
                                 std::string(Attribute(attributes, "Type")),
                                 std::string(Attribute(attributes, "Target")),
                                 Attribute(attributes, "TargetMode") == "External"});
    }
    void OnEnd(std::string_view) override {}

    /// The first internal relationship whose type ends in `/kind`.
    const Relationship* OfType(std::string_view kind) const {
        for (const auto& r : relationships)
            if (!r.external && r.type.size() > kind.size() && EndsWith(r.type, kind) &&
                r.type[r.type.size() - kind.size() - 1] == '/')
                return &r;
        return nullptr;
    }
    const Relationship* WithId(std::string_view id) const {
        for (const auto& r : relationships)
            if (r.id == id) return &r;
        return nullptr;
    }

    std::vector<Relationship> relationships;
};

/// The part a relationship target names, from the folder of the part that holds it ("xl/"):
/// "worksheets/sheet1.xml" → "xl/worksheets/sheet1.xml"; "/xl/x.xml" → "xl/x.xml".
std::string ResolveTarget(std::string_view folder, std::string_view target) {
    const std::string joined = target.starts_with('/') ? std::string(target.substr(1))
                                                       : std::string(folder) + std::string(target);
    std::vector<std::string_view> segments;
    std::string_view rest = joined;
    while (!rest.empty()) {
        const std::size_t slash = rest.find('/');
        const std::string_view segment = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        if (segment.empty() || segment == ".") continue;
        if (segment == "..") {
            if (!segments.empty()) segments.pop_back();
            continue;
        }
        segments.push_back(segment);
    }
    std::string path;
    for (const auto segment : segments) {
        if (!path.empty()) path += '/';
        path += segment;
    }
    return path;
}

std::string FolderOf(std::string_view part) {
    const std::size_t slash = part.rfind('/');
    return slash == std::string_view::npos ? std::string() : std::string(part.substr(0, slash + 1));
}

/// "xl/workbook.xml" → "xl/_rels/workbook.xml.rels".
std::string RelationshipsPartOf(std::string_view part) {
    const std::size_t slash = part.rfind('/');
    const std::size_t name = slash == std::string_view::npos ? 0 : slash + 1;
    return FolderOf(part) + "_rels/" + std::string(part.substr(name)) + ".rels";
}

struct SheetEntry {
    std::string name;
    std::string relationship_id;
};

class WorkbookHandler : public XmlHandler {
  public:
    void OnStart(std::string_view name, const XML_Char** attributes) override {
        if (name == "workbookPr") {
            const std::string_view value = Attribute(attributes, "date1904");
            date1904 = value == "1" || value == "true";
        } else if (name == "sheet") {
            sheets.push_back({std::string(Attribute(attributes, "name")),
                              std::string(Attribute(attributes, "id", true))});
        }
    }
    void OnEnd(std::string_view) override {}

    bool date1904 = false;
    std::vector<SheetEntry> sheets;
};

/// The shared string table, in one buffer.
class SharedStringsHandler : public XmlHandler {
  public:
    void OnStart(std::string_view name, const XML_Char**) override {
        if (name == "si") {
            in_item_ = true;
            current_.clear();
        } else if (name == "rPh") {
            ++phonetic_depth_;  // ふりがな: not part of the cell's text
        } else if (name == "t" && in_item_ && phonetic_depth_ == 0) {
            in_text_ = true;
            text_.clear();
        }
    }
    void OnEnd(std::string_view name) override {
        if (name == "t" && in_text_) {
            detail::AppendUnescaped(text_, current_);
            in_text_ = false;
        } else if (name == "rPh") {
            --phonetic_depth_;
        } else if (name == "si") {
            spans_.emplace_back(pool_.size(), current_.size());
            pool_ += current_;
            in_item_ = false;
        }
    }
    void OnText(std::string_view text) override {
        if (in_text_) text_.append(text);
    }

    std::size_t size() const { return spans_.size(); }
    std::string_view operator[](std::size_t i) const {
        return std::string_view(pool_).substr(spans_[i].first, spans_[i].second);
    }

  private:
    std::string pool_;
    std::vector<std::pair<std::size_t, std::size_t>> spans_;  // offset and length in pool_
    std::string current_;
    std::string text_;
    bool in_item_ = false;
    bool in_text_ = false;
    int phonetic_depth_ = 0;
};

/// The number format of each cell style (the cellXfs list, which a cell's s indexes).
class StylesHandler : public XmlHandler {
  public:
    void OnStart(std::string_view name, const XML_Char** attributes) override {
        if (name == "numFmts") {
            in_formats_ = true;
        } else if (name == "numFmt" && in_formats_) {
            if (const auto id = ParseIndex(Attribute(attributes, "numFmtId")))
                custom_.emplace_back(static_cast<int>(*id),
                                     std::string(Attribute(attributes, "formatCode")));
        } else if (name == "cellXfs") {
            in_cell_formats_ = true;
        } else if (name == "xf" && in_cell_formats_) {
            const auto id = ParseIndex(Attribute(attributes, "numFmtId"));
            format_ids_.push_back(id ? static_cast<int>(*id) : 0);
        }
    }
    void OnEnd(std::string_view name) override {
        if (name == "numFmts") in_formats_ = false;
        if (name == "cellXfs") in_cell_formats_ = false;
    }

    /// For each cell style, what its numbers are.
    std::vector<NumberKind> Kinds() const {
        std::vector<NumberKind> kinds;
        kinds.reserve(format_ids_.size());
        for (const int id : format_ids_) {
            const auto custom = std::find_if(custom_.begin(), custom_.end(),
                                             [id](const auto& f) { return f.first == id; });
            kinds.push_back(custom != custom_.end() ? detail::ClassifyFormatCode(custom->second)
                                                    : detail::BuiltinNumberKind(id));
        }
        return kinds;
    }

  private:
    std::vector<std::pair<int, std::string>> custom_;
    std::vector<int> format_ids_;
    bool in_formats_ = false;
    bool in_cell_formats_ = false;
};

// ---------------------------------------------------------------------------------------------
// The worksheet

enum class CellType { kNumber, kShared, kInline, kFormulaText, kBoolean, kError, kVerbatim };

CellType CellTypeOf(std::string_view t) {
    if (t.empty() || t == "n") return CellType::kNumber;
    if (t == "s") return CellType::kShared;
    if (t == "inlineStr") return CellType::kInline;
    if (t == "str") return CellType::kFormulaText;
    if (t == "b") return CellType::kBoolean;
    if (t == "e") return CellType::kError;
    return CellType::kVerbatim;  // "d" (an ISO 8601 date) and anything newer
}

std::string Where(std::size_t row, std::size_t column) {
    return fmt::format("{} 行目 {} 列", row, detail::ColumnName(column));
}

class SheetHandler : public XmlHandler {
  public:
    SheetHandler(const SharedStringsHandler& strings, std::vector<NumberKind> styles, bool date1904,
                 std::size_t max_rows)
        : strings_(strings), styles_(std::move(styles)), date1904_(date1904), max_rows_(max_rows) {}

    void OnStart(std::string_view name, const XML_Char** attributes) override {
        if (!in_data_) {
            in_data_ = name == "sheetData";
        } else if (name == "row") {
            StartRow(attributes);
        } else if (name == "c") {
            StartCell(attributes);
        } else if (in_cell_) {
            if (name == "v") {
                in_value_ = true;
            } else if (name == "is") {
                in_inline_ = true;
            } else if (name == "rPh") {
                ++phonetic_depth_;
            } else if (name == "t" && in_inline_ && phonetic_depth_ == 0) {
                in_text_ = true;
                text_.clear();
            }
        }
    }

    void OnEnd(std::string_view name) override {
        if (!in_data_) return;
        if (name == "sheetData") {
            in_data_ = false;
        } else if (name == "row") {
            EndRow();
        } else if (name == "c") {
            EndCell();
        } else if (name == "v") {
            in_value_ = false;
        } else if (name == "is") {
            in_inline_ = false;
        } else if (name == "rPh") {
            --phonetic_depth_;
        } else if (name == "t" && in_text_) {
            detail::AppendUnescaped(text_, inline_);
            in_text_ = false;
        }
    }

    void OnText(std::string_view text) override {
        if (in_value_) value_.append(text);
        if (in_text_) text_.append(text);
    }

    /// The table once the part has been parsed.
    Result<Table> Take(std::string_view sheet_name) {
        if (!have_header_)
            return Fail(InvalidXlsx(fmt::format(
                "シート「{}」が空です。最初の行に見出しを入れてください。", sheet_name)));
        table_.detected_encoding = "xlsx";
        return std::move(table_);
    }

  private:
    void StartRow(const XML_Char** attributes) {
        const std::string_view r = Attribute(attributes, "r");
        const std::optional<std::size_t> number = r.empty() ? row_ + 1 : ParseIndex(r);
        if (!number || *number <= row_ || *number > kMaxExcelRow)
            return Stop(InvalidXlsx(fmt::format(
                "シートの行番号 {} が正しくありません ({} 行目の次)。ファイルが壊れています。",
                r.empty() ? "(なし)" : r, row_)));
        row_ = *number;
        in_row_ = true;
        cells_.clear();
        next_column_ = 0;
        last_column_ = 0;
        row_has_value_ = false;
    }

    void StartCell(const XML_Char** attributes) {
        if (!in_row_)
            return Stop(InvalidXlsx("シートに行の外のセルがあります。ファイルが壊れています。"));
        const std::string_view r = Attribute(attributes, "r");
        if (r.empty()) {
            column_ = next_column_;
        } else {
            const auto ref = detail::ParseCellRef(r);
            if (!ref || ref->row != row_)
                return Stop(InvalidXlsx(fmt::format(
                    "{} 行目のセル番地 {} が正しくありません。ファイルが壊れています。", row_, r)));
            column_ = ref->column;
        }
        next_column_ = column_ + 1;
        type_ = CellTypeOf(Attribute(attributes, "t"));
        const auto style = ParseIndex(Attribute(attributes, "s"));
        kind_ = style && *style < styles_.size() ? styles_[*style] : NumberKind::kNumber;
        in_cell_ = true;
        value_.clear();
        inline_.clear();
    }

    void EndCell() {
        in_cell_ = in_value_ = in_inline_ = in_text_ = false;
        phonetic_depth_ = 0;
        std::string value;
        switch (type_) {
            case CellType::kShared: {
                if (value_.empty()) break;  // a formatted, empty cell
                const auto index = ParseIndex(value_);
                if (!index || *index >= strings_.size())
                    return Stop(InvalidXlsx(fmt::format(
                        "{}: 共有文字列の番号 {} が範囲外です。ファイルが壊れています。",
                        Where(row_, column_), value_)));
                value = strings_[*index];
                break;
            }
            case CellType::kInline:
                value = std::move(inline_);
                break;
            case CellType::kFormulaText:
                detail::AppendUnescaped(value_, value);
                break;
            case CellType::kBoolean:
                value = value_ == "1" ? "TRUE" : value_ == "0" ? "FALSE" : value_;
                break;
            case CellType::kError:
            case CellType::kVerbatim:
                value = std::move(value_);
                break;
            case CellType::kNumber:
                if (!value_.empty()) value = detail::NumberText(value_, kind_, date1904_);
                break;
        }
        if (value.empty()) return;
        if (column_ >= kMaxXlsxColumns)
            return Stop(InvalidXlsx(fmt::format("{}: 列が多すぎます ({} 列までです)。",
                                                Where(row_, column_), kMaxXlsxColumns)));
        if (value.size() > kMaxCsvFieldBytes)
            return Stop(
                InvalidXlsx(fmt::format("{}: 値が長すぎます ({} バイト。{} バイトまでです)。",
                                        Where(row_, column_), value.size(), kMaxCsvFieldBytes)));
        if (cells_.size() <= column_) cells_.resize(column_ + 1);
        cells_[column_] = std::move(value);
        last_column_ = std::max(last_column_, column_);
        row_has_value_ = true;
    }

    void EndRow() {
        in_row_ = false;
        if (!row_has_value_) return;  // blank rows are skipped, but row_ keeps counting
        if (!have_header_) {
            have_header_ = true;
            table_.header.reserve(last_column_ + 1);
            for (std::size_t c = 0; c <= last_column_; ++c)
                table_.header.push_back(detail::TrimSpaces(cells_[c]));
            return;
        }
        if (last_column_ >= table_.header.size())
            return Stop(InvalidXlsx(fmt::format(
                "{}: 見出しのない列に値があります (見出しは {} 列まで)。見出しを入れるか、値を"
                "消してください。",
                Where(row_, last_column_), detail::ColumnName(table_.header.size() - 1))));
        if (table_.rows.size() >= max_rows_)
            return Stop(InvalidXlsx(fmt::format(
                "{} 行目: 行が多すぎます (見出しを除いて {} 行まで)。", row_, max_rows_)));
        cells_.resize(table_.header.size());
        table_.rows.push_back(std::move(cells_));
        table_.row_numbers.push_back(static_cast<int>(row_));
        cells_ = {};
        cells_.reserve(table_.header.size());
    }

    const SharedStringsHandler& strings_;
    const std::vector<NumberKind> styles_;
    const bool date1904_;
    const std::size_t max_rows_;

    Table table_;
    bool have_header_ = false;
    bool in_data_ = false;
    bool in_row_ = false;
    std::size_t row_ = 0;  // Excel's number of the current (or last) row
    std::vector<std::string> cells_;
    std::size_t next_column_ = 0;
    std::size_t last_column_ = 0;
    bool row_has_value_ = false;

    bool in_cell_ = false;
    bool in_value_ = false;
    bool in_inline_ = false;
    bool in_text_ = false;
    int phonetic_depth_ = 0;
    std::size_t column_ = 0;
    CellType type_ = CellType::kNumber;
    NumberKind kind_ = NumberKind::kNumber;
    std::string value_;   // text of <v>
    std::string inline_;  // text of <is>, unescaped
    std::string text_;    // text of the current <t>, raw
};

std::string SheetList(const std::vector<SheetEntry>& sheets) {
    std::string list;
    for (const auto& s : sheets) list += fmt::format("「{}」", s.name);
    return list;
}

}  // namespace

Result<Table> ReadXlsx(std::string_view bytes, std::string_view sheet_name, std::size_t max_rows) {
    Zip zip(bytes);

    RelationshipsHandler package;
    if (auto found = ParsePart(zip, "_rels/.rels", package); !found)
        return Fail(std::move(found.error()));
    const Relationship* document = package.OfType("officeDocument");
    const std::string workbook_part =
        document ? ResolveTarget("", document->target) : std::string(kDefaultWorkbookPart);

    WorkbookHandler workbook;
    auto found = ParsePart(zip, workbook_part, workbook);
    if (!found) return Fail(std::move(found.error()));
    if (!*found)
        return Fail(InvalidXlsx(
            fmt::format("xlsx の中にブック ({}) がありません。Excel のブックではないようです。",
                        workbook_part)));
    if (workbook.sheets.empty()) return Fail(InvalidXlsx("ブックにシートがありません。"));

    const SheetEntry* sheet = &workbook.sheets.front();
    if (!sheet_name.empty()) {
        const auto it = std::find_if(workbook.sheets.begin(), workbook.sheets.end(),
                                     [&](const SheetEntry& s) { return s.name == sheet_name; });
        if (it == workbook.sheets.end())
            return Fail(Error::Invalid(
                "unknown_sheet", fmt::format("シート「{}」がありません。このブックのシート: {}",
                                             sheet_name, SheetList(workbook.sheets))));
        sheet = &*it;
    }

    RelationshipsHandler parts;
    if (auto rels = ParsePart(zip, RelationshipsPartOf(workbook_part), parts); !rels)
        return Fail(std::move(rels.error()));
    const std::string folder = FolderOf(workbook_part);
    const Relationship* sheet_relationship = parts.WithId(sheet->relationship_id);
    if (!sheet_relationship || sheet_relationship->external)
        return Fail(InvalidXlsx(fmt::format(
            "シート「{}」の中身の場所が xlsx の中にありません。ファイルが壊れています。",
            sheet->name)));
    if (!EndsWith(sheet_relationship->type, "/worksheet"))
        return Fail(InvalidXlsx(fmt::format(
            "シート「{}」は表のシートではありません (グラフなど)。表のシートを選んでください。",
            sheet->name)));

    SharedStringsHandler strings;
    if (const Relationship* r = parts.OfType("sharedStrings"))
        if (auto read = ParsePart(zip, ResolveTarget(folder, r->target), strings); !read)
            return Fail(std::move(read.error()));
    StylesHandler styles;
    if (const Relationship* r = parts.OfType("styles"))
        if (auto read = ParsePart(zip, ResolveTarget(folder, r->target), styles); !read)
            return Fail(std::move(read.error()));

    SheetHandler cells(strings, styles.Kinds(), workbook.date1904, max_rows);
    const std::string sheet_part = ResolveTarget(folder, sheet_relationship->target);
    found = ParsePart(zip, sheet_part, cells);
    if (!found) return Fail(std::move(found.error()));
    if (!*found)
        return Fail(InvalidXlsx(fmt::format(
            "シート「{}」の中身 ({}) が xlsx の中にありません。ファイルが壊れています。",
            sheet->name, sheet_part)));
    return cells.Take(sheet->name);
}

}  // namespace mamori::sheets
