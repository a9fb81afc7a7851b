#pragma once

// C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, in the key text formats of Go's
// golang.org/x/mod/sumdb/note, and C2SP transparency-log checkpoints (c2sp.org/tlog-checkpoint).
//
//   verifier key  <name>+<key id: 8 lower-case hex>+<base64(0x01 ‖ 32-byte public key)>
//   signer key    PRIVATE+KEY+<name>+<key id>+<base64(0x01 ‖ 32-byte Ed25519 seed)>
//   key id        first 4 bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)
//   signed note   <text ending in \n>\n— <name> <base64(key id ‖ 64-byte signature)>\n…

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "ledger/merkle.h"

namespace mamori::ledger {

/// Notes longer than this are refused by Open and Sign (room for 16 post-quantum signatures,
/// which C2SP says verifiers must accept, and far more than a checkpoint needs).
inline constexpr std::size_t kMaxNoteBytes = 256 * 1024;

/// Notes with more signature lines than this are refused by Open (C2SP: at least 16).
inline constexpr std::size_t kMaxNoteSignatures = 100;

/// True when `name` may name a key: non-empty UTF-8 with no '+' and no Unicode space or
/// control character.
bool ValidKeyName(std::string_view name);

/// The key id of an Ed25519 key: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public_key)[:4], big-endian.
std::uint32_t KeyId(std::string_view name, const std::array<std::uint8_t, 32>& public_key);

/// A public key that checks signatures of one name.
struct Verifier {
    std::string name;
    std::uint32_t key_id = 0;
    std::array<std::uint8_t, 32> public_key{};

    /// From `name+<hex id>+<base64(0x01 ‖ key)>`. Invalid input when malformed, when the
    /// algorithm is not Ed25519 (0x01) or when the id is not the key's.
    [[nodiscard]] static Result<Verifier> Parse(std::string_view text);

    /// The verifier key text; Parse(Format()) gives this verifier back.
    std::string Format() const;
};

/// A private key that signs as one name. Holds the secret seed, wiped when destroyed; never
/// log it.
struct Signer {
    std::string name;
    std::uint32_t key_id = 0;
    std::array<std::uint8_t, 32> seed{};        ///< RFC 8032 private key
    std::array<std::uint8_t, 32> public_key{};  ///< derived from the seed

    Signer() = default;
    Signer(const Signer&) = default;
    Signer(Signer&&) = default;
    Signer& operator=(const Signer&) = default;
    Signer& operator=(Signer&&) = default;
    ~Signer();

    /// From `PRIVATE+KEY+name+<hex id>+<base64(0x01 ‖ seed)>`. Invalid input when malformed
    /// or when the id is not that of the public key derived from the seed.
    [[nodiscard]] static Result<Signer> Parse(std::string_view text);

    /// The signer key text (secret: store it owner-only); Parse(Format()) gives it back.
    std::string Format() const;

    /// The matching verifier.
    Verifier verifier() const;
};

/// A new Ed25519 key pair named `name` from the system CSPRNG (libsodium). Invalid input if
/// the name is not ValidKeyName.
[[nodiscard]] Result<Signer> GenerateSigner(std::string name);

/// Signs `text`, which must end in '\n', be valid UTF-8 without control characters other
/// than '\n', and keep the note within kMaxNoteBytes. Returns the signed note:
/// text, "\n", "— <name> <base64(key id ‖ signature)>\n".
[[nodiscard]] Result<std::string> Sign(std::string_view text, const Signer& signer);

/// Checks a signed note against the known keys and returns its text (with its final '\n').
/// As C2SP requires: signatures whose (name, key id) matches no known key are ignored; a
/// signature from a known key that does not verify makes the whole note invalid
/// ("invalid_signature"); a note without any verified signature is refused ("unverified_note");
/// a note that is not well-formed is refused ("malformed_note"), as is one over kMaxNoteBytes
/// or with more than kMaxNoteSignatures signatures ("note_too_large", kTooLarge). Two known
/// keys with the same name and id are refused ("ambiguous_key"). Other errors are
/// kInvalidInput.
[[nodiscard]] Result<std::string> Open(std::string_view note, std::span<const Verifier> known);

/// A transparency-log checkpoint: the note text that a signed tree head carries.
struct Checkpoint {
    std::string origin;  ///< the log's identity; non-empty, one line
    std::uint64_t size = 0;
    Hash root{};
    std::vector<std::string> extensions;  ///< optional further lines, each non-empty

    friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

/// Invalid input unless the checkpoint can be written and read back: origin and extension
/// lines non-empty, valid UTF-8, without control characters.
[[nodiscard]] Result<void> ValidateCheckpoint(const Checkpoint& c);

/// "<origin>\n<decimal size>\n<base64 root>\n" followed by one line per extension.
/// REQUIRES: ValidateCheckpoint(c) (otherwise the text does not parse back to `c`).
std::string FormatCheckpoint(const Checkpoint& c);

/// Parses checkpoint text (the text Open returns) strictly: at least three lines, each ending
/// in '\n'; a non-empty origin; the size in decimal without sign or leading zeros; the root
/// exactly 32 bytes of canonical base64; non-empty extension lines.
[[nodiscard]] Result<Checkpoint> ParseCheckpoint(std::string_view text);

}  // namespace mamori::ledger
