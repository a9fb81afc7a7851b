#include "sheets/detail/cell_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>

namespace mamori::sheets::detail {

namespace {

constexpr std::size_t kExcelColumns = 16384;  // A … XFD
constexpr std::size_t kExcelRows = 1048576;
constexpr long long kSecondsPerDay = 86400;
// Serial of 10000-01-01 in the 1900 system: later dates are not Excel dates.
constexpr double kFirstSerialAfter9999 = 2958466.0;
// The 1900 system's serial 60 is 29 February 1900, a day that never was (Lotus 1-2-3's leap
// year bug, kept by Excel); serials before it are one day off the ones after it.
constexpr long long kFictitiousLeapDay = 60;

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (AsciiLower(s[i]) != prefix[i]) return false;
    return true;
}

std::optional<unsigned> Hex4(std::string_view s) {
    if (s.size() < 4) return std::nullopt;
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + 4, value, 16);
    if (ec != std::errc() || end != s.data() + 4) return std::nullopt;
    return value;
}

/// The code unit of an escape _xHHHH_ at the start of `s`, if there is one.
std::optional<unsigned> EscapeAt(std::string_view s) {
    if (s.size() < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_') return std::nullopt;
    // from_chars would accept a sign; an escape has exactly four hex digits.
    for (std::size_t i = 2; i < 6; ++i)
        if (!std::isxdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    return Hex4(s.substr(2, 4));
}

void AppendUtf8(char32_t cp, std::string& out) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::optional<double> ParseNumber(std::string_view s) {
    double value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value))
        return std::nullopt;
    return value;
}

std::string FormatNumber(double value) {
    if (value == 0) return "0";  // also -0
    const double magnitude = std::fabs(value);
    const auto format = (magnitude >= 1e-6 && magnitude < 1e21) ? std::chars_format::fixed
                                                                : std::chars_format::scientific;
    std::array<char, 64> buffer{};
    const auto [end, ec] =
        std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, format);
    if (ec != std::errc()) return fmt::format("{}", value);
    return std::string(buffer.data(), end);
}

std::string ClockText(long long hours, long long seconds_in_hour) {
    return fmt::format("{:02}:{:02}:{:02}", hours, seconds_in_hour / 60, seconds_in_hour % 60);
}

std::optional<std::string> SerialText(double serial, NumberKind kind, bool date1904) {
    if (serial < 0 || serial >= kFirstSerialAfter9999) return std::nullopt;
    const long long total = std::llround(serial * static_cast<double>(kSecondsPerDay));
    const long long days = total / kSecondsPerDay;
    const long long seconds = total % kSecondsPerDay;
    if (kind == NumberKind::kTime) return ClockText(seconds / 3600, seconds % 3600);
    if (kind == NumberKind::kDuration) return ClockText(total / 3600, total % 3600);

    using namespace std::chrono;
    std::string date;
    if (date1904) {
        const year_month_day ymd{sys_days{year{1904} / January / 1} + std::chrono::days{days}};
        if (static_cast<int>(ymd.year()) > 9999) return std::nullopt;
        date = fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                           static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    } else if (days == 0) {
        return std::nullopt;  // Excel shows "1900-01-00"
    } else if (days == kFictitiousLeapDay) {
        date = "1900-02-29";
    } else {
        const sys_days epoch = days < kFictitiousLeapDay ? sys_days{year{1899} / December / 31}
                                                         : sys_days{year{1899} / December / 30};
        const year_month_day ymd{epoch + std::chrono::days{days}};
        date = fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                           static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    }
    if (kind == NumberKind::kDateTime) date += " " + ClockText(seconds / 3600, seconds % 3600);
    return date;
}

constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";  // U+3000

bool IsWide(char32_t cp) {
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
           (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
           (cp >= 0x20000 && cp <= 0x3FFFD);
}

}  // namespace

std::string TrimSpaces(std::string_view s) {
    for (;;) {
        if (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
            s.remove_prefix(1);
        } else if (s.substr(0, kIdeographicSpace.size()) == kIdeographicSpace) {
            s.remove_prefix(kIdeographicSpace.size());
        } else {
            break;
        }
    }
    for (;;) {
        if (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
            s.remove_suffix(1);
        } else if (s.size() >= kIdeographicSpace.size() &&
                   s.substr(s.size() - kIdeographicSpace.size()) == kIdeographicSpace) {
            s.remove_suffix(kIdeographicSpace.size());
        } else {
            break;
        }
    }
    return std::string(s);
}

