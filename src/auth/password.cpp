#include "auth/password.h"

#include <sodium.h>

#include <cstdlib>

namespace mamori::auth {

namespace {

constexpr unsigned long long kOpsLimit = 3;           // passes over memory
constexpr std::size_t kMemLimit = 64u * 1024 * 1024;  // 64 MiB

void EnsureSodium() {
    static const bool ok = sodium_init() >= 0;
    if (!ok) std::abort();
}

}  // namespace

Result<std::string> HashPassword(std::string_view password) {
    EnsureSodium();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOpsLimit, kMemLimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return Fail(Error::Internal("password hashing ran out of memory"));
    return std::string(out);
}

bool VerifyPassword(std::string_view password, const std::string& stored) {
    EnsureSodium();
    return crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
}

}  // namespace mamori::auth
