#include "sheets/csv.h"

#include <csv.h>
#include <fmt/format.h>
#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <utility>

#include "core/text.h"
#include "sheets/detail/cell_text.h"

// Parsing is libcsv's (Debian libcsv-dev) in strict mode; this file adds the encoding
// detection, the row and column bookkeeping for messages, and the limits. Writing is a few
// lines of RFC 4180 quoting.

namespace mamori::sheets {

namespace {

constexpr std::size_t kNone = std::string_view::npos;
constexpr std::size_t kChunkBytes = 64 * 1024;  // parse in chunks so a limit stops early
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

struct Decoded {
    std::string text;
    std::string encoding;
};

class Iconv {
  public:
    Iconv(const char* to, const char* from) : cd_(iconv_open(to, from)) {}
    ~Iconv() {
        if (ok()) iconv_close(cd_);
    }
    Iconv(const Iconv&) = delete;
    Iconv& operator=(const Iconv&) = delete;

    bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
    iconv_t get() const { return cd_; }

  private:
    iconv_t cd_;
};

/// Converts CP932 to UTF-8 with glibc iconv. On a byte sequence that is not CP932, returns
/// the offset where it starts in `failed_at` and an empty optional.
Result<std::optional<std::string>> Cp932ToUtf8(std::string_view in, std::size_t& failed_at) {
    const Iconv conv("UTF-8", "CP932");
    if (!conv.ok()) return Fail(Error::Internal("iconv cannot convert from CP932"));
    // Every CP932 character (1 or 2 bytes) becomes at most 3 bytes of UTF-8.
    std::string out(in.size() * 3 + 4, '\0');
    char* in_ptr = const_cast<char*>(in.data());  // iconv does not write through it
    std::size_t in_left = in.size();
    char* out_ptr = out.data();
    std::size_t out_left = out.size();
    while (in_left > 0) {
        if (iconv(conv.get(), &in_ptr, &in_left, &out_ptr, &out_left) != static_cast<size_t>(-1))
            break;
        if (errno == E2BIG) {
            const std::size_t used = static_cast<std::size_t>(out_ptr - out.data());
            out.resize(out.size() * 2);
            out_ptr = out.data() + used;
            out_left = out.size() - used;
            continue;
        }
        failed_at = static_cast<std::size_t>(in_ptr - in.data());  // EILSEQ or EINVAL
        return std::optional<std::string>();
    }
    out.resize(static_cast<std::size_t>(out_ptr - out.data()));
    return std::optional<std::string>(std::move(out));
}

Error InvalidEncoding(std::size_t offset) {
    return Error::Invalid(
        "invalid_encoding",
        fmt::format("文字コードを読み取れません (先頭から {} バイト目)。CSV を UTF-8 または "
                    "Shift_JIS (CP932) で保存し直してください。",
                    offset + 1));
}

Result<Decoded> DecodeToUtf8(std::string_view bytes) {
    if (bytes.substr(0, kUtf8Bom.size()) == kUtf8Bom) {
        const std::string_view rest = bytes.substr(kUtf8Bom.size());
        if (const std::size_t bad = core::FirstInvalidUtf8(rest); bad != kNone)
            return Fail(InvalidEncoding(kUtf8Bom.size() + bad));
        return Decoded{std::string(rest), "utf-8"};
    }
    const std::size_t bad_utf8 = core::FirstInvalidUtf8(bytes);
    if (bad_utf8 == kNone) return Decoded{std::string(bytes), "utf-8"};

    std::size_t bad_cp932 = 0;
    auto converted = Cp932ToUtf8(bytes, bad_cp932);
    if (!converted) return Fail(std::move(converted.error()));
    if (!*converted) {
        // Report where the reading that got further stopped: that is the likelier encoding.
        return Fail(InvalidEncoding(std::max(bad_utf8, bad_cp932)));
    }
    return Decoded{std::move(**converted), "cp932"};
}

Error InvalidCsv(std::string message) { return Error::Invalid("invalid_csv", std::move(message)); }

/// Receives libcsv's field and record events and builds the table. After the first error
/// it ignores everything.
class TableBuilder {
  public:
    explicit TableBuilder(std::size_t max_rows) : max_rows_(max_rows) {}

    void OnField(std::string_view value) {
        if (error_) return;
        if (value.size() > kMaxCsvFieldBytes) {
            error_ = InvalidCsv(
                fmt::format("{} 行目 {} 列: 値が長すぎます ({} バイト。{} バイトまでです)。",
                            CurrentRow(), CurrentColumn(), value.size(), kMaxCsvFieldBytes));
            return;
        }
        fields_.emplace_back(value);
    }

    /// `terminator` is the CR or LF that ended the record, or -1 at the end of the input.
    /// With CSV_REPALL_NL libcsv also reports line breaks that end no record: the LF of a
    /// CRLF, and blank lines.
    void OnRecordEnd(int terminator) {
        if (error_) return;
        const int previous = previous_terminator_;
        previous_terminator_ = terminator;
        if (fields_.empty()) {
            if (terminator == '\n' && previous == '\r') {
                previous_terminator_ = 0;  // second half of CRLF
            } else if (terminator != -1) {
                ++records_;  // a blank line: Excel shows it as a row
            }
            return;
        }
        ++records_;
        std::vector<std::string> fields = std::exchange(fields_, {});
        if (!have_header_) {
            have_header_ = true;
            table_.header.reserve(fields.size());
            for (const auto& f : fields) table_.header.push_back(detail::TrimSpaces(f));
            return;
        }
        const bool all_empty =
            std::all_of(fields.begin(), fields.end(), [](const auto& f) { return f.empty(); });
        if (all_empty) return;
        if (fields.size() != table_.header.size()) {
            error_ = InvalidCsv(
                fmt::format("{} 行目: 列の数が見出しと違います (見出し {} 列、この行 {} 列)",
                            records_, table_.header.size(), fields.size()));
            return;
        }
        if (table_.rows.size() >= max_rows_) {
            error_ = InvalidCsv(fmt::format("{} 行目: 行が多すぎます (見出しを除いて {} 行まで)。",
                                            records_, max_rows_));
            return;
        }
        table_.rows.push_back(std::move(fields));
        table_.row_numbers.push_back(static_cast<int>(records_));
    }

