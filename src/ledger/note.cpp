#include "ledger/note.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "core/crypto.h"
#include "core/text.h"
#include "ledger/detail/utf8.h"
#include "ledger/encoding.h"

namespace mamori::ledger {

namespace {

constexpr std::uint8_t kEd25519 = 0x01;  // the signature type byte of C2SP signed-note
constexpr std::string_view kSignerPrefix = "PRIVATE+KEY+";
constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // em dash U+2014, space
constexpr std::size_t kKeyIdBytes = 4;
constexpr std::size_t kKeyIdHexDigits = 8;

using Key = std::array<std::uint8_t, 32>;

void EnsureSodium() {
    static const bool ok = sodium_init() >= 0;
    if (!ok) {
        std::fputs("fatal: libsodium failed to initialise\n", stderr);
        std::abort();
    }
}

Error Malformed(std::string message) {
    return Error::Invalid("malformed_note", std::move(message));
}

Error InvalidKey(std::string message) { return Error::Invalid("invalid_key", std::move(message)); }

/// Go's unicode.IsSpace: the Unicode White_Space characters.
bool IsUnicodeSpace(char32_t cp) {
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000;
}

/// Note text and signed notes: valid UTF-8, no control character other than '\n' (C2SP).
bool ValidNoteBytes(std::string_view s) {
    return core::ValidUtf8(s) && std::none_of(s.begin(), s.end(), [](char c) {
               return static_cast<unsigned char>(c) < 0x20 && c != '\n';
           });
}

/// One line: valid note bytes without '\n'.
bool ValidLine(std::string_view s) {
    return ValidNoteBytes(s) && s.find('\n') == std::string_view::npos;
}

/// Splits `s` at the first `sep`: the part before, and after (empty when absent), like Go's
/// chop in sumdb/note.
std::pair<std::string_view, std::string_view> Chop(std::string_view s, char sep) {
    const std::size_t at = s.find(sep);
    if (at == std::string_view::npos) return {s, {}};
    return {s.substr(0, at), s.substr(at + 1)};
}

/// Parses all of `s` as an unsigned number in `base`; false when anything is left over or the
/// value does not fit.
template <typename T>
bool ParseWhole(std::string_view s, T& value, int base) {
    const char* end = s.data() + s.size();
    const auto [ptr, ec] = std::from_chars(s.data(), end, value, base);
    return ec == std::errc() && ptr == end;
}

std::string HexKeyId(std::uint32_t id) {
    char buf[kKeyIdHexDigits + 1];
    std::snprintf(buf, sizeof buf, "%08x", id);
    return buf;
}

std::uint32_t ReadBigEndian32(std::string_view bytes) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < kKeyIdBytes; ++i)
        v = (v << 8) | static_cast<unsigned char>(bytes[i]);
    return v;
}

/// base64(0x01 ‖ key): the key part of both key texts.
std::string EncodeKey(const Key& key) {
    std::array<std::uint8_t, 1 + Key{}.size()> typed{};
    typed[0] = kEd25519;
    std::copy(key.begin(), key.end(), typed.begin() + 1);
    std::string out = Base64Encode(typed);
    sodium_memzero(typed.data(), typed.size());
    return out;
}

/// The three fields of `name+<hex id>+<base64(0x01 ‖ key)>`.
struct KeyText {
    std::string_view name;
    std::uint32_t key_id = 0;
    Key key{};

    ~KeyText() { sodium_memzero(key.data(), key.size()); }
};

Result<void> ParseKeyText(std::string_view text, KeyText& out) {
    auto [name, rest] = Chop(text, '+');
    auto [hex, key64] = Chop(rest, '+');
    if (!ValidKeyName(name)) return Fail(InvalidKey("the key name is not valid"));
    out.name = name;
    if (hex.size() != kKeyIdHexDigits || !ParseWhole(hex, out.key_id, 16)) {
        return Fail(InvalidKey("the key id is not 8 hexadecimal digits"));
    }
    auto decoded = Base64Decode(key64);
    if (!decoded) return Fail(InvalidKey("the key is not base64"));
    const bool ok = decoded->size() == 1 + out.key.size() &&
                    static_cast<std::uint8_t>((*decoded)[0]) == kEd25519;
    if (ok) std::copy(decoded->begin() + 1, decoded->end(), out.key.begin());
    sodium_memzero(decoded->data(), decoded->size());
    if (!ok) return Fail(InvalidKey("the key is not a 32-byte Ed25519 key (type 0x01)"));
    return {};
}

/// Checks that `key_id` is the id of (name, public_key).
Result<void> CheckKeyId(std::string_view name, std::uint32_t key_id, const Key& public_key) {
    if (KeyId(name, public_key) != key_id) {
        return Fail(InvalidKey("the key id does not match the key"));
    }
    return {};
}

/// The Ed25519 public key and expanded secret key of `seed`; the secret is wiped on exit.
struct KeyPair {
    Key public_key{};
    std::array<std::uint8_t, crypto_sign_SECRETKEYBYTES> secret{};

