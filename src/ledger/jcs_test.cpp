#include "ledger/jcs.h"

#include <gtest/gtest.h>

#include <bit>
#include <boost/json.hpp>
#include <cstdint>
#include <limits>
#include <string>

namespace mamori::ledger {
namespace {

namespace json = boost::json;

std::string Canon(const json::value& v) {
    auto r = Canonicalize(v);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r.value_or("<error>");
}

// RFC 8785 §3.2.2's example, built in C++ (the compiler reads the decimal literals exactly;
// Boost.JSON 1.81's parser may be one unit in the last place off).
TEST(JcsTest, Rfc8785SerializationExample) {
    const json::value v = {
        {"numbers", {333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001}},
        {"string", "\u20ac$\x0f\nA'B\"\\\\\"/"},
        {"literals", {nullptr, true, false}},
    };
    EXPECT_EQ(Canon(v),
              "{\"literals\":[null,true,false],"
              "\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
              "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

// RFC 8785 §3.2.3: names sort by UTF-16 code units, so U+1F600 (D83D DE00) comes before
// U+FB33.
TEST(JcsTest, Rfc8785SortingExample) {
    const json::value v = {
        {"\u20ac", "Euro Sign"},
        {"\r", "Carriage Return"},
        {"\ufb33", "Hebrew Letter Dalet With Dagesh"},
        {"1", "One"},
        {"\U0001F600", "Emoji: Grinning Face"},
        {"\u0080", "Control"},
        {"\u00f6", "Latin Small Letter O With Diaeresis"},
    };
    EXPECT_EQ(Canon(v),
              "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
              "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
              "\"\U0001F600\":\"Emoji: Grinning Face\","
              "\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");
}

TEST(JcsTest, NestedStructuresAndParsedInput) {
    EXPECT_EQ(Canon(json::parse(R"([56, {"d": true, "10": null, "1": [ ]}])")),
              R"([56,{"1":[],"10":null,"d":true}])");
    EXPECT_EQ(Canon(json::parse(R"({
        "peach": "This sorting order",
        "péché": "is wrong according to French",
        "pêche": "but canonicalization MUST",
        "sin":   "ignore locale"})")),
              R"({"peach":"This sorting order","péché":"is wrong according to French",)"
              R"("pêche":"but canonicalization MUST","sin":"ignore locale"})");
    EXPECT_EQ(Canon(json::parse(R"({"b":{"z":1,"a":[{"y":2,"x":3}]},"a":{}})")),
              R"({"a":{},"b":{"a":[{"x":3,"y":2}],"z":1}})");
    EXPECT_EQ(Canon(json::object{}), "{}");
    EXPECT_EQ(Canon(json::array{}), "[]");
    EXPECT_EQ(Canon(""), "\"\"");
}

// RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript serialisation.
TEST(JcsTest, Rfc8785NumberVectors) {
    const std::pair<std::uint64_t, const char*> vectors[] = {
        {0x0000000000000000, "0"},
        {0x8000000000000000, "0"},
        {0x0000000000000001, "5e-324"},
        {0x8000000000000001, "-5e-324"},
        {0x7fefffffffffffff, "1.7976931348623157e+308"},
        {0xffefffffffffffff, "-1.7976931348623157e+308"},
        {0x4340000000000000, "9007199254740992"},
        {0xc340000000000000, "-9007199254740992"},
        {0x4430000000000000, "295147905179352830000"},
        {0x44b52d02c7e14af5, "9.999999999999997e+22"},
        {0x44b52d02c7e14af6, "1e+23"},
        {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
        {0x444b1ae4d6e2ef4e, "999999999999999700000"},
        {0x444b1ae4d6e2ef4f, "999999999999999900000"},
        {0x444b1ae4d6e2ef50, "1e+21"},
        {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
        {0x3eb0c6f7a0b5ed8d, "0.000001"},
        {0x41b3de4355555553, "333333333.3333332"},
        {0x41b3de4355555554, "333333333.33333325"},
        {0x41b3de4355555555, "333333333.3333333"},
        {0x41b3de4355555556, "333333333.3333334"},
        {0x41b3de4355555557, "333333333.33333343"},
        {0xbecbf647612f3696, "-0.0000033333333333333333"},
        {0x43143ff3c1cb0959, "1424953923781206.2"},
    };
    for (const auto& [bits, expected] : vectors) {
        EXPECT_EQ(Canon(std::bit_cast<double>(bits)), expected) << std::hex << bits;
    }
    // The boundaries of the plain form, and ordinary values.
    EXPECT_EQ(Canon(1e20), "100000000000000000000");
    EXPECT_EQ(Canon(1e21), "1e+21");
    EXPECT_EQ(Canon(1.5e21), "1.5e+21");
    EXPECT_EQ(Canon(0.000001), "0.000001");
    EXPECT_EQ(Canon(0.0000015), "0.0000015");
    EXPECT_EQ(Canon(1e-7), "1e-7");
    EXPECT_EQ(Canon(1.25e-7), "1.25e-7");
    EXPECT_EQ(Canon(-1.5), "-1.5");
    EXPECT_EQ(Canon(100.0), "100");
    EXPECT_EQ(Canon(123.456), "123.456");
    EXPECT_EQ(Canon(0.1), "0.1");
}

TEST(JcsTest, IntegersAreExactDecimal) {
    EXPECT_EQ(Canon(0), "0");
    EXPECT_EQ(Canon(-7), "-7");
    EXPECT_EQ(Canon(std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
    EXPECT_EQ(Canon(std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
}

TEST(JcsTest, StringsEscapeLikeJsonStringify) {
    std::string controls;
    for (int c = 0; c < 0x20; ++c) controls += static_cast<char>(c);
    EXPECT_EQ(Canon(json::string(controls)),
              "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r"
              "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018"
              "\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"");
    // DEL, the line and paragraph separators, '/', and non-ASCII stay literal.
    EXPECT_EQ(Canon("\x7f\u2028\u2029/平川市\U0001F600"), "\"\x7f\u2028\u2029/平川市\U0001F600\"");
    EXPECT_EQ(Canon("\"\\"), R"("\"\\")");
}

TEST(JcsTest, RefusesWhatHasNoCanonicalForm) {
    const json::value refused[] = {
        std::numeric_limits<double>::quiet_NaN(),
        std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity(),
        json::value{"bad \xff utf-8"},
        json::value{"\xed\xa0\x80"},  // a surrogate encoded in UTF-8
        json::object{{"bad \xc3 name", 1}},
        json::array{1, json::object{{"x", std::numeric_limits<double>::quiet_NaN()}}},
    };
    for (const auto& v : refused) {
        auto r = Canonicalize(v);
        ASSERT_FALSE(r.has_value()) << json::serialize(v);
        EXPECT_EQ(r.error().code, "not_canonicalizable");
        EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
    }
}

TEST(JcsTest, DepthIsBounded) {
    json::value deep = 1;
    for (int i = 0; i < kMaxJcsDepth; ++i) deep = json::array{deep};
    EXPECT_TRUE(Canonicalize(deep).has_value());
    deep = json::array{deep};
    EXPECT_FALSE(Canonicalize(deep).has_value());
}

}  // namespace
}  // namespace mamori::ledger
