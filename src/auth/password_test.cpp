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

}  // namespace
}  // namespace mamori::auth
