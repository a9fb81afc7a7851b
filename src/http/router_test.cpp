#include "http/router.h"

#include <gtest/gtest.h>

namespace mamori::http {
namespace {

Handler Named(std::string name) {
    return [name](Request&) { return Response::Text(200, "text/plain", name); };
}

TEST(RouterTest, MatchesLiteralsBeforeParameters) {
    Router r;
    r.Add({Method::kGet, "/api/v1/units/{id}", "org.read", RunOn::kWorker, Named("get")});
    r.Add({Method::kGet, "/api/v1/units/tree", "org.read", RunOn::kWorker, Named("tree")});
    r.Add({Method::kPost, "/api/v1/units", "org.write", RunOn::kWorker, Named("create")});

    auto m = r.Find(Method::kGet, {"api", "v1", "units", "tree"});
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->pattern, "/api/v1/units/tree");

    m = r.Find(Method::kGet, {"api", "v1", "units", "u-1"});
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->pattern, "/api/v1/units/{id}");
    ASSERT_EQ(m.params.size(), 1u);
    EXPECT_EQ(m.params[0].first, "id");
    EXPECT_EQ(m.params[0].second, "u-1");
}

TEST(RouterTest, DistinguishesUnknownPathFromWrongMethod) {
    Router r;
    r.Add({Method::kPost, "/api/v1/units", "org.write", RunOn::kWorker, Named("create")});
    auto wrong_method = r.Find(Method::kDelete, {"api", "v1", "units"});
    EXPECT_EQ(wrong_method.route, nullptr);
    EXPECT_TRUE(wrong_method.path_known);
    auto unknown = r.Find(Method::kGet, {"api", "v1", "nothing"});
    EXPECT_EQ(unknown.route, nullptr);
    EXPECT_FALSE(unknown.path_known);
}

TEST(RouterTest, HeadUsesGetRoutes) {
    Router r;
    r.Add({Method::kGet, "/healthz", std::string(kPublic), RunOn::kIo, Named("h")});
    EXPECT_NE(r.Find(Method::kHead, {"healthz"}).route, nullptr);
}

TEST(RouterTest, ParametersNeverMatchEmptySegments) {
    Router r;
    r.Add({Method::kGet, "/a/{x}/b", "p", RunOn::kWorker, Named("x")});
    EXPECT_EQ(r.Find(Method::kGet, {"a", "", "b"}).route, nullptr);
    auto m = r.Find(Method::kGet, {"a", "8-2(6)", "b"});
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.params[0].second, "8-2(6)");
}

TEST(RouterTest, RejectsDuplicatesAndRoutesWithoutPermission) {
    Router r;
    r.Add({Method::kGet, "/x", "p", RunOn::kWorker, Named("x")});
    EXPECT_THROW(r.Add({Method::kGet, "/x", "p", RunOn::kWorker, Named("y")}), std::logic_error);
    EXPECT_THROW(r.Add({Method::kGet, "/y", "", RunOn::kWorker, Named("y")}), std::logic_error);
}

}  // namespace
}  // namespace mamori::http
