// The real `mamori serve` over real HTTP on 127.0.0.1.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "core/version.h"
#include "support/test_postgres.h"
#include "support/test_server.h"

namespace mamori::testing {
namespace {

namespace fs = std::filesystem;

/// Replaces the first line matching `pattern` in DIR/mamori.yaml with `replacement`.
void EditConfig(const fs::path& dir, const std::string& pattern, const std::string& replacement) {
    std::ifstream in(dir / "mamori.yaml");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = std::regex_replace(ss.str(), std::regex(pattern), replacement,
                                          std::regex_constants::format_first_only);
    std::ofstream(dir / "mamori.yaml") << text;
}

class ServerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        data_ = tmp_.path() / "data";
        auto r =
            RunMamori({"init", "--data", data_.string()}, {"MAMORI_ADMIN_PASSWORD=Init-Passw0rd!"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    void StartServer() {
        server_ = ServerProcess::Start(data_);
        ASSERT_TRUE(server_);
    }
    TempDir tmp_;
    fs::path data_;
    std::unique_ptr<ServerProcess> server_;
};

TEST_F(ServerTest, HealthzAnswersWithVersionAndSecurityHeaders) {
    StartServer();
    auto r = Http(server_->port(), "GET", "/healthz");
    EXPECT_EQ(r.status, 200);
    auto v = boost::json::parse(r.body);
    EXPECT_EQ(v.at("status").as_string(), "ok");
    EXPECT_EQ(v.at("version").as_string(), kVersion);
    EXPECT_EQ(r.headers["content-type"], "application/json");
    EXPECT_NE(r.headers["content-security-policy"].find("frame-ancestors 'none'"),
              std::string::npos);
    EXPECT_EQ(r.headers["x-content-type-options"], "nosniff");
    EXPECT_EQ(r.headers["referrer-policy"], "no-referrer");
    EXPECT_FALSE(r.headers["x-request-id"].empty());
}

TEST_F(ServerTest, ReadyzAnswersWhenTheDatabaseDoes) {
    StartServer();
    auto r = Http(server_->port(), "GET", "/readyz");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(boost::json::parse(r.body).at("status").as_string(), "ready");
}

TEST_F(ServerTest, UnknownApiPathsGetJson404AndWrongMethods405) {
    StartServer();
    auto r = Http(server_->port(), "GET", "/api/v1/nothing-here?x=1");
    EXPECT_EQ(r.status, 404);
    auto v = boost::json::parse(r.body);
    EXPECT_EQ(v.at("error").at("code").as_string(), "not_found");
    EXPECT_EQ(r.headers["cache-control"], "no-store");
    auto m = Http(server_->port(), "POST", "/healthz", "{}");
    EXPECT_EQ(m.status, 405);
    EXPECT_EQ(m.headers["allow"], "GET");
    EXPECT_EQ(boost::json::parse(m.body).at("error").at("code").as_string(), "method_not_allowed");
}

TEST_F(ServerTest, RequestIdIsTakenFromTheProxyOrMade) {
    StartServer();
    auto given = Http(server_->port(), "GET", "/healthz", "", {{"X-Request-Id", "proxy-123"}});
    EXPECT_EQ(given.headers["x-request-id"], "proxy-123");
    auto bad = Http(server_->port(), "GET", "/healthz", "", {{"X-Request-Id", "no spaces<>"}});
    EXPECT_NE(bad.headers["x-request-id"], "no spaces<>");
    EXPECT_FALSE(bad.headers["x-request-id"].empty());
}

TEST_F(ServerTest, ServesTheWebUiWithSpaFallback) {
    const fs::path web = tmp_.path() / "web";
    fs::create_directories(web / "assets");
    std::ofstream(web / "index.html") << "<!doctype html><title>mamori-ui</title>";
    std::ofstream(web / "assets" / "index-abc123.js") << "export{}";
    std::ofstream(web / "assets" / "index-abc123.css") << "body{}";
    EditConfig(data_, "web_root: \"\"", "web_root: \"" + web.string() + "\"");
    StartServer();
    auto index = Http(server_->port(), "GET", "/");
    EXPECT_EQ(index.status, 200);
    EXPECT_EQ(index.headers["content-type"], "text/html; charset=utf-8");
    EXPECT_EQ(index.headers["cache-control"], "no-cache");
    auto js = Http(server_->port(), "GET", "/assets/index-abc123.js");
    EXPECT_EQ(js.headers["content-type"], "text/javascript; charset=utf-8");
    EXPECT_EQ(js.headers["cache-control"], "public, max-age=31536000, immutable");
    EXPECT_EQ(Http(server_->port(), "GET", "/assets/index-abc123.css").headers["content-type"],
              "text/css; charset=utf-8");
    EXPECT_EQ(Http(server_->port(), "GET", "/assets/index-old999.js").status, 404);
    auto route = Http(server_->port(), "GET", "/organisation/people/42");
    EXPECT_EQ(route.status, 200);
    EXPECT_NE(route.body.find("mamori-ui"), std::string::npos);
    auto etag = index.headers["etag"];
    EXPECT_EQ(Http(server_->port(), "GET", "/", "", {{"If-None-Match", etag}}).status, 304);
    auto head = Http(server_->port(), "HEAD", "/");
    EXPECT_EQ(head.status, 200);
    EXPECT_TRUE(head.body.empty());
}

TEST_F(ServerTest, OversizedBodyIs413AndChangesNothing) {
    EditConfig(data_, "max_body_bytes: \\d+", "max_body_bytes: 2048");
    StartServer();
    auto r = Http(server_->port(), "POST", "/api/v1/anything", std::string(4096, 'x'),
                  {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(boost::json::parse(r.body).at("error").at("code").as_string(), "body_too_large");
    // The server is still there.
    EXPECT_EQ(Http(server_->port(), "GET", "/healthz").status, 200);
}

TEST_F(ServerTest, OversizedHeadersAre431) {
    StartServer();
    auto r = Http(server_->port(), "GET", "/healthz", "", {{"X-Big", std::string(40000, 'a')}});
    EXPECT_EQ(r.status, 431);
    EXPECT_EQ(boost::json::parse(r.body).at("error").at("code").as_string(), "headers_too_large");
}

TEST_F(ServerTest, MalformedHttpIs400) {
    StartServer();
    std::string reply = RawExchange(server_->port(), "GET /healthz HTTP/1.1\r\nHost\r\n\r\n");
    EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
    EXPECT_NE(reply.find("malformed_request"), std::string::npos);
    std::string garbage = RawExchange(server_->port(), "\x16\x03\x01 not http at all\r\n\r\n");
    EXPECT_EQ(garbage.rfind("HTTP/1.1 400", 0), 0u) << garbage;
}

TEST_F(ServerTest, SlowClientsAreCutOff) {
    EditConfig(data_, "read_seconds: \\d+", "read_seconds: 1");
    StartServer();
    // Half a request, then silence: the server must close the connection by itself, long
    // before the test gives up listening (10 s).
    const auto start = std::chrono::steady_clock::now();
    std::string reply = RawExchange(server_->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n", 10000);
    const auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(reply.empty()) << reply;
    EXPECT_LT(waited, std::chrono::seconds(9));
    EXPECT_EQ(Http(server_->port(), "GET", "/healthz").status, 200);
}

TEST_F(ServerTest, CleanShutdownOnSigterm) {
    StartServer();
    ASSERT_EQ(Http(server_->port(), "GET", "/readyz").status, 200);
    // An idle keep-alive connection must not hold the shutdown up.
    std::thread idle([port = server_->port()] {
        (void)RawExchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 20000);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(server_->Stop(SIGTERM, 20), 0);
    idle.join();
    EXPECT_NE(server_->Log().find("stopped cleanly"), std::string::npos) << server_->Log();
}

TEST_F(ServerTest, ServesHttpsWhenTheConfigNamesACertificate) {
    const std::string cert = (data_ / "tls.crt").string(), key = (data_ / "tls.key").string();
    ASSERT_EQ(std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                           "-keyout " +
                           key + " -out " + cert + " >/dev/null 2>&1")
                              .c_str()),
              0);
    EditConfig(data_, "certificate: \"\"", "certificate: tls.crt");
    EditConfig(data_, "private_key: \"\"", "private_key: tls.key");
    StartServer();
    const std::string out = (tmp_.path() / "curl.out").string();
    const std::string cmd = "curl -sk --max-time 10 -D - -o /dev/null https://127.0.0.1:" +
                            std::to_string(server_->port()) + "/healthz > " + out;
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    std::ifstream in(out);
    std::string headers((std::istreambuf_iterator<char>(in)), {});
    EXPECT_NE(headers.find("HTTP/1.1 200"), std::string::npos) << headers;
    EXPECT_NE(headers.find("Strict-Transport-Security"), std::string::npos) << headers;
    // Plain HTTP to the TLS port gets no HTTP answer.
    EXPECT_EQ(RawExchange(server_->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 3000)
                  .rfind("HTTP/1.1 200", 0),
              std::string::npos);
    EXPECT_EQ(server_->Stop(SIGTERM), 0);
}

TEST(PostgresServerTest, ReadyzFollowsTheDatabaseAndRecovers) {
    // A PostgreSQL server of its own, so that stopping it disturbs no other test.
    TempDir tmp;
    const std::string script = TestPgScript();
    const fs::path pgdir = tmp.path() / "pg";
    // As root the server runs as the postgres user, who must be able to reach its folder.
    fs::permissions(tmp.path(),
                    fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    ASSERT_EQ(std::system((script + " start " + pgdir.string() + " >/dev/null").c_str()), 0);
    std::string url;
    std::getline(std::ifstream(pgdir / "url"), url);

    const fs::path data = tmp.path() / "data";
    auto init = RunMamori({"init", "--data", data.string(), "--database-url", url},
                          {"MAMORI_ADMIN_PASSWORD=Init-Passw0rd!"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    auto server = ServerProcess::Start(data);
    ASSERT_TRUE(server);
    EXPECT_EQ(Http(server->port(), "GET", "/readyz").status, 200);

    ASSERT_EQ(std::system((script + " pause " + pgdir.string()).c_str()), 0);
    auto down = Http(server->port(), "GET", "/readyz");
    EXPECT_EQ(down.status, 503);
    EXPECT_EQ(boost::json::parse(down.body).at("error").at("code").as_string(),
              "database_unavailable");
    EXPECT_EQ(Http(server->port(), "GET", "/healthz").status, 200);  // still serving

    ASSERT_EQ(std::system((script + " resume " + pgdir.string()).c_str()), 0);
    int status = 0;
    for (int i = 0; i < 50 && status != 200; ++i) {
        status = Http(server->port(), "GET", "/readyz").status;
        if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(status, 200);
    EXPECT_EQ(server->Stop(SIGTERM), 0);
    (void)std::system((script + " stop " + pgdir.string() + " >/dev/null").c_str());
}

}  // namespace
}  // namespace mamori::testing
