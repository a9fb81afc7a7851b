#pragma once

// Standard base64 (RFC 4648 §4, with padding): the encoding of signed notes, checkpoints and
// the proof hashes of the ledger API.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/error.h"
#include "ledger/merkle.h"

namespace mamori::ledger {

/// Standard base64 with padding.
std::string Base64Encode(std::span<const std::uint8_t> bytes);

/// Decodes standard base64 strictly: padding required, no whitespace or other characters, and
/// unused bits of the last character zero (so every byte string has exactly one encoding).
/// Invalid input (kInvalidInput, code "invalid_base64") otherwise.
[[nodiscard]] Result<std::string> Base64Decode(std::string_view text);

/// Base64 of a hash (44 characters).
std::string HashToBase64(const Hash& hash);

/// A hash from its base64; invalid input unless it decodes to exactly 32 bytes.
[[nodiscard]] Result<Hash> HashFromBase64(std::string_view text);

}  // namespace mamori::ledger
