#include "ledger/note.h"

#include <gtest/gtest.h>

#include <string>

#include "ledger/encoding.h"

namespace mamori::ledger {
namespace {

/// Keys in their text forms and a note they sign. Ed25519 signatures are deterministic, so
/// Sign must reproduce `signature` byte for byte.
struct SignedVector {
    std::string_view signer;
    std::string_view verifier;
    std::uint32_t key_id;
    std::string_view text;
    std::string_view signature;  ///< the signature line
};

// The example of golang.org/x/mod/sumdb/note (its package documentation), as Go produces it.
constexpr SignedVector kGo = {
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    0xc74f20a3,
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n",
    "— PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
};
// Another signature of the Go example's text, by a key the tests never know.
constexpr std::string_view kGoSecondSignature =
    "— EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
    "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

// Computed independently with Python (hashlib, and the cryptography package for Ed25519)
// from the seed 00 01 02 … 1f: a checkpoint of the Certificate Transparency test tree at 5.
constexpr std::string_view kName = "mamori.example/ledger";
constexpr std::string_view kRoot5 = "Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=";
constexpr SignedVector kPython = {
    "PRIVATE+KEY+mamori.example/ledger+991e14c1+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f",
    "mamori.example/ledger+991e14c1+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4",
    0x991e14c1,
    "mamori.example/ledger\n5\nTju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=\n",
    "— mamori.example/ledger "
    "mR4UwRma/"
    "Y652X2XgICZkrdUIXU9hypDx2gHE8LFX1S8NIqycGQdRAhWOxvWkH6QXKBAUQJOJvqdhYAzZCG5tIr62go=\n",
};
std::string Note(std::string_view text, std::string_view signatures) {
    return std::string(text) + "\n" + std::string(signatures);
}

Verifier MustVerifier(std::string_view text) {
    auto v = Verifier::Parse(text);
    EXPECT_TRUE(v.has_value()) << text << ": " << (v ? "" : v.error().message);
    return v.value_or(Verifier{});
}

std::string ErrorCode(const Result<std::string>& r) { return r ? "ok" : r.error().code; }

TEST(KeyTest, KeyIdIsTheFirstFourBytesOfSha256OfNameNewlineTypeKey) {
    // Python: hashlib.sha256(b"mamori.example/ledger\n\x01" + bytes(range(32))).digest()[:4]
    std::array<std::uint8_t, 32> key;
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i);
    EXPECT_EQ(KeyId(kName, key), 0xfd0000b6u);
}

TEST(KeyTest, KnownKeysSignAsTheirReferenceImplementationsDo) {
    for (const SignedVector& vector : {kGo, kPython}) {
        auto signer = Signer::Parse(vector.signer);
        ASSERT_TRUE(signer.has_value()) << vector.signer << ": " << signer.error().message;
        EXPECT_EQ(signer->key_id, vector.key_id);
        EXPECT_EQ(signer->Format(), vector.signer);
        EXPECT_EQ(signer->verifier().Format(), vector.verifier);
        const Verifier verifier = MustVerifier(vector.verifier);
        EXPECT_EQ(verifier.key_id, vector.key_id);
        EXPECT_EQ(verifier.public_key, signer->public_key);

        auto note = Sign(vector.text, *signer);
        ASSERT_TRUE(note.has_value());
        EXPECT_EQ(*note, Note(vector.text, vector.signature));
        auto opened = Open(*note, std::span(&verifier, 1));
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        EXPECT_EQ(*opened, vector.text);
    }
}

TEST(KeyTest, TheCheckpointOfTheIndependentVector) {
    auto root = HashFromBase64(kRoot5);
    ASSERT_TRUE(root.has_value());
    EXPECT_EQ(FormatCheckpoint({std::string(kName), 5, *root, {}}), kPython.text);
}

TEST(KeyTest, GeneratedKeysRoundTripThroughTheirTexts) {
    auto a = GenerateSigner(std::string(kName));
    auto b = GenerateSigner(std::string(kName));
    ASSERT_TRUE(a.has_value());
    ASSERT_TRUE(b.has_value());
    EXPECT_NE(a->seed, b->seed);
    EXPECT_EQ(a->key_id, KeyId(kName, a->public_key));

    auto a_again = Signer::Parse(a->Format());
    ASSERT_TRUE(a_again.has_value());
    EXPECT_EQ(a_again->seed, a->seed);
    EXPECT_EQ(a_again->public_key, a->public_key);
    EXPECT_EQ(a_again->key_id, a->key_id);
    EXPECT_EQ(a_again->name, a->name);
    const Verifier v = MustVerifier(a->verifier().Format());
    EXPECT_EQ(v.public_key, a->public_key);
    EXPECT_EQ(v.Format(), a->verifier().Format());
    EXPECT_TRUE(a->verifier().Format().starts_with(std::string(kName) + "+"));
    EXPECT_TRUE(a->Format().starts_with("PRIVATE+KEY+" + std::string(kName) + "+"));

    EXPECT_FALSE(GenerateSigner("").has_value());
    EXPECT_FALSE(GenerateSigner("has space").has_value());
    EXPECT_FALSE(GenerateSigner("has+plus").has_value());
}

TEST(KeyTest, KeyNames) {
    EXPECT_TRUE(ValidKeyName("example.com/log42"));
    EXPECT_TRUE(ValidKeyName("平川市/監査ログ"));
    EXPECT_FALSE(ValidKeyName(""));
    EXPECT_FALSE(ValidKeyName("a b"));
    EXPECT_FALSE(ValidKeyName("a+b"));
    EXPECT_FALSE(ValidKeyName("a\tb"));
    EXPECT_FALSE(ValidKeyName("a\nb"));
    EXPECT_FALSE(
        ValidKeyName("a\xC2\xA0"
                     "b"));  // no-break space
    EXPECT_FALSE(
        ValidKeyName("a\xE3\x80\x80"
                     "b"));  // ideographic space
    EXPECT_FALSE(
        ValidKeyName("a\xFF"
                     "b"));  // not UTF-8
}

TEST(KeyTest, MalformedKeyTextsAreRefused) {
    for (std::string_view text : {
             "",
             "PeterNeumann",
             "PeterNeumann+c74f20a3",
             "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
             "PeterNeumann+c74f20a33+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
             "PeterNeumann+c74f20g3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
             "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // wrong id
             "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",   // bad base64
             "PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  // type 0x02
             "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10Q=",  // 31 bytes
             "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
         }) {
        auto v = Verifier::Parse(text);
        ASSERT_FALSE(v.has_value()) << text;
        EXPECT_EQ(v.error().code, "invalid_key") << text;
    }
    EXPECT_FALSE(Signer::Parse(kGo.verifier).has_value());
    EXPECT_FALSE(Signer::Parse("PRIVATE+KEY+" + std::string(kGo.verifier)).has_value());
    EXPECT_FALSE(
        Signer::Parse(
            "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")
            .has_value());
    EXPECT_FALSE(
        Signer::Parse("PRIVATE+KEY+Peter+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")
            .has_value());
}

class OpenTest : public ::testing::Test {
  protected:
    OpenTest()
        : signer_(GenerateSigner(std::string(kName)).value()),
          other_(GenerateSigner("other.example/key").value()),
          verifier_(signer_.verifier()),
          text_(kPython.text),
          note_(Sign(text_, signer_).value()) {}

