#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mamori::core {

/// Offset of the first byte that does not start a well-formed UTF-8 sequence (Unicode
/// table 3-7: no overlong forms, surrogates or code points above U+10FFFF), or
/// std::string_view::npos when the whole text is well-formed.
std::size_t FirstInvalidUtf8(std::string_view s);

/// Length of the well-formed UTF-8 sequence starting at s[i] (1 to 4), or 0 if none does.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i);

/// The code point at s[i], advancing i past it; an ill-formed byte is U+FFFD and skipped.
char32_t DecodeUtf8(std::string_view s, std::size_t& i);

inline bool ValidUtf8(std::string_view s) { return FirstInvalidUtf8(s) == std::string_view::npos; }

/// `s` with & < > " ' written as HTML character references, for text and attribute values.
std::string EscapeHtml(std::string_view s);

}  // namespace mamori::core
