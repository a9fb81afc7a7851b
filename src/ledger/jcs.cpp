#include "ledger/jcs.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>
#include <utility>
#include <vector>

#include "core/text.h"
#include "ledger/detail/utf8.h"

namespace mamori::ledger {

namespace {

/// ECMAScript switches to exponent form at 10^21 and below 10^-6 (Number::toString, step 6-9).
constexpr int kMaxPlainExponent = 21;
constexpr int kMinPlainExponent = -6;

Error NotCanonicalizable(std::string message) {
    return Error::Invalid("not_canonicalizable", std::move(message));
}

/// `s` (valid UTF-8) as UTF-16 code units, the order RFC 8785 §3.2.3 sorts names by.
std::u16string Utf16(std::string_view s) {
    std::u16string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        char32_t cp = detail::NextCodePoint(s, i);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
            out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
        } else {
            out.push_back(static_cast<char16_t>(cp));
        }
    }
    return out;
}

Result<void> AppendString(std::string_view s, std::string& out) {
    if (!core::ValidUtf8(s)) return Fail(NotCanonicalizable("a string is not valid UTF-8"));
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    out += "\\u00";
                    out += kHex[(c >> 4) & 0xF];
                    out += kHex[c & 0xF];
                } else {
                    out += c;
                }
        }
    }
    out += '"';
    return {};
}

/// ECMAScript Number::toString(d) for a finite double (RFC 8785 §3.2.2.3).
void AppendDouble(double d, std::string& out) {
    if (d == 0) {  // both zeros
        out += '0';
        return;
    }
    // Shortest round-trip digits in scientific form: "-d.ddde+XX" (Ryu-style, as ECMAScript
    // requires: the fewest digits, and of those the closest to d).
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
    if (sci.front() == '-') {
        out += '-';
        sci.remove_prefix(1);
    }
    const std::size_t e_at = sci.find('e');
    std::string digits;
    for (char c : sci.substr(0, e_at)) {
        if (c != '.') digits += c;
    }
    const int exponent = std::atoi(std::string(sci.substr(e_at + 1)).c_str());
    const int k = static_cast<int>(digits.size());
    const int n = exponent + 1;  // d = 0.digits × 10^n
    if (k <= n && n <= kMaxPlainExponent) {
        out += digits;
        out.append(static_cast<std::size_t>(n - k), '0');
    } else if (0 < n && n <= kMaxPlainExponent) {
        out.append(digits, 0, static_cast<std::size_t>(n));
        out += '.';
        out.append(digits, static_cast<std::size_t>(n));
    } else if (kMinPlainExponent < n && n <= 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-n), '0');
        out += digits;
    } else {
        out += digits[0];
        if (k > 1) {
            out += '.';
            out.append(digits, 1);
        }
        out += 'e';
        out += n - 1 < 0 ? '-' : '+';
        out += std::to_string(std::abs(n - 1));
    }
}

Result<void> Append(const boost::json::value& v, int depth, std::string& out) {
    if (depth > kMaxJcsDepth) return Fail(NotCanonicalizable("the value is nested too deeply"));
    switch (v.kind()) {
        case boost::json::kind::null:
            out += "null";
            return {};
        case boost::json::kind::bool_:
            out += v.get_bool() ? "true" : "false";
            return {};
        case boost::json::kind::int64:
            out += std::to_string(v.get_int64());
            return {};
        case boost::json::kind::uint64:
            out += std::to_string(v.get_uint64());
            return {};
        case boost::json::kind::double_:
            if (!std::isfinite(v.get_double())) {
                return Fail(NotCanonicalizable("NaN and infinity have no JSON form"));
            }
            AppendDouble(v.get_double(), out);
            return {};
        case boost::json::kind::string:
            return AppendString(v.get_string(), out);
        case boost::json::kind::array: {
            out += '[';
            bool first = true;
            for (const auto& element : v.get_array()) {
                if (!first) out += ',';
                first = false;
                if (auto r = Append(element, depth + 1, out); !r) return r;
            }
            out += ']';
            return {};
        }
        case boost::json::kind::object: {
            std::vector<std::pair<std::u16string, const boost::json::key_value_pair*>> members;
            members.reserve(v.get_object().size());
            for (const auto& member : v.get_object()) {
                if (!core::ValidUtf8(member.key())) {
                    return Fail(NotCanonicalizable("a member name is not valid UTF-8"));
                }
                members.emplace_back(Utf16(member.key()), &member);
            }
            std::sort(members.begin(), members.end(),
                      [](const auto& a, const auto& b) { return a.first < b.first; });
            out += '{';
            for (std::size_t i = 0; i < members.size(); ++i) {
                if (i > 0) {
                    if (members[i].first == members[i - 1].first) {
                        return Fail(NotCanonicalizable("duplicate member name"));
                    }
                    out += ',';
                }
                if (auto r = AppendString(members[i].second->key(), out); !r) return r;
                out += ':';
                if (auto r = Append(members[i].second->value(), depth + 1, out); !r) return r;
            }
            out += '}';
            return {};
        }
    }
    return Fail(Error::Internal("unknown JSON kind"));
}

}  // namespace

Result<std::string> Canonicalize(const boost::json::value& value) {
    std::string out;
    if (auto r = Append(value, 0, out); !r) return Fail(std::move(r.error()));
    return out;
}

}  // namespace mamori::ledger
