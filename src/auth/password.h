#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace mamori::auth {

/// Hashes a password with argon2id (libsodium crypto_pwhash_str), giving the self-describing
/// "$argon2id$v=19$m=…,t=…,p=…$salt$hash" string that is stored. Parameters: libsodium's
/// INTERACTIVE limits scaled as documented in docs/architecture.md (t=3, m=64 MiB).
[[nodiscard]] Result<std::string> HashPassword(std::string_view password);

/// True when `password` matches `stored`. Constant-time in the password.
bool VerifyPassword(std::string_view password, const std::string& stored);

/// The password rules of 対策基準 7-4, from the config (`auth.password`). Defaults follow a
/// published city rule: 8+ characters, 3 of the 4 classes (upper, lower, digit, symbol),
/// valid for one year, the last 5 not reused.
struct PasswordPolicy {
    int min_length = 8;
    int min_classes = 3;
    int history = 5;         ///< How many previous passwords may not be reused (0 = none).
    int max_age_days = 365;  ///< 0 = never expires.
    int max_length = 128;

    /// Checks a new password against the length and class rules and that it does not contain
    /// the username. The error (kInvalidInput, field "new_password") says which rule failed,
    /// in Japanese. Reuse is checked by the caller against the stored history.
    [[nodiscard]] Result<void> Check(std::string_view password, std::string_view username) const;
};

}  // namespace mamori::auth