NumberKind BuiltinNumberKind(int id) {
    switch (id) {
        case 14:  // m/d/yyyy (yyyy/m/d in Japanese Excel)
        case 15:  // d-mmm-yy
        case 16:  // d-mmm
        case 17:  // mmm-yy
        case 27:  // [$-411]ge.m.d, and in the Japanese ids below: 和暦 and 年月日 forms
        case 28:
        case 29:
        case 30:
        case 31:
        case 34:
        case 35:
        case 36:
        case 50:
        case 51:
        case 52:
        case 53:
        case 54:
        case 57:
        case 58:
            return NumberKind::kDate;
        case 22:  // m/d/yy h:mm
            return NumberKind::kDateTime;
        case 18:  // h:mm AM/PM
        case 19:  // h:mm:ss AM/PM
        case 20:  // h:mm
        case 21:  // h:mm:ss
        case 32:  // h"時"mm"分"
        case 33:  // h"時"mm"分"ss"秒"
        case 45:  // mm:ss
        case 47:  // mmss.0
        case 55:
        case 56:
            return NumberKind::kTime;
        case 46:  // [h]:mm:ss
            return NumberKind::kDuration;
        default:
            return NumberKind::kNumber;
    }
}

NumberKind ClassifyFormatCode(std::string_view code) {
    std::string letters;  // the date and time letters in order, repeats collapsed ("yyyy" → y)
    bool elapsed = false;
    const auto push = [&letters](char c) {
        if (letters.empty() || letters.back() != c) letters += c;
    };
    std::size_t i = 0;
    while (i < code.size()) {
        const char c = code[i];
        const std::string_view rest = code.substr(i);
        if (c == ';') break;  // only the first section (positive numbers) matters
        if (c == '"') {       // literal text
            const std::size_t close = code.find('"', i + 1);
            if (close == std::string_view::npos) break;
            i = close + 1;
        } else if (c == '\\' || c == '_' || c == '*') {  // escaped, space-of, repeated char
            i += 2;
        } else if (c == '[') {  // [Red], [$-411], [>100], or elapsed [h] [mm] [ss]
            const std::size_t close = code.find(']', i + 1);
            if (close == std::string_view::npos) break;
            const std::string_view inner = code.substr(i + 1, close - i - 1);
            const char first = inner.empty() ? '\0' : AsciiLower(inner[0]);
            if ((first == 'h' || first == 'm' || first == 's') &&
                inner.find_first_not_of(std::string{first, static_cast<char>(first - 32)}) ==
                    std::string_view::npos) {
                elapsed = true;
                push(first);
            }
            i = close + 1;
        } else if (StartsWithIgnoreCase(rest, "general")) {
            i += 7;
        } else if (StartsWithIgnoreCase(rest, "g/")) {  // G/標準, the Japanese "General"
            i += 2;
        } else if (StartsWithIgnoreCase(rest, "am/pm")) {
            i += 5;
        } else if (StartsWithIgnoreCase(rest, "a/p")) {
            i += 3;
        } else if (AsciiLower(c) == 'e' && i + 1 < code.size() &&
                   (code[i + 1] == '+' || code[i + 1] == '-')) {  // 0.00E+00
            i += 2;
        } else {
            const char lower = AsciiLower(c);
            if (std::string_view("ymdhsgeb").find(lower) != std::string_view::npos) push(lower);
            ++i;
        }
    }

    bool date = false;
    bool time = false;
    for (std::size_t k = 0; k < letters.size(); ++k) {
        switch (letters[k]) {
            case 'h':
            case 's':
                time = true;
                break;
            case 'm': {  // minutes next to hours or seconds, else a month
                const bool minute = (k > 0 && letters[k - 1] == 'h') ||
                                    (k + 1 < letters.size() && letters[k + 1] == 's');
                (minute ? time : date) = true;
                break;
            }
            default:  // y, d, g, e, b
                date = true;
                break;
        }
    }
    if (elapsed && !date) return NumberKind::kDuration;
    if (date && time) return NumberKind::kDateTime;
    if (date) return NumberKind::kDate;
    if (time) return NumberKind::kTime;
    return NumberKind::kNumber;
}

