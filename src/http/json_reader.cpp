#include "http/json_reader.h"

#include <fmt/format.h>

namespace mamori::http {

std::size_t CountChars(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

namespace {
/// Empty, or only ASCII and ideographic (U+3000) spaces.
bool IsBlank(std::string_view s) {
    constexpr std::string_view kIdeographicSpace = "\u3000";
    std::size_t i = 0;
    while (i < s.size()) {
        if (s[i] == ' ') {
            ++i;
        } else if (s.substr(i, kIdeographicSpace.size()) == kIdeographicSpace) {
            i += kIdeographicSpace.size();
        } else {
            return false;
        }
    }
    return true;
}
}  // namespace

bool IsValidDate(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (s[i] < '0' || s[i] > '9') return false;
    const int y = std::stoi(std::string(s.substr(0, 4)));
    const int m = std::stoi(std::string(s.substr(5, 2)));
    const int d = std::stoi(std::string(s.substr(8, 2)));
    if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1) return false;
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

Result<JsonReader> JsonReader::FromBody(const Request& req) {
    auto v = ParseJsonBody(req);
    if (!v) return Fail(v.error());
    if (!v->is_object())
        return Fail(Error::Invalid("invalid_json", "本文は JSON オブジェクトにしてください"));
    return JsonReader(std::move(v->get_object()));
}

void JsonReader::Problem(std::string_view key, std::string code, std::string message) {
    if (!error_) error_ = Error::Invalid(std::move(code), std::move(message), std::string(key));
}

const boost::json::value* JsonReader::Take(std::string_view key) {
    read_.emplace(key);
    return obj_.if_contains(key);
}

bool JsonReader::IsNull(std::string_view key) const {
    const auto* v = obj_.if_contains(key);
    return v && v->is_null();
}

std::optional<std::string> JsonReader::Text(std::string_view key, std::size_t max_chars,
                                            bool required, bool multi_line) {
    const auto* v = Take(key);
    if (!v || v->is_null()) {
        if (required) Problem(key, "missing_field", fmt::format("{} を指定してください", key));
        return std::nullopt;
    }
    if (!v->is_string()) {
        Problem(key, "invalid_field", fmt::format("{} は文字列で指定してください", key));
        return std::nullopt;
    }
    std::string s(v->get_string());
    for (unsigned char c : s) {
        if (multi_line && (c == '\n' || c == '\r' || c == '\t')) continue;
        if (c < 0x20 || c == 0x7f) {
            Problem(key, "invalid_field", fmt::format("{} に制御文字は使えません", key));
            return std::nullopt;
        }
    }
    if (required && IsBlank(s)) {
        Problem(key, "missing_field", fmt::format("{} を入力してください", key));
        return std::nullopt;
    }
    if (CountChars(s) > max_chars) {
        Problem(key, "too_long", fmt::format("{} は {} 文字以内にしてください", key, max_chars));
        return std::nullopt;
    }
    return s;
}

std::string JsonReader::RequiredString(std::string_view key, std::size_t max_chars) {
    return Text(key, max_chars, true).value_or("");
}

std::optional<std::string> JsonReader::OptionalLongText(std::string_view key,
                                                        std::size_t max_chars) {
    return Text(key, max_chars, false, true);
}

std::optional<std::string> JsonReader::OptionalString(std::string_view key, std::size_t max_chars) {
    return Text(key, max_chars, false);
}

std::optional<std::string> JsonReader::OptionalChoice(
    std::string_view key, std::initializer_list<std::string_view> allowed) {
    auto s = Text(key, 100, false);
    if (!s) return s;
    for (auto a : allowed)
        if (*s == a) return s;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    Problem(key, "invalid_field", fmt::format("{} は次のいずれかです: {}", key, list));
    return std::nullopt;
}

std::string JsonReader::RequiredChoice(std::string_view key,
                                       std::initializer_list<std::string_view> allowed) {
    if (!Has(key) || IsNull(key)) {
        Take(key);
        Problem(key, "missing_field", fmt::format("{} を指定してください", key));
        return {};
    }
    return OptionalChoice(key, allowed).value_or("");
}

std::optional<std::string> JsonReader::OptionalDate(std::string_view key) {
    auto s = Text(key, 10, false);
    if (s && !IsValidDate(*s)) {
        Problem(key, "invalid_field",
                fmt::format("{} は YYYY-MM-DD 形式の正しい日付にしてください", key));
        return std::nullopt;
    }
    return s;
}

std::string JsonReader::RequiredDate(std::string_view key) {
    if (!Has(key) || IsNull(key)) {
        Take(key);
        Problem(key, "missing_field", fmt::format("{} を指定してください", key));
        return {};
    }
    return OptionalDate(key).value_or("");
}

std::optional<bool> JsonReader::OptionalBool(std::string_view key) {
    const auto* v = Take(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_bool()) {
        Problem(key, "invalid_field", fmt::format("{} は true か false で指定してください", key));
        return std::nullopt;
    }
    return v->get_bool();
}

std::optional<boost::json::object> JsonReader::OptionalObject(std::string_view key) {
    const auto* v = Take(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_object()) {
        Problem(key, "invalid_field", fmt::format("{} はオブジェクトで指定してください", key));
        return std::nullopt;
    }
    return v->get_object();
}

std::optional<std::int64_t> JsonReader::OptionalInt(std::string_view key, std::int64_t min,
                                                    std::int64_t max) {
    const auto* v = Take(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_int64() || v->get_int64() < min || v->get_int64() > max) {
        Problem(key, "invalid_field",
                fmt::format("{} は {} から {} までの整数で指定してください", key, min, max));
        return std::nullopt;
    }
    return v->get_int64();
}

std::optional<std::vector<std::string>> JsonReader::OptionalStringList(std::string_view key,
                                                                       std::size_t max_items,
                                                                       std::size_t max_chars) {
    const auto* v = Take(key);
    if (!v || v->is_null()) return std::nullopt;
    auto bad = [&] {
        Problem(key, "invalid_field",
                fmt::format("{} は {} 文字以内の文字列を {} 個までの配列で指定してください", key,
                            max_chars, max_items));
        return std::nullopt;
    };
    if (!v->is_array() || v->get_array().size() > max_items) return bad();
    std::vector<std::string> out;
    for (const auto& item : v->get_array()) {
        if (!item.is_string() || CountChars(item.get_string()) > max_chars) return bad();
        out.emplace_back(item.get_string());
    }
    return out;
}

Result<void> JsonReader::Finish() {
    if (error_) return Fail(*error_);
    for (const auto& kv : obj_) {
        if (!read_.count(std::string_view(kv.key())))
            return Fail(Error::Invalid("unknown_field",
                                       fmt::format("知らない項目です: {}", std::string(kv.key())),
                                       std::string(kv.key())));
    }
    return {};
}

}  // namespace mamori::http
