#pragma once

// The JSON Canonicalization Scheme of RFC 8785: one byte sequence for a JSON value, so that
// it can be hashed and signed.

#include <boost/json/value.hpp>
#include <string>

#include "core/error.h"

namespace mamori::ledger {

/// Object members deeper than this are refused (the canonicaliser recurses).
inline constexpr int kMaxJcsDepth = 64;

/// The RFC 8785 serialisation of `value`, as UTF-8 without any whitespace:
/// - object members sorted by the UTF-16 code units of their names, arrays in order;
/// - strings escaped as ECMAScript JSON.stringify does (\b \t \n \f \r \" \\, other control
///   characters as \u00xx in lower-case hex, everything else as literal UTF-8);
/// - doubles as ECMAScript Number::toString (shortest round-trip digits, the exponent form
///   below 1e-6 and from 1e21, -0 as 0); integers (int64, uint64) in plain decimal, exactly,
///   even beyond 2^53 where a double would lose digits.
/// Invalid input (code "not_canonicalizable") for NaN or infinity, strings or names that are
/// not valid UTF-8, duplicate member names, or nesting deeper than kMaxJcsDepth.
[[nodiscard]] Result<std::string> Canonicalize(const boost::json::value& value);

}  // namespace mamori::ledger