    Result<std::string> OpenWithMine(std::string_view note) {
        return Open(note, std::span(&verifier_, 1));
    }

    Signer signer_;
    Signer other_;
    Verifier verifier_;
    std::string text_;
    std::string note_;
};

TEST_F(OpenTest, RoundTrip) {
    auto opened = OpenWithMine(note_);
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    EXPECT_EQ(*opened, text_);
}

TEST_F(OpenTest, TextWithBlankLinesIsSeparatedAtTheLastBlankLine) {
    const std::string text = "first\n\nthird\n\n";
    auto note = Sign(text, signer_);
    ASSERT_TRUE(note.has_value());
    auto opened = OpenWithMine(*note);
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    EXPECT_EQ(*opened, text);
}

TEST_F(OpenTest, WrongKeyIsUnknownSoTheNoteIsUnverified) {
    const Verifier theirs = other_.verifier();
    EXPECT_EQ(ErrorCode(Open(note_, std::span(&theirs, 1))), "unverified_note");
    EXPECT_EQ(ErrorCode(Open(note_, {})), "unverified_note");
    // Same name, another key: a different key id, so also unknown.
    auto same_name = GenerateSigner(std::string(kName));
    ASSERT_TRUE(same_name.has_value());
    const Verifier impostor = same_name->verifier();
    EXPECT_EQ(ErrorCode(Open(note_, std::span(&impostor, 1))), "unverified_note");
}

TEST_F(OpenTest, AKnownNameAndIdWithAnotherKeyIsAnInvalidSignature) {
    Verifier wrong = verifier_;
    wrong.public_key = other_.public_key;
    EXPECT_EQ(ErrorCode(Open(note_, std::span(&wrong, 1))), "invalid_signature");
}

TEST_F(OpenTest, WrongKeyIdInTheSignatureIsIgnored) {
    // Rewrite the key id inside the signature: the signature now names an unknown key.
    const std::size_t line = note_.rfind("— ");
    const std::string b64 = note_.substr(line + std::string("— ").size() + kName.size() + 1);
    auto raw = Base64Decode(b64.substr(0, b64.size() - 1));
    ASSERT_TRUE(raw.has_value());
    (*raw)[0] ^= 0x01;
    const std::string bytes = *raw;
    const std::string tampered =
        note_.substr(0, line) + "— " + std::string(kName) + " " +
        Base64Encode(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size())) +
        "\n";
    EXPECT_EQ(ErrorCode(OpenWithMine(tampered)), "unverified_note");
}