    explicit KeyPair(const Key& seed) {
        EnsureSodium();
        crypto_sign_seed_keypair(public_key.data(), secret.data(), seed.data());
    }
    ~KeyPair() { sodium_memzero(secret.data(), secret.size()); }
    KeyPair(const KeyPair&) = delete;
    KeyPair& operator=(const KeyPair&) = delete;
};

/// The verifier among `known` with this name and id: nullptr when none; an error when several.
Result<const Verifier*> FindVerifier(std::span<const Verifier> known, std::string_view name,
                                     std::uint32_t key_id) {
    const Verifier* found = nullptr;
    for (const Verifier& v : known) {
        if (v.name != name || v.key_id != key_id) continue;
        if (found != nullptr) {
            return Fail(Error::Invalid("ambiguous_key", "two known keys share a name and id"));
        }
        found = &v;
    }
    return found;
}

/// Strict decimal: digits only, no sign, no leading zeros (except "0"), within uint64.
Result<std::uint64_t> ParseTreeSize(std::string_view s) {
    std::uint64_t v = 0;
    if (s.empty() || (s.size() > 1 && s[0] == '0') || s[0] < '0' || s[0] > '9' ||
        !ParseWhole(s, v, 10)) {
        return Fail(Error::Invalid("invalid_checkpoint",
                                   "the tree size is not a decimal number without leading zeros"));
    }
    return v;
}

Error InvalidCheckpoint(std::string message) {
    return Error::Invalid("invalid_checkpoint", std::move(message));
}

}  // namespace

bool ValidKeyName(std::string_view name) {
    if (name.empty() || !core::ValidUtf8(name)) return false;
    for (std::size_t i = 0; i < name.size();) {
        const char32_t cp = detail::NextCodePoint(name, i);
        if (cp == U'+' || cp < 0x20 || cp == 0x7F || IsUnicodeSpace(cp)) return false;
    }
    return true;
}

std::uint32_t KeyId(std::string_view name, const std::array<std::uint8_t, 32>& public_key) {
    std::string input(name);
    input.push_back('\n');
    input.push_back(static_cast<char>(kEd25519));
    input.append(reinterpret_cast<const char*>(public_key.data()), public_key.size());
    const auto digest = crypto::Sha256(input);
    return ReadBigEndian32(
        std::string_view(reinterpret_cast<const char*>(digest.data()), kKeyIdBytes));
}

Result<Verifier> Verifier::Parse(std::string_view text) {
    KeyText fields;
    if (auto parsed = ParseKeyText(text, fields); !parsed) return Fail(parsed.error());
    if (auto id = CheckKeyId(fields.name, fields.key_id, fields.key); !id) return Fail(id.error());
    return Verifier{std::string(fields.name), fields.key_id, fields.key};
}

std::string Verifier::Format() const {
    return name + "+" + HexKeyId(key_id) + "+" + EncodeKey(public_key);
}

Signer::~Signer() { sodium_memzero(seed.data(), seed.size()); }

Result<Signer> Signer::Parse(std::string_view text) {
    if (!text.starts_with(kSignerPrefix)) {
        return Fail(InvalidKey("a signer key starts with PRIVATE+KEY+"));
    }
    KeyText fields;
    if (auto parsed = ParseKeyText(text.substr(kSignerPrefix.size()), fields); !parsed) {
        return Fail(parsed.error());
    }
    const KeyPair pair(fields.key);
    if (auto id = CheckKeyId(fields.name, fields.key_id, pair.public_key); !id) {
        return Fail(id.error());
    }
    Signer s;
    s.name = std::string(fields.name);
    s.key_id = fields.key_id;
    s.seed = fields.key;
    s.public_key = pair.public_key;
    return s;
}

std::string Signer::Format() const {
    return std::string(kSignerPrefix) + name + "+" + HexKeyId(key_id) + "+" + EncodeKey(seed);
}

Verifier Signer::verifier() const { return Verifier{name, key_id, public_key}; }

Result<Signer> GenerateSigner(std::string name) {
    if (!ValidKeyName(name)) return Fail(InvalidKey("the key name is not valid"));
    EnsureSodium();
    Signer s;
    randombytes_buf(s.seed.data(), s.seed.size());
    const KeyPair pair(s.seed);
    s.public_key = pair.public_key;
    s.key_id = KeyId(name, s.public_key);
    s.name = std::move(name);
    return s;
}

