#include "auth/totp.h"

#include <liboath/oath.h>
#include <sodium.h>

#include <algorithm>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <set>

#include "core/crypto.h"

namespace mamori::auth {

namespace {

constexpr unsigned kStepSeconds = 30;
constexpr std::size_t kSecretBytes = 20;
constexpr std::size_t kVerifyDigits = 6;
constexpr int kMinDigits = 6;
constexpr int kMaxDigits = 8;
constexpr int kHmacSha1 = 0;  // liboath flags: neither OATH_TOTP_HMAC_SHA256 nor _SHA512

// 32 symbols, so one random byte masked to 5 bits picks one without bias.
constexpr std::string_view kRecoveryAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";
constexpr int kRecoveryGroups = 3;
constexpr int kRecoveryGroupLength = 4;

void EnsureOath() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (oath_init() != OATH_OK) {
            std::fputs("fatal: liboath failed to initialise\n", stderr);
            std::abort();
        }
    });
}

/// The raw bytes of a base32 secret, wiped when it goes out of scope.
class DecodedSecret {
  public:
    /// Decodes `base32` (liboath accepts lower case, spaces and missing padding); ok() is
    /// false when it is not base32 or decodes to nothing.
    explicit DecodedSecret(std::string_view base32) {
        EnsureOath();
        if (oath_base32_decode(base32.data(), base32.size(), &bytes_, &size_) != OATH_OK) {
            bytes_ = nullptr;
            size_ = 0;
        }
    }
    ~DecodedSecret() {
        if (bytes_ != nullptr) {
            sodium_memzero(bytes_, size_);
            std::free(bytes_);
        }
    }
    DecodedSecret(const DecodedSecret&) = delete;
    DecodedSecret& operator=(const DecodedSecret&) = delete;

    bool ok() const { return bytes_ != nullptr && size_ > 0; }
    const char* data() const { return bytes_; }
    std::size_t size() const { return size_; }

  private:
    char* bytes_ = nullptr;  // malloc'ed by liboath
    std::size_t size_ = 0;
};

/// liboath's strcmp-like callback: 0 on a match, positive otherwise, looking at every digit
/// whatever the result so the time taken does not tell how many digits were right.
int CompareConstantTime(void* handle, const char* candidate) {
    const auto& expected = *static_cast<const std::string*>(handle);
    unsigned char diff = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        if (candidate[i] == '\0') return 1;
        diff |= static_cast<unsigned char>(expected[i] ^ candidate[i]);
    }
    if (candidate[expected.size()] != '\0') return 1;
    return diff == 0 ? 0 : 1;
}

bool IsSixDigits(std::string_view code) {
    if (code.size() != kVerifyDigits) return false;
    for (char c : code) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

std::string PercentEncode(std::string_view s) {
    return boost::urls::encode(s, boost::urls::unreserved_chars);
}

std::string NewRecoveryCode() {
    constexpr std::size_t kLength = kRecoveryGroups * kRecoveryGroupLength;
    const std::string random = crypto::RandomBytes(kLength);
    std::string code;
    code.reserve(kLength + kRecoveryGroups - 1);
    for (std::size_t i = 0; i < kLength; ++i) {
        if (i > 0 && i % kRecoveryGroupLength == 0) code.push_back('-');
        code.push_back(kRecoveryAlphabet[static_cast<unsigned char>(random[i]) & 0x1f]);
    }
    return code;
}

}  // namespace

std::string NewTotpSecret() {
    EnsureOath();
    std::string raw = crypto::RandomBytes(kSecretBytes);
    char* encoded = nullptr;
    std::size_t encoded_size = 0;
    const int rc = oath_base32_encode(raw.data(), raw.size(), &encoded, &encoded_size);
    sodium_memzero(raw.data(), raw.size());
    if (rc != OATH_OK) {
        std::fputs("fatal: liboath could not encode a TOTP secret\n", stderr);
        std::abort();
    }
    std::string secret(encoded, encoded_size);
    std::free(encoded);
    while (!secret.empty() && secret.back() == '=') secret.pop_back();
    return secret;
}

std::string OtpauthUri(std::string_view issuer, std::string_view account,
                       std::string_view secret_base32) {
    std::string uri = "otpauth://totp/";
    if (!issuer.empty()) uri += PercentEncode(issuer) + ":";
    uri += PercentEncode(account);
    uri += "?secret=" + PercentEncode(secret_base32);
    if (!issuer.empty()) uri += "&issuer=" + PercentEncode(issuer);
    uri += "&algorithm=SHA1&digits=6&period=30";
    return uri;
}

Result<std::int64_t> VerifyTotp(std::string_view secret_base32, std::string_view code,
                                std::int64_t unix_time, int window) {
    if (!IsSixDigits(code))
        return Fail(
            Error::Invalid("invalid_code", "確認コードは 6 桁の数字で入力してください。", "code"));
    if (unix_time < 0) return Fail(Error::Internal("TOTP verification with a negative time"));
    const DecodedSecret secret(secret_base32);
    if (!secret.ok()) return Fail(Error::Internal("stored TOTP secret is not valid base32"));

    std::string expected(code);  // liboath passes it back as void*
    int position = 0;
    std::uint64_t counter = 0;
    const int rc = oath_totp_validate4_callback(
        secret.data(), secret.size(), static_cast<std::time_t>(unix_time), kStepSeconds,
        OATH_TOTP_DEFAULT_START_TIME, kVerifyDigits, static_cast<std::size_t>(std::max(window, 0)),
        &position, &counter, kHmacSha1, CompareConstantTime, &expected);
    if (rc == OATH_INVALID_OTP)
        return Fail(Error::Invalid("invalid_code",
                                   "確認コードが正しくないか、有効期限が切れています。", "code"));
    if (rc < 0) return Fail(Error::Internal(std::string("liboath: ") + oath_strerror(rc)));
    return static_cast<std::int64_t>(counter);
}

std::string TotpCode(std::string_view secret_base32, std::int64_t unix_time, int digits) {
    if (digits < kMinDigits || digits > kMaxDigits || unix_time < 0) return {};
    const DecodedSecret secret(secret_base32);
    if (!secret.ok()) return {};
    char otp[kMaxDigits + 1] = {};
    if (oath_totp_generate2(secret.data(), secret.size(), static_cast<std::time_t>(unix_time),
                            kStepSeconds, OATH_TOTP_DEFAULT_START_TIME,
                            static_cast<unsigned>(digits), kHmacSha1, otp) != OATH_OK)
        return {};
    return std::string(otp);
}

std::vector<std::string> NewRecoveryCodes(int count) {
    std::vector<std::string> codes;
    if (count <= 0) return codes;
    codes.reserve(static_cast<std::size_t>(count));
    std::set<std::string> seen;
    while (codes.size() < static_cast<std::size_t>(count)) {
        std::string code = NewRecoveryCode();
        if (seen.insert(code).second) codes.push_back(std::move(code));
    }
    return codes;
}

}  // namespace mamori::auth