TEST_F(OpenTest, ModifiedTextOrSignatureFails) {
    std::string changed = note_;
    changed[text_.find('5')] = '6';
    EXPECT_EQ(ErrorCode(OpenWithMine(changed)), "invalid_signature");

    std::string flipped = note_;
    const std::size_t last = flipped.size() - 5;  // inside the base64 of the signature
    flipped[last] = flipped[last] == 'A' ? 'B' : 'A';
    const auto code = ErrorCode(OpenWithMine(flipped));
    EXPECT_TRUE(code == "invalid_signature" || code == "malformed_note") << code;
}

TEST_F(OpenTest, SignaturesFromUnknownKeysAreIgnored) {
    auto theirs = Sign(text_, other_);
    ASSERT_TRUE(theirs.has_value());
    const std::string their_line = theirs->substr(text_.size() + 1);
    // Unknown name and id, the Go example's unrelated signature, and our name with a
    // foreign key id: all ignored, before and after ours.
    const std::string note = Note(text_, their_line + std::string(kGoSecondSignature) +
                                             note_.substr(text_.size() + 1) + their_line);
    auto opened = OpenWithMine(note);
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    EXPECT_EQ(*opened, text_);

    // Either of two signers is enough for someone who knows only one.
    const Verifier both[] = {verifier_, other_.verifier()};
    EXPECT_TRUE(Open(note, both).has_value());
    const Verifier only_theirs = other_.verifier();
    EXPECT_TRUE(Open(note, std::span(&only_theirs, 1)).has_value());
}

TEST_F(OpenTest, AmbiguousKnownKeysAreRefused) {
    const Verifier twice[] = {verifier_, verifier_};
    EXPECT_EQ(ErrorCode(Open(note_, twice)), "ambiguous_key");
}

