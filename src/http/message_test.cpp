#include "http/message.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

namespace mamori::http {
namespace {

TEST(JsonTest, ParsesJapaneseText) {
    auto v = ParseJson(R"({"name":"情報政策課"})", 32);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->at("name").as_string(), "情報政策課");
}

TEST(JsonTest, NamesLineAndColumnOfTheProblem) {
    auto v = ParseJson("{\n  \"a\": 1,\n  \"b\": }", 32);
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error().code, "invalid_json");
    EXPECT_NE(v.error().message.find("行 3"), std::string::npos) << v.error().message;
}

TEST(JsonTest, RefusesTooDeepNesting) {
    std::string deep(40, '[');
    deep += std::string(40, ']');
    auto v = ParseJson(deep, 32);
    ASSERT_FALSE(v);
    EXPECT_NE(v.error().message.find("32"), std::string::npos) << v.error().message;
    EXPECT_TRUE(ParseJson(deep, 64));
}

TEST(JsonTest, RefusesInvalidUtf8AndTrailingGarbage) {
    EXPECT_FALSE(ParseJson("{\"a\":\"\xff\xfe\"}", 32));
    EXPECT_FALSE(ParseJson("{} {}", 32));
    EXPECT_FALSE(ParseJson("", 32));
}

TEST(JsonTest, BodyNeedsJsonContentType) {
    Request req;
    req.body = "{}";
    EXPECT_EQ(ParseJsonBody(req).error().code, "unsupported_media_type");
    req.headers.emplace_back("content-type", "application/json; charset=utf-8");
    EXPECT_TRUE(ParseJsonBody(req));
}

TEST(ErrorResponseTest, HasTheDocumentedShape) {
    auto r = ErrorResponse(Error::Invalid("too_long", "長すぎます", "display_name"), "req-1");
    EXPECT_EQ(r.status, 400);
    auto v = boost::json::parse(r.body);
    EXPECT_EQ(v.at("error").at("code").as_string(), "too_long");
    EXPECT_EQ(v.at("error").at("details").at("field").as_string(), "display_name");
    EXPECT_EQ(v.at("error").at("request_id").as_string(), "req-1");
}

TEST(ErrorResponseTest, InternalErrorsHideTheirMessage) {
    auto r = ErrorResponse(Error::Internal("SQL said secret things"), "req-2");
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(r.body.find("secret"), std::string::npos);
}

TEST(ErrorResponseTest, StatusPerKind) {
    EXPECT_EQ(StatusFor(ErrorKind::kRuleViolation), 422);
    EXPECT_EQ(StatusFor(ErrorKind::kLocked), 423);
    EXPECT_EQ(StatusFor(ErrorKind::kRateLimited), 429);
    EXPECT_EQ(StatusFor(ErrorKind::kUnavailable), 503);
}

}  // namespace
}  // namespace mamori::http

namespace mamori::http {
namespace {

TEST(DownloadTest, NamesTheFileInAnyTextAndKeepsItOutOfSharedCaches) {
    auto r = Response::Download("application/pdf", "%PDF-", "手順書 \"v2\".pdf");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "application/pdf");
    std::map<std::string, std::string> h(r.headers.begin(), r.headers.end());
    EXPECT_EQ(h["Content-Disposition"],
              "attachment; filename=\"_________ _v2_.pdf\"; "
              "filename*=UTF-8''%E6%89%8B%E9%A0%86%E6%9B%B8%20%22v2%22.pdf");
    EXPECT_EQ(h["Cache-Control"], "private, no-store");
}

}  // namespace
}  // namespace mamori::http
