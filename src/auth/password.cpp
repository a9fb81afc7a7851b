#include "auth/password.h"

#include <fmt/format.h>
#include <sodium.h>

#include <cctype>
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

Result<void> PasswordPolicy::Check(std::string_view password, std::string_view username) const {
    auto refuse = [](std::string message) {
        return Fail(Error::Invalid("password_policy", std::move(message), "new_password"));
    };
    std::size_t chars = 0;
    for (unsigned char c : password) chars += (c & 0xC0) != 0x80;
    if (chars < static_cast<std::size_t>(min_length))
        return refuse(fmt::format("パスワードは {} 文字以上にしてください", min_length));
    if (chars > static_cast<std::size_t>(max_length))
        return refuse(fmt::format("パスワードは {} 文字以内にしてください", max_length));
    bool upper = false, lower = false, digit = false, symbol = false;
    for (unsigned char c : password) {
        if (c < 0x20 || c == 0x7f) return refuse("パスワードに制御文字は使えません");
        upper |= std::isupper(c) != 0;
        lower |= std::islower(c) != 0;
        digit |= std::isdigit(c) != 0;
        symbol |= c >= 0x80 || std::ispunct(c) != 0 || c == ' ';
    }
    const int classes = upper + lower + digit + symbol;
    if (classes < min_classes)
        return refuse(fmt::format(
            "パスワードには英大文字・英小文字・数字・記号のうち {} 種類以上を含めてください",
            min_classes));
    if (!username.empty()) {
        std::string lower_pw(password), lower_user(username);
        for (char& c : lower_pw) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        for (char& c : lower_user)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower_pw.find(lower_user) != std::string::npos)
            return refuse("パスワードにユーザー名を含めないでください");
    }
    return {};
}

}  // namespace mamori::auth