std::string NumberText(std::string_view stored, NumberKind kind, bool date1904) {
    const std::optional<double> value = ParseNumber(stored);
    if (!value) return std::string(stored);
    if (kind != NumberKind::kNumber)
        if (auto text = SerialText(*value, kind, date1904)) return std::move(*text);
    return FormatNumber(*value);
}

std::optional<CellRef> ParseCellRef(std::string_view ref) {
    std::size_t i = 0;
    std::size_t column = 0;
    while (i < ref.size() && std::isalpha(static_cast<unsigned char>(ref[i]))) {
        column = column * 26 + static_cast<std::size_t>(AsciiLower(ref[i]) - 'a' + 1);
        if (++i > 3) return std::nullopt;
    }
    if (i == 0 || column > kExcelColumns) return std::nullopt;
    std::size_t row = 0;
    const auto [end, ec] = std::from_chars(ref.data() + i, ref.data() + ref.size(), row);
    if (ec != std::errc() || end != ref.data() + ref.size() || ref[i] == '0' || row == 0 ||
        row > kExcelRows)
        return std::nullopt;
    return CellRef{column - 1, row};
}

std::string ColumnName(std::size_t column) {
    std::string name;
    for (std::size_t n = column + 1; n > 0; n = (n - 1) / 26)
        name.insert(name.begin(), static_cast<char>('A' + (n - 1) % 26));
    return name;
}

void AppendUnescaped(std::string_view text, std::string& out) {
    if (text.find("_x") == std::string_view::npos) {
        out.append(text);
        return;
    }
    std::size_t i = 0;
    while (i < text.size()) {
        const std::optional<unsigned> unit = EscapeAt(text.substr(i));
        if (!unit || (*unit >= 0xDC00 && *unit <= 0xDFFF)) {
            out += text[i++];
            continue;
        }
        if (*unit < 0xD800 || *unit > 0xDBFF) {
            AppendUtf8(static_cast<char32_t>(*unit), out);
            i += 7;
            continue;
        }
        const std::optional<unsigned> low = EscapeAt(text.substr(i + 7));
        if (!low || *low < 0xDC00 || *low > 0xDFFF) {
            out += text[i++];  // a lone high surrogate stays as written
            continue;
        }
        AppendUtf8(0x10000 + ((static_cast<char32_t>(*unit) - 0xD800) << 10) + (*low - 0xDC00),
                   out);
        i += 14;
    }
}

bool NeedsXlsxEscape(std::string_view value) {
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (c == '\0' || (c == '_' && EscapeAt(value.substr(i)))) return true;
        if (c == '\xEF' && value.substr(i, 2) == "\xEF\xBF" && i + 2 < value.size() &&
            (value[i + 2] == '\xBE' || value[i + 2] == '\xBF'))
            return true;
    }
    return false;
}

std::string EscapeForXlsx(std::string_view value) {
    std::string out;
    out.reserve(value.size() + 16);
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (c == '\0') {
            out += "_x0000_";
        } else if (c == '_' && EscapeAt(value.substr(i))) {
            out += "_x005F_";
        } else if (c == '\xEF' && value.substr(i, 2) == "\xEF\xBF" && i + 2 < value.size() &&
                   (value[i + 2] == '\xBE' || value[i + 2] == '\xBF')) {
            out += value[i + 2] == '\xBE' ? "_xFFFE_" : "_xFFFF_";
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

std::size_t DisplayWidth(std::string_view text) {
    std::size_t widest = 0;
    std::size_t width = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte == '\n') {
            width = 0;
            ++i;
            continue;
        }
        std::size_t length = 1;
        char32_t cp = byte;
        if (byte >= 0xF0) {
            length = 4;
            cp = byte & 0x07;
        } else if (byte >= 0xE0) {
            length = 3;
            cp = byte & 0x0F;
        } else if (byte >= 0xC0) {
            length = 2;
            cp = byte & 0x1F;
        }
        for (std::size_t k = 1; k < length && i + k < text.size(); ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
        i += length;
        if (byte == '\r') continue;
        width += IsWide(cp) ? 2 : 1;
        widest = std::max(widest, width);
    }
    return widest;
}

}  // namespace mamori::sheets::detail
