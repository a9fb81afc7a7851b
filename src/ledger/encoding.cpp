#include "ledger/encoding.h"

#include <sodium.h>

#include <algorithm>

namespace mamori::ledger {

namespace {

constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;

Error InvalidBase64() { return Error::Invalid("invalid_base64", "not canonical base64"); }

}  // namespace

std::string Base64Encode(std::span<const std::uint8_t> bytes) {
    std::string out(sodium_base64_encoded_len(bytes.size(), kVariant), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), kVariant);
    out.pop_back();  // the terminating NUL
    return out;
}

Result<std::string> Base64Decode(std::string_view text) {
    if (text.size() % 4 != 0) return Fail(InvalidBase64());
    std::string out(text.size() / 4 * 3, '\0');
    std::size_t len = 0;
    const char* end = nullptr;
    // libsodium refuses characters outside the alphabet, bad padding and non-zero unused bits;
    // `end` catches a decoder that stopped before the end of the text.
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                          text.size(), nullptr, &len, &end, kVariant) != 0 ||
        end != text.data() + text.size()) {
        return Fail(InvalidBase64());
    }
    out.resize(len);
    return out;
}

std::string HashToBase64(const Hash& hash) { return Base64Encode(hash); }

Result<Hash> HashFromBase64(std::string_view text) {
    auto bytes = Base64Decode(text);
    if (!bytes) return Fail(std::move(bytes.error()));
    if (bytes->size() != Hash{}.size()) {
        return Fail(Error::Invalid("invalid_hash", "a hash is 32 bytes"));
    }
    Hash out;
    std::copy(bytes->begin(), bytes->end(), out.begin());
    return out;
}

}  // namespace mamori::ledger