    void SetError(Error e) {
        if (!error_) error_ = std::move(e);
    }
    const std::optional<Error>& error() const { return error_; }
    bool have_header() const { return have_header_; }
    std::size_t CurrentRow() const { return records_ + 1; }
    std::size_t CurrentColumn() const { return fields_.size() + 1; }
    Table Take() { return std::move(table_); }

  private:
    std::size_t max_rows_;
    Table table_;
    std::vector<std::string> fields_;  // of the record being read
    std::size_t records_ = 0;          // records ended so far, blank lines included
    int previous_terminator_ = 0;
    bool have_header_ = false;
    std::optional<Error> error_;
};

void FieldCallback(void* data, std::size_t size, void* builder) {
    static_cast<TableBuilder*>(builder)->OnField(
        size == 0 ? std::string_view() : std::string_view(static_cast<const char*>(data), size));
}

void RecordCallback(int terminator, void* builder) {
    static_cast<TableBuilder*>(builder)->OnRecordEnd(terminator);
}

// Spaces around unquoted fields are data (RFC 4180), not padding as libcsv assumes.
int NoSpaceCharacters(unsigned char) { return 0; }

class CsvParser {
  public:
    CsvParser() {
        csv_init(&parser_, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL);
        csv_set_space_func(&parser_, NoSpaceCharacters);
    }
    ~CsvParser() { csv_free(&parser_); }
    CsvParser(const CsvParser&) = delete;
    CsvParser& operator=(const CsvParser&) = delete;

    csv_parser* get() { return &parser_; }

  private:
    csv_parser parser_{};
};

Error ParserError(int code, const TableBuilder& builder) {
    if (code == CSV_EPARSE)
        return InvalidCsv(fmt::format(
            "{} 行目 {} 列: 引用符 (\") の使い方が正しくありません。値に \" を含めるときは、値"
            "全体を \" で囲み、中の \" は \"\" と 2 つ重ねてください。",
            builder.CurrentRow(), builder.CurrentColumn()));
    return Error::Internal(std::string("libcsv: ") + csv_strerror(code));
}

}  // namespace

Result<Table> ReadCsv(std::string_view bytes, std::size_t max_rows) {
    auto decoded = DecodeToUtf8(bytes);
    if (!decoded) return Fail(std::move(decoded.error()));
    const std::string_view text = decoded->text;

    TableBuilder builder(max_rows);
    CsvParser parser;
    for (std::size_t offset = 0; offset < text.size() && !builder.error(); offset += kChunkBytes) {
        const std::string_view chunk = text.substr(offset, kChunkBytes);
        if (csv_parse(parser.get(), chunk.data(), chunk.size(), FieldCallback, RecordCallback,
                      &builder) != chunk.size()) {
            builder.SetError(ParserError(csv_error(parser.get()), builder));
        }
    }
    if (!builder.error() && csv_fini(parser.get(), FieldCallback, RecordCallback, &builder) != 0) {
        const int code = csv_error(parser.get());
        builder.SetError(code == CSV_EPARSE ? InvalidCsv(fmt::format(
                                                  "{} 行目 {} 列: 引用符 (\") が閉じられて"
                                                  "いません。",
                                                  builder.CurrentRow(), builder.CurrentColumn()))
                                            : ParserError(code, builder));
    }
    if (builder.error()) return Fail(*builder.error());
    if (!builder.have_header())
        return Fail(InvalidCsv("CSV ファイルが空です。1 行目に見出しを入れてください。"));

    Table table = builder.Take();
    table.detected_encoding = std::move(decoded->encoding);
    return table;
}

std::string WriteCsv(const std::vector<std::string>& header,
                     const std::vector<std::vector<std::string>>& rows) {
    std::string out;
    std::size_t estimate = kUtf8Bom.size();
    for (const auto& name : header) estimate += name.size() + 3;
    for (const auto& row : rows)
        for (const auto& value : row) estimate += value.size() + 3;
    out.reserve(estimate);
    out += kUtf8Bom;

    const auto write_record = [&out](const std::vector<std::string>& fields, std::size_t width) {
        for (std::size_t i = 0; i < std::max(width, fields.size()); ++i) {
            if (i > 0) out += ',';
            if (i >= fields.size()) continue;
            const std::string& value = fields[i];
            if (value.find_first_of(",\"\r\n") == std::string::npos) {
                out += value;
                continue;
            }
            out += '"';
            for (const char c : value) {
                if (c == '"') out += '"';
                out += c;
            }
            out += '"';
        }
        out += "\r\n";
    };
    write_record(header, header.size());
    for (const auto& row : rows) write_record(row, header.size());
    return out;
}

}  // namespace mamori::sheets
