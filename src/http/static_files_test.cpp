#include "http/static_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace mamori::http {
namespace {

class StaticFilesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        root_ = std::filesystem::temp_directory_path() / ("mamori-web-" + std::to_string(getpid()));
        std::filesystem::create_directories(root_ / "assets");
        std::ofstream(root_ / "index.html") << "<!doctype html><title>app</title>";
        std::ofstream(root_ / "assets" / "app-1a2b.js") << "console.log(1)";
        std::ofstream(root_ / "favicon.svg") << "<svg/>";
    }
    void TearDown() override { std::filesystem::remove_all(root_); }
    static Request Get(std::string path) {
        Request r;
        r.path = std::move(path);
        return r;
    }
    std::filesystem::path root_;
};

TEST_F(StaticFilesTest, ServesWithTypesAndCaching) {
    auto sf = StaticFiles::Load(root_);
    ASSERT_TRUE(sf->has_ui());
    auto js = sf->Serve(Get("/assets/app-1a2b.js"));
    EXPECT_EQ(js.status, 200);
    EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(js.headers[1].second, "public, max-age=31536000, immutable");
    auto index = sf->Serve(Get("/"));
    EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(index.headers[1].second, "no-cache");
    EXPECT_EQ(sf->Serve(Get("/favicon.svg")).content_type, "image/svg+xml");
}

TEST_F(StaticFilesTest, UnknownPathsGetIndexForTheSpa) {
    auto sf = StaticFiles::Load(root_);
    auto r = sf->Serve(Get("/organisation/units/42"));
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("<title>app</title>"), std::string::npos);
    auto escape = sf->Serve(Get("/../../etc/passwd"));
    EXPECT_NE(escape.body.find("<title>app</title>"), std::string::npos);
}

TEST_F(StaticFilesTest, ETagGives304) {
    auto sf = StaticFiles::Load(root_);
    auto first = sf->Serve(Get("/index.html"));
    Request again = Get("/index.html");
    again.headers.emplace_back("if-none-match", first.headers[0].second);
    auto second = sf->Serve(again);
    EXPECT_EQ(second.status, 304);
    EXPECT_TRUE(second.body.empty());
}

TEST_F(StaticFilesTest, MissingUiGivesBuiltInPage) {
    auto sf = StaticFiles::Load(root_ / "nope");
    EXPECT_FALSE(sf->has_ui());
    auto r = sf->Serve(Get("/"));
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("make build"), std::string::npos);
}

}  // namespace
}  // namespace mamori::http
