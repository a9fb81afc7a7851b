#include "org/org_routes.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>

#include "store/migrate.h"
#include "store/sqlite/sqlite_database.h"

namespace mamori::org {
namespace {

namespace json = boost::json;

class OrgRoutesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        file_ = std::filesystem::temp_directory_path() /
                ("mamori-org-routes-" + std::to_string(getpid()) + ".db");
        std::filesystem::remove(file_);
        auto db = store::OpenSqlite({file_, 2, 5000});
        ASSERT_TRUE(db) << db.error().message;
        db_ = std::move(*db);
        ASSERT_TRUE(store::Migrate(*db_, store::BuiltinMigrations()));
        service_ = std::make_unique<OrgService>(*db_, clock_, RoleCatalog::Builtin(),
                                                auth::PasswordPolicy{});
        AddOrgRoutes(router_, *service_);
        admin_ = std::make_shared<Principal>();
        admin_->username = "admin";
        admin_->platform_admin = true;
        admin_->permissions = {"accounts.manage", "org.manage", "org.read"};
    }
    void TearDown() override {
        service_.reset();
        db_->Close();
        std::filesystem::remove(file_);
    }

    http::Response Call(http::Method m, const std::string& path, const std::string& body = "",
                        const std::string& type = "application/json") {
        http::Request req;
        req.method = m;
        req.path = path;
        auto q = path.find('?');
        std::string p = path.substr(0, q);
        if (q != std::string::npos) {
            std::string query = path.substr(q + 1);
            auto eq = query.find('=');
            req.query.emplace_back(query.substr(0, eq), query.substr(eq + 1));
        }
        req.segments = http::SplitPattern(p);
        req.body = body;
        req.headers.emplace_back("content-type", type);
        req.request_id = "t-1";
        req.principal = admin_;
        auto match = router_.Find(m, req.segments);
        EXPECT_NE(match.route, nullptr) << path;
        if (!match.route) return {};
        req.path_params = match.params;
        return match.route->handler(req);
    }

    FixedClock clock_{std::chrono::system_clock::from_time_t(1795748400)};  // 2026-11-27
    std::filesystem::path file_;
    std::unique_ptr<store::Database> db_;
    std::unique_ptr<OrgService> service_;
    http::Router router_;
    std::shared_ptr<Principal> admin_;
};

TEST_F(OrgRoutesTest, EveryRouteNamesItsPermission) {
    for (const auto& r : router_.routes()) {
        EXPECT_FALSE(r.permission.empty()) << r.pattern;
        EXPECT_NE(r.permission, "public") << r.pattern;
        EXPECT_EQ(r.run_on, http::RunOn::kWorker) << r.pattern;
    }
}

TEST_F(OrgRoutesTest, CreateAndGetUnit) {
    auto made =
        Call(http::Method::kPost, "/api/v1/units", R"({"name":"総務部","kind":"department"})");
    ASSERT_EQ(made.status, 201) << made.body;
    auto id = std::string(json::parse(made.body).at("id").as_string());
    auto got = Call(http::Method::kGet, "/api/v1/units/" + id);
    EXPECT_EQ(got.status, 200);
    EXPECT_EQ(json::parse(got.body).at("name").as_string(), "総務部");
    auto list = Call(http::Method::kGet, "/api/v1/units");
    EXPECT_EQ(json::parse(list.body).at("items").as_array().size(), 1u);
}

TEST_F(OrgRoutesTest, UnknownFieldAndBadLimitAreRefused) {
    auto r = Call(http::Method::kPost, "/api/v1/units",
                  R"({"name":"総務部","kind":"department","colour":"red"})");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(json::parse(r.body).at("error").at("details").at("field").as_string(), "colour");
    auto limit = Call(http::Method::kGet, "/api/v1/people?limit=500");
    EXPECT_EQ(limit.status, 400);
    auto bad_kind = Call(http::Method::kPost, "/api/v1/units", R"({"name":"x","kind":"x"})");
    EXPECT_EQ(bad_kind.status, 400);
}

TEST_F(OrgRoutesTest, ImportListsEveryBadRow) {
    ASSERT_EQ(Call(http::Method::kPost, "/api/v1/units", R"({"name":"総務部","kind":"department"})")
                  .status,
              201);
    auto r = Call(http::Method::kPost, "/api/v1/people/import?dry_run=false",
                  "username,display_name,unit,password\nok.user,甲,総務部,Sakura-2026!\n"
                  "B,乙,無い部,Sakura-2026!\n",
                  "text/csv");
    ASSERT_EQ(r.status, 400) << r.body;
    auto err = json::parse(r.body).at("error");
    EXPECT_EQ(err.at("code").as_string(), "invalid_csv_rows");
    EXPECT_EQ(err.at("request_id").as_string(), "t-1");
    auto rows = err.at("details").at("rows").as_array();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("row").as_int64(), 3);
    auto people = Call(http::Method::kGet, "/api/v1/people");
    EXPECT_TRUE(json::parse(people.body).at("items").as_array().empty());
}

TEST_F(OrgRoutesTest, RolesFromTheCatalog) {
    auto r = Call(http::Method::kGet, "/api/v1/roles");
    ASSERT_EQ(r.status, 200);
    auto v = json::parse(r.body);
    EXPECT_EQ(v.at("items").as_array().size(), RoleCatalog::Builtin().roles().size());
    EXPECT_FALSE(v.at("incompatible_roles").as_array().empty());
}

}  // namespace
}  // namespace mamori::org
