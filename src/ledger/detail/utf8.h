#pragma once

#include <cstddef>
#include <string_view>

namespace mamori::ledger::detail {

/// The code point of well-formed UTF-8 `s` starting at `i`, advancing `i` past it.
/// REQUIRES: core::ValidUtf8(s) and i < s.size() at a sequence start.
inline char32_t NextCodePoint(std::string_view s, std::size_t& i) {
    const auto lead = static_cast<unsigned char>(s[i++]);
    if (lead < 0x80) return lead;
    const int extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
    char32_t cp = lead & (0x3F >> extra);
    for (int k = 0; k < extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
    return cp;
}

}  // namespace mamori::ledger::detail
