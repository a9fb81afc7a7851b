#include "core/crypto.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace mamori::crypto {

std::string RandomBytes(std::size_t n) {
    std::string out(n, '\0');
    if (n > 0 &&
        RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
        std::fputs("fatal: the random number generator failed\n", stderr);
        std::abort();
    }
    return out;
}

std::string Hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 0xf]);
    }
    return out;
}

std::string Base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string Base64Url(std::string_view bytes) {
    std::string out = Base64(bytes);
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char& c : out) {
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    return out;
}

std::array<std::uint8_t, 32> Sha256(std::string_view data) {
    std::array<std::uint8_t, 32> digest{};
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr);
    return digest;
}

std::string Sha256Hex(std::string_view data) {
    const auto d = Sha256(data);
    return Hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

std::string GeneratePassword(std::size_t length) {
    static constexpr std::string_view kClasses[] = {
        "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789", "-_.!@#%+="};
    static constexpr std::string_view kAll =
        "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_.!@#%+=";
    if (length < 4) length = 4;
    // Rejection sampling keeps every character equally likely.
    auto pick = [](std::string_view set) {
        const unsigned limit = 256 - (256 % set.size());
        for (;;) {
            unsigned char b = static_cast<unsigned char>(RandomBytes(1)[0]);
            if (b < limit) return set[b % set.size()];
        }
    };
    std::string out;
    for (auto set : kClasses) out.push_back(pick(set));
    while (out.size() < length) out.push_back(pick(kAll));
    // Shuffle so the class-guaranteeing characters are not always first (Fisher–Yates).
    for (std::size_t i = out.size() - 1; i > 0; --i) {
        std::uint32_t r;
        auto bytes = RandomBytes(sizeof r);
        std::memcpy(&r, bytes.data(), sizeof r);
        std::swap(out[i], out[r % (i + 1)]);
    }
    return out;
}

}  // namespace mamori::crypto
