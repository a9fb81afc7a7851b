#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace mamori::crypto {

/// `n` bytes from the operating system's CSPRNG (OpenSSL RAND_bytes). Aborts if the
/// generator fails, since nothing secure can continue without it.
std::string RandomBytes(std::size_t n);

/// Lower-case hexadecimal of `bytes`.
std::string Hex(std::string_view bytes);

/// URL-safe base64 without padding (RFC 4648 §5); used for tokens shown to people.
std::string Base64Url(std::string_view bytes);
/// Standard base64 (RFC 4648 §4) with padding, on one line.
std::string Base64(std::string_view bytes);

/// SHA-256 digest (32 raw bytes).
std::array<std::uint8_t, 32> Sha256(std::string_view data);

/// SHA-256 as 64 lower-case hex characters.
std::string Sha256Hex(std::string_view data);

/// A random password of `length` characters from letters, digits and symbols, containing
/// at least one of each of the four classes.
std::string GeneratePassword(std::size_t length);

}  // namespace mamori::crypto
