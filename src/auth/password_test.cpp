#include "auth/password.h"

#include <gtest/gtest.h>

namespace mamori::auth {
namespace {

TEST(PasswordTest, HashesWithArgon2idAndVerifies) {
    auto h = HashPassword("ひらかわ-Passw0rd");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->rfind("$argon2id$", 0), 0u);
    EXPECT_TRUE(VerifyPassword("ひらかわ-Passw0rd", *h));
    EXPECT_FALSE(VerifyPassword("ひらかわ-Passw0rD", *h));
    EXPECT_FALSE(VerifyPassword("", *h));
}

TEST(PasswordTest, SaltMakesEveryHashDifferent) {
    auto a = HashPassword("same");
    auto b = HashPassword("same");
    ASSERT_TRUE(a && b);
    EXPECT_NE(*a, *b);
}

TEST(PasswordTest, GarbageHashNeverVerifies) {
    EXPECT_FALSE(VerifyPassword("x", "not a hash"));
    EXPECT_FALSE(VerifyPassword("x", ""));
}

TEST(PasswordPolicyTest, DefaultsFollowTheCityRule) {
    PasswordPolicy p;
    EXPECT_TRUE(p.Check("Hirakawa-2026", "tanaka"));
    EXPECT_TRUE(p.Check("hirakawa2026!", "tanaka"));  // lower, digit, symbol
    EXPECT_FALSE(p.Check("Ab1!", "tanaka"));          // too short
    EXPECT_FALSE(p.Check("hirakawacity", "tanaka"));  // one class
    EXPECT_FALSE(p.Check("hirakawa2026", "tanaka"));  // two classes
    EXPECT_FALSE(p.Check("Tanaka-2026x", "tanaka"));  // contains the username
    auto e = p.Check("short", "x");
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().field, "new_password");
    EXPECT_NE(e.error().message.find("8 文字以上"), std::string::npos);
}

TEST(PasswordPolicyTest, JapaneseCountsAsSymbolsAndByCharacters) {
    PasswordPolicy p;
    EXPECT_TRUE(p.Check("ひらかわ市Pass1", "x"));
    EXPECT_FALSE(p.Check("ひらかわ市", "x"));  // five characters, though fifteen bytes
}

}  // namespace
}  // namespace mamori::auth
