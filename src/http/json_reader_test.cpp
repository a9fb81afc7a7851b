#include "http/json_reader.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace mamori::http {
namespace {

JsonReader Read(const char* json) { return JsonReader(boost::json::parse(json).as_object()); }

TEST(JsonReaderTest, ReadsKnownFields) {
    auto r = Read(R"({"name":"情報政策課","kind":"section","starts_on":"2026-04-01","n":3})");
    EXPECT_EQ(r.RequiredString("name", 5), "情報政策課");  // five characters, 15 bytes
    EXPECT_EQ(r.RequiredChoice("kind", {"department", "section", "team"}), "section");
    EXPECT_EQ(r.OptionalDate("starts_on"), "2026-04-01");
    EXPECT_EQ(r.OptionalInt("n", 0, 10), 3);
    EXPECT_EQ(r.OptionalString("absent"), std::nullopt);
    EXPECT_TRUE(r.Finish());
}

TEST(JsonReaderTest, UnknownFieldIsNamed) {
    auto r = Read(R"({"name":"a","is_admin":true})");
    r.RequiredString("name");
    auto f = r.Finish();
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().code, "unknown_field");
    EXPECT_EQ(f.error().field, "is_admin");
}

TEST(JsonReaderTest, FirstProblemNamesItsField) {
    auto cases = {
        std::make_pair(R"({"name":""})", "missing_field"),
        std::make_pair(R"({"name":"　 "})", "missing_field"),
        std::make_pair(R"({"name":123})", "invalid_field"),
        std::make_pair(R"({"name":"a\u0007b"})", "invalid_field"),
        std::make_pair(R"({"name":"ああああああ"})", "too_long"),
        std::make_pair(R"({})", "missing_field"),
    };
    for (const auto& [json, code] : cases) {
        auto r = Read(json);
        r.RequiredString("name", 5);
        auto f = r.Finish();
        ASSERT_FALSE(f) << json;
        EXPECT_EQ(f.error().code, code) << json;
        EXPECT_EQ(f.error().field, "name") << json;
    }
}

TEST(JsonReaderTest, Dates) {
    EXPECT_TRUE(IsValidDate("2028-02-29"));
    EXPECT_FALSE(IsValidDate("2026-02-29"));
    EXPECT_FALSE(IsValidDate("2026-13-01"));
    EXPECT_FALSE(IsValidDate("2026-4-1"));
    EXPECT_FALSE(IsValidDate("令和8年4月1日"));
    auto r = Read(R"({"d":"2026-02-30"})");
    r.OptionalDate("d");
    EXPECT_EQ(r.Finish().error().field, "d");
}

TEST(JsonReaderTest, ChoicesAndInts) {
    auto r = Read(R"({"kind":"division","n":99})");
    r.RequiredChoice("kind", {"department", "section"});
    r.OptionalInt("n", 0, 10);
    auto f = r.Finish();
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().field, "kind");
}

}  // namespace
}  // namespace mamori::http
