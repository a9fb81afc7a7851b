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

}  // namespace mamori::auth
