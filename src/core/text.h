#pragma once

#include <cstddef>
#include <string_view>

namespace mamori::core {

/// Offset of the first byte that does not start a well-formed UTF-8 sequence (Unicode
/// table 3-7: no overlong forms, surrogates or code points above U+10FFFF), or
/// std::string_view::npos when the whole text is well-formed.
std::size_t FirstInvalidUtf8(std::string_view s);

inline bool ValidUtf8(std::string_view s) { return FirstInvalidUtf8(s) == std::string_view::npos; }

}  // namespace mamori::core