Result<std::string> Sign(std::string_view text, const Signer& signer) {
    if (text.empty() || text.back() != '\n') return Fail(Malformed("note text must end in \\n"));
    if (!ValidNoteBytes(text)) {
        return Fail(Malformed("note text must be UTF-8 without control characters"));
    }
    if (!ValidKeyName(signer.name)) return Fail(InvalidKey("the key name is not valid"));
    const KeyPair pair(signer.seed);
    if (pair.public_key != signer.public_key ||
        KeyId(signer.name, pair.public_key) != signer.key_id) {
        return Fail(InvalidKey("the signer's key id or public key does not match its seed"));
    }

    std::array<std::uint8_t, kKeyIdBytes + crypto_sign_BYTES> sig{};
    for (std::size_t i = 0; i < kKeyIdBytes; ++i) {
        sig[i] = static_cast<std::uint8_t>(signer.key_id >> (8 * (kKeyIdBytes - 1 - i)));
    }
    crypto_sign_detached(sig.data() + kKeyIdBytes, nullptr,
                         reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                         pair.secret.data());

    std::string note(text);
    note += '\n';
    note += kSignaturePrefix;
    note += signer.name;
    note += ' ';
    note += Base64Encode(sig);
    note += '\n';
    if (note.size() > kMaxNoteBytes) {
        return Fail({ErrorKind::kTooLarge, "note_too_large", "the signed note is too large", {}});
    }
    return note;
}

Result<std::string> Open(std::string_view note, std::span<const Verifier> known) {
    if (note.size() > kMaxNoteBytes) {
        return Fail({ErrorKind::kTooLarge, "note_too_large", "the signed note is too large", {}});
    }
    if (!ValidNoteBytes(note)) return Fail(Malformed("a note is UTF-8 without control characters"));
    const std::size_t split = note.rfind("\n\n");
    if (split == std::string_view::npos) return Fail(Malformed("no blank line before signatures"));
    const std::string_view text = note.substr(0, split + 1);
    std::string_view lines = note.substr(split + 2);
    if (lines.empty() || lines.back() != '\n') return Fail(Malformed("no signature lines"));

    std::size_t count = 0;
    std::size_t verified = 0;
    while (!lines.empty()) {
        const std::size_t eol = lines.find('\n');
        std::string_view line = lines.substr(0, eol);
        lines.remove_prefix(eol + 1);
        if (++count > kMaxNoteSignatures) {
            return Fail({ErrorKind::kTooLarge, "note_too_large", "too many signatures", {}});
        }
        if (!line.starts_with(kSignaturePrefix)) return Fail(Malformed("bad signature line"));
        auto [name, sig64] = Chop(line.substr(kSignaturePrefix.size()), ' ');
        auto sig = Base64Decode(sig64);
        if (!ValidKeyName(name) || !sig || sig->size() <= kKeyIdBytes) {
            return Fail(Malformed("bad signature line"));
        }
        auto verifier = FindVerifier(known, name, ReadBigEndian32(*sig));
        if (!verifier) return Fail(std::move(verifier.error()));
        if (*verifier == nullptr) continue;  // an unknown key: ignored, as C2SP requires
        const std::string_view signature = std::string_view(*sig).substr(kKeyIdBytes);
        if (signature.size() != crypto_sign_BYTES ||
            crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                        reinterpret_cast<const unsigned char*>(text.data()),
                                        text.size(), (*verifier)->public_key.data()) != 0) {
            return Fail(Error::Invalid("invalid_signature",
                                       "the signature of " + std::string(name) + "+" +
                                           HexKeyId((*verifier)->key_id) + " does not verify"));
        }
        ++verified;
    }
    if (verified == 0) {
        return Fail(Error::Invalid("unverified_note", "no known key has signed this note"));
    }
    return std::string(text);
}

Result<void> ValidateCheckpoint(const Checkpoint& c) {
    if (c.origin.empty() || !ValidLine(c.origin)) {
        return Fail(InvalidCheckpoint("the origin must be one non-empty line"));
    }
    for (const std::string& e : c.extensions) {
        if (e.empty() || !ValidLine(e)) {
            return Fail(InvalidCheckpoint("each extension must be one non-empty line"));
        }
    }
    return {};
}

std::string FormatCheckpoint(const Checkpoint& c) {
    std::string out = c.origin + "\n" + std::to_string(c.size) + "\n" + HashToBase64(c.root) + "\n";
    for (const std::string& e : c.extensions) out += e + "\n";
    return out;
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
    if (text.size() > kMaxNoteBytes) return Fail(InvalidCheckpoint("the checkpoint is too large"));
    if (text.empty() || text.back() != '\n' || !ValidNoteBytes(text)) {
        return Fail(InvalidCheckpoint("a checkpoint is UTF-8 lines, each ending in \\n"));
    }
    std::vector<std::string_view> lines;
    for (std::string_view rest = text; !rest.empty();) {
        const std::size_t eol = rest.find('\n');
        lines.push_back(rest.substr(0, eol));
        rest.remove_prefix(eol + 1);
    }
    if (lines.size() < 3) return Fail(InvalidCheckpoint("a checkpoint has at least three lines"));

    Checkpoint c;
    c.origin = std::string(lines[0]);
    auto size = ParseTreeSize(lines[1]);
    if (!size) return Fail(std::move(size.error()));
    c.size = *size;
    auto root = HashFromBase64(lines[2]);
    if (!root) return Fail(InvalidCheckpoint("the root hash is not 32 bytes of base64"));
    c.root = *root;
    c.extensions.assign(lines.begin() + 3, lines.end());
    if (auto valid = ValidateCheckpoint(c); !valid) return Fail(valid.error());
    return c;
}

}  // namespace mamori::ledger