TEST_F(OpenTest, MalformedNotesAreRefused) {
    const std::string sig = note_.substr(text_.size() + 1);
    const std::string bare_sig = sig.substr(std::string("— ").size());
    for (const std::string& bad : std::vector<std::string>{
             std::string(),
             text_,                                            // no signatures
             text_ + "\n",                                     // blank line, no signature lines
             text_ + sig,                                      // no blank line
             text_ + "\n" + sig.substr(0, sig.size() - 1),     // no final newline
             text_ + "\n" + bare_sig,                          // no em dash
             text_ + "\n- " + bare_sig,                        // hyphen, not em dash
             text_ + "\n—  " + bare_sig,                       // empty key name
             text_ + "\n— " + std::string(kName) + "\n",       // no signature
             text_ + "\n— " + std::string(kName) + " AAAA\n",  // signature too short
             text_ + "\n— " + std::string(kName) + " !!!!\n",  // not base64
             text_ + "\n" + sig + "junk\n",                    // a line that is not a signature
             "a\tb\n\n" + sig,                                 // control character
             "a\rb\n\n" + sig,
             "a\xFF\n\n" + sig,  // not UTF-8
         }) {
        EXPECT_EQ(ErrorCode(OpenWithMine(bad)), "malformed_note") << bad;
    }
    // A blank line among the signatures makes the earlier ones part of the text, which then
    // no longer matches the last signature.
    EXPECT_EQ(ErrorCode(OpenWithMine(text_ + "\n" + sig + "\n" + sig)), "invalid_signature");
}

TEST_F(OpenTest, LimitsBoundTheInput) {
    std::string many = note_;
    auto theirs = Sign(text_, other_);
    ASSERT_TRUE(theirs.has_value());
    const std::string their_line = theirs->substr(text_.size() + 1);
    for (std::size_t i = 0; i < kMaxNoteSignatures; ++i) many += their_line;
    EXPECT_EQ(ErrorCode(OpenWithMine(many)), "note_too_large");

    std::string sixteen = note_;
    for (int i = 0; i < 15; ++i) sixteen += their_line;
    EXPECT_TRUE(OpenWithMine(sixteen).has_value());

    const std::string big(kMaxNoteBytes, 'x');
    EXPECT_EQ(ErrorCode(OpenWithMine(big + "\n\n" + note_.substr(text_.size() + 1))),
              "note_too_large");
    EXPECT_EQ(ErrorCode(Sign(big + "\n", signer_)), "note_too_large");
}

TEST_F(OpenTest, SignRefusesBadTextAndInconsistentSigners) {
    EXPECT_EQ(ErrorCode(Sign("no newline", signer_)), "malformed_note");
    EXPECT_EQ(ErrorCode(Sign("", signer_)), "malformed_note");
    EXPECT_EQ(ErrorCode(Sign("tab\there\n", signer_)), "malformed_note");
    EXPECT_EQ(ErrorCode(Sign("bad \xC3\n", signer_)), "malformed_note");
    Signer renamed = signer_;
    renamed.name = "other.example/key";  // the key id no longer matches
    EXPECT_EQ(ErrorCode(Sign(text_, renamed)), "invalid_key");
    Signer spaced = signer_;
    spaced.name = "a b";
    EXPECT_EQ(ErrorCode(Sign(text_, spaced)), "invalid_key");
    Signer swapped = signer_;
    swapped.seed = other_.seed;
    EXPECT_EQ(ErrorCode(Sign(text_, swapped)), "invalid_key");
}

