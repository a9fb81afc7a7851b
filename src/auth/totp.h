#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace mamori::auth {

// Time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, Unix epoch),
// as shown by authenticator apps, computed with liboath. All functions are thread-safe.

/// A new shared secret: 20 bytes (160 bits, the HMAC-SHA1 block the RFC recommends) from the
/// CSPRNG, as upper-case RFC 4648 base32 without '=' padding (32 characters). It is shown to
/// the user once (QR code or text) and must be stored encrypted.
std::string NewTotpSecret();

/// The `otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`
/// URI that authenticator apps read from a QR code. `issuer` and `account` (any UTF-8, e.g.
/// "平川市") are percent-encoded; only RFC 3986 unreserved characters stay as they are.
std::string OtpauthUri(std::string_view issuer, std::string_view account,
                       std::string_view secret_base32);

/// Checks a 6-digit `code` against the codes for the 30-second steps within ±`window` steps
/// of `unix_time` (a negative window counts as 0). On success returns the time-step counter
/// that matched (floor(unix_time / 30) plus the matched offset); the caller stores it and
/// refuses any later code whose counter is not greater, so a code cannot be replayed.
/// The comparison does not stop at the first differing digit.
/// Errors: Invalid "invalid_code" (field "code") when `code` is not exactly six ASCII digits
/// or matches no step; Internal when `secret_base32` is not valid, non-empty base32 or
/// `unix_time` is negative.
[[nodiscard]] Result<std::int64_t> VerifyTotp(std::string_view secret_base32, std::string_view code,
                                              std::int64_t unix_time, int window = 1);

/// The `digits`-digit code (6, 7 or 8) for the step containing `unix_time`, zero-padded.
/// For tests and test helpers. Returns an empty string when the secret is not valid base32,
/// `digits` is out of range or `unix_time` is negative.
std::string TotpCode(std::string_view secret_base32, std::int64_t unix_time, int digits = 6);

/// `count` distinct single-use recovery codes such as "k7mx-q2ve-9hna": three groups of four
/// characters from a 32-character lower-case alphabet without 0, o, 1 and l (60 bits each),
/// from the CSPRNG. Store only their hashes. Returns an empty vector when `count` <= 0.
std::vector<std::string> NewRecoveryCodes(int count = 10);

}  // namespace mamori::auth
