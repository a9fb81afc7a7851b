#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "http/message.h"

namespace mamori::http {

/// Reads a JSON request object field by field, strictly: every field read is checked for
/// type and length; Finish() then refuses any field that was not read (unknown fields are
/// an error, not ignored) and returns the first problem found, naming the field.
/// Lengths are counted in characters (Unicode code points), so 漢字 count as one each.
/// Text may not contain control characters (multi-line text allows \n and \t).
class JsonReader {
  public:
    /// Parses the request body (Content-Type application/json, depth-limited) as an object.
    [[nodiscard]] static Result<JsonReader> FromBody(const Request& req);
    explicit JsonReader(boost::json::object o) : obj_(std::move(o)) {}

    std::string RequiredString(std::string_view key, std::size_t max_chars = 200);
    std::optional<std::string> OptionalString(std::string_view key, std::size_t max_chars = 200);
    /// Multi-line text: line breaks (CR, LF) and tabs allowed, other control characters not.
    std::optional<std::string> OptionalLongText(std::string_view key, std::size_t max_chars);
    std::string RequiredChoice(std::string_view key,
                               std::initializer_list<std::string_view> allowed);
    std::optional<std::string> OptionalChoice(std::string_view key,
                                              std::initializer_list<std::string_view> allowed);
    /// A calendar date "YYYY-MM-DD".
    std::string RequiredDate(std::string_view key);
    std::optional<std::string> OptionalDate(std::string_view key);
    std::optional<bool> OptionalBool(std::string_view key);
    std::optional<std::int64_t> OptionalInt(std::string_view key, std::int64_t min,
                                            std::int64_t max);
    /// An array of strings (each ≤ max_chars), at most `max_items` of them.
    std::optional<std::vector<std::string>> OptionalStringList(std::string_view key,
                                                               std::size_t max_items,
                                                               std::size_t max_chars = 100);
    /// A JSON object, as it is (the caller checks its members; the body's size and depth are
    /// already bounded).
    std::optional<boost::json::object> OptionalObject(std::string_view key);
    bool Has(std::string_view key) const { return obj_.contains(key); }
    /// True when the field is present and JSON null (to clear a value).
    bool IsNull(std::string_view key) const;

    /// The first problem, or an unknown field; ok when the body was entirely as expected.
    [[nodiscard]] Result<void> Finish();

  private:
    const boost::json::value* Take(std::string_view key);
    void Problem(std::string_view key, std::string code, std::string message);
    std::optional<std::string> Text(std::string_view key, std::size_t max_chars, bool required,
                                    bool multi_line = false);

    boost::json::object obj_;
    std::set<std::string, std::less<>> read_;
    std::optional<Error> error_;
};

/// True for a valid calendar date "YYYY-MM-DD" (proleptic Gregorian, years 1900–2999).
bool IsValidDate(std::string_view s);

/// Number of Unicode code points in valid UTF-8 text.
std::size_t CountChars(std::string_view utf8);

}  // namespace mamori::http
