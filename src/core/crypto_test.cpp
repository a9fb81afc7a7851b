#include "core/crypto.h"

#include <gtest/gtest.h>

#include <set>

namespace mamori::crypto {
namespace {

TEST(CryptoTest, Sha256KnownAnswer) {
    auto d = Sha256("abc");
    EXPECT_EQ(Hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size())),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CryptoTest, Base64UrlHasNoPaddingOrUnsafeCharacters) {
    EXPECT_EQ(Base64Url("\xfb\xff"), "-_8");
    EXPECT_EQ(Base64Url("f"), "Zg");
    EXPECT_EQ(Base64Url(""), "");
}

TEST(CryptoTest, RandomBytesDiffer) {
    EXPECT_EQ(RandomBytes(32).size(), 32u);
    EXPECT_NE(RandomBytes(32), RandomBytes(32));
}

TEST(CryptoTest, GeneratedPasswordsHaveAllFourClasses) {
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        std::string p = GeneratePassword(16);
        ASSERT_EQ(p.size(), 16u);
        bool upper = false, lower = false, digit = false, symbol = false;
        for (char c : p) {
            upper |= c >= 'A' && c <= 'Z';
            lower |= c >= 'a' && c <= 'z';
            digit |= c >= '0' && c <= '9';
            symbol |= !std::isalnum(static_cast<unsigned char>(c));
        }
        EXPECT_TRUE(upper && lower && digit && symbol) << p;
        seen.insert(p);
    }
    EXPECT_EQ(seen.size(), 50u);
}

}  // namespace
}  // namespace mamori::crypto