TEST(CheckpointTest, FormatParseRoundTrip) {
    Checkpoint c{"example.com/behind-the-sofa", 20852163, {}, {}};
    auto root = HashFromBase64("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
    ASSERT_TRUE(root.has_value());
    c.root = *root;
    const std::string text = FormatCheckpoint(c);
    EXPECT_EQ(text,
              "example.com/behind-the-sofa\n20852163\n"
              "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
    auto parsed = ParseCheckpoint(text);
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    EXPECT_EQ(*parsed, c);

    c.extensions = {"extension one", "— two"};
    c.size = 0;
    auto with_extensions = ParseCheckpoint(FormatCheckpoint(c));
    ASSERT_TRUE(with_extensions.has_value());
    EXPECT_EQ(*with_extensions, c);

    c.size = ~std::uint64_t{0};
    auto largest = ParseCheckpoint(FormatCheckpoint(c));
    ASSERT_TRUE(largest.has_value());
    EXPECT_EQ(largest->size, 18446744073709551615u);
}

TEST(CheckpointTest, SignedCheckpointOpensAndParses) {
    auto signer = GenerateSigner("mamori.example/hirakawa");
    ASSERT_TRUE(signer.has_value());
    const Checkpoint c{"mamori.example/hirakawa", 1000, LeafHash("x"), {}};
    ASSERT_TRUE(ValidateCheckpoint(c).has_value());
    auto note = Sign(FormatCheckpoint(c), *signer);
    ASSERT_TRUE(note.has_value());
    const Verifier v = signer->verifier();
    auto text = Open(*note, std::span(&v, 1));
    ASSERT_TRUE(text.has_value());
    auto parsed = ParseCheckpoint(*text);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, c);
}

TEST(CheckpointTest, StrictParsingRejects) {
    const std::string root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
    for (const std::string& bad : std::vector<std::string>{
             std::string(),
             "origin\n5\n" + root,          // no final newline
             "origin\n5\n",                 // two lines
             "\n5\n" + root + "\n",         // empty origin
             "origin\n05\n" + root + "\n",  // leading zero
             "origin\n00\n" + root + "\n",
             "origin\n+5\n" + root + "\n",
             "origin\n-5\n" + root + "\n",
             "origin\n 5\n" + root + "\n",
             "origin\n5 \n" + root + "\n",
             "origin\n\n" + root + "\n",
             "origin\n0x5\n" + root + "\n",
             "origin\n18446744073709551616\n" + root + "\n",               // 2^64
             "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxqw==\n",  // 31 bytes
             "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",   // no padding
             "origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",  // unused bits set
             "origin\n5\n" + root + "\n\n",                                // empty extension line
             "origin\n5\n" + root + "\next\n\n",
             "ori\tgin\n5\n" + root + "\n",  // control character
             "origin\r\n5\n" + root + "\n",
         }) {
        auto parsed = ParseCheckpoint(bad);
        EXPECT_FALSE(parsed.has_value()) << bad;
    }
    EXPECT_FALSE(ValidateCheckpoint({"", 1, {}, {}}).has_value());
    EXPECT_FALSE(ValidateCheckpoint({"two\nlines", 1, {}, {}}).has_value());
    EXPECT_FALSE(ValidateCheckpoint({"origin", 1, {}, {""}}).has_value());
    EXPECT_TRUE(ValidateCheckpoint({"origin", 1, {}, {"ext"}}).has_value());
}

TEST(EncodingTest, Base64IsStandardAndStrict) {
    const std::string f = "f";
    const auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(f.data()), f.size());
    EXPECT_EQ(Base64Encode(bytes), "Zg==");
    EXPECT_EQ(Base64Encode({}), "");
    EXPECT_EQ(Base64Decode("Zg==").value_or("?"), "f");
    EXPECT_EQ(Base64Decode("").value_or("?"), "");
    EXPECT_EQ(Base64Decode("+/+/").value_or("?"), "\xfb\xff\xbf");
    for (std::string_view bad :
         {"Zg", "Zh==", "Zg=", "Z===", "Zg==Zg==", "Zg =", "-_8=", "Zg==\n"}) {
        EXPECT_FALSE(Base64Decode(bad).has_value()) << bad;
    }
}

}  // namespace
}  // namespace mamori::ledger
