// The server in-process on a free port: routing, deny-by-default and the worker hand-off.
#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "support/test_server.h"

namespace mamori::http {
namespace {

class InProcessServer {
  public:
    InProcessServer(const Router& router, Authorizer auth = {}) {
        ServerOptions o;
        o.port = 0;
        o.access_log = false;
        server_ = std::make_unique<Server>(o, router, StaticFiles::Load(""), std::move(auth));
        EXPECT_TRUE(server_->Listen());
        thread_ = std::thread([this] { server_->Run(false); });
    }
    ~InProcessServer() {
        server_->Stop();
        thread_.join();
    }
    unsigned short port() const { return server_->port(); }

  private:
    std::unique_ptr<Server> server_;
    std::thread thread_;
};

TEST(ServerTest, NonPublicRoutesAreDeniedWithoutAnAuthorizer) {
    Router r;
    bool called = false;
    r.Add({Method::kGet, "/api/v1/secret", "org.read", RunOn::kWorker, [&](Request&) {
               called = true;
               return Response::Text(200, "text/plain", "secret");
           }});
    InProcessServer s(r);
    auto res = mamori::testing::Http(s.port(), "GET", "/api/v1/secret");
    EXPECT_EQ(res.status, 401);
    EXPECT_EQ(boost::json::parse(res.body).at("error").at("code").as_string(), "unauthenticated");
    EXPECT_FALSE(called);
}

TEST(ServerTest, AuthorizerSeesTheRoutePermission) {
    Router r;
    r.Add({Method::kGet, "/api/v1/items/{id}", "items.read", RunOn::kWorker, [](Request& req) {
               return Response::Text(200, "text/plain", std::string(req.Param("id")));
           }});
    std::string seen;
    InProcessServer s(r, [&](Request&, const Route& route) -> Result<void> {
        seen = route.permission;
        return Fail(Error{ErrorKind::kForbidden, "forbidden", "権限がありません", {}});
    });
    auto res = mamori::testing::Http(s.port(), "GET", "/api/v1/items/%E5%B9%B3");
    EXPECT_EQ(res.status, 403);
    EXPECT_EQ(seen, "items.read");
}

TEST(ServerTest, AnUploadRouteTakesALargerBodyThanTheDefault) {
    Router r;
    auto size = [](Request& req) {
        return Response::Text(200, "text/plain", std::to_string(req.body.size()));
    };
    r.Add({Method::kPost, "/api/v1/upload", std::string(kPublic), RunOn::kWorker, size,
           4 * 1024 * 1024});
    r.Add({Method::kPost, "/api/v1/small", std::string(kPublic), RunOn::kWorker, size});
    InProcessServer s(r);
    const std::string two_mb(2 * 1024 * 1024, 'x');
    auto up = mamori::testing::Http(s.port(), "POST", "/api/v1/upload", two_mb,
                                    {{"Content-Type", "text/csv"}});
    EXPECT_EQ(up.status, 200) << up.body;
    EXPECT_EQ(up.body, std::to_string(two_mb.size()));
    // Refused from the header alone (Content-Length), before any body is sent.
    auto header_only = [&](const std::string& target, std::size_t length) {
        return mamori::testing::RawExchange(s.port(),
                                            "POST " + target +
                                                " HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
                                                "Content-Length: " +
                                                std::to_string(length) + "\r\n\r\n");
    };
    EXPECT_NE(header_only("/api/v1/small", two_mb.size()).find(" 413 "), std::string::npos);
    EXPECT_NE(header_only("/api/v1/upload", 5 * 1024 * 1024).find(" 413 "), std::string::npos);
    // The server is still there.
    EXPECT_EQ(mamori::testing::Http(s.port(), "POST", "/api/v1/small", "ok").status, 200);
}

TEST(ServerTest, WorkerRoutesRunOffTheIoThreadsAndGetDecodedParams) {
    Router r;
    r.Add({Method::kGet, "/api/v1/items/{id}", std::string(kPublic), RunOn::kWorker,
           [](Request& req) {
               boost::json::object o{{"id", req.Param("id")}, {"q", req.Query("q").value_or("")}};
               return Response::Json(200, o);
           }});
    InProcessServer s(r);
    auto res =
        mamori::testing::Http(s.port(), "GET", "/api/v1/items/8-2%286%29?q=%E5%B9%B3%E5%B7%9D");
    ASSERT_EQ(res.status, 200) << res.body;
    auto v = boost::json::parse(res.body);
    EXPECT_EQ(v.at("id").as_string(), "8-2(6)");
    EXPECT_EQ(v.at("q").as_string(), "平川");
}

TEST(ServerTest, HandlerExceptionsBecome500WithoutDetails) {
    Router r;
    r.Add({Method::kGet, "/api/v1/boom", std::string(kPublic), RunOn::kWorker,
           [](Request&) -> Response { throw std::runtime_error("db password is hunter2"); }});
    InProcessServer s(r);
    auto res = mamori::testing::Http(s.port(), "GET", "/api/v1/boom");
    EXPECT_EQ(res.status, 500);
    EXPECT_EQ(res.body.find("hunter2"), std::string::npos);
    EXPECT_EQ(boost::json::parse(res.body).at("error").at("code").as_string(), "internal");
}

TEST(ServerTest, StopLetsRequestsInFlightFinish) {
    Router r;
    std::atomic<bool> started{false};
    r.Add({Method::kGet, "/api/v1/slow", std::string(kPublic), RunOn::kWorker, [&](Request&) {
               started = true;
               std::this_thread::sleep_for(std::chrono::milliseconds(500));
               return Response::Text(200, "text/plain", "finished");
           }});
    ServerOptions o;
    o.port = 0;
    o.access_log = false;
    Server server(o, r, StaticFiles::Load(""));
    ASSERT_TRUE(server.Listen());
    const auto port = server.port();
    std::thread runner([&] { server.Run(false); });
    mamori::testing::HttpResult result;
    std::thread client([&] { result = mamori::testing::Http(port, "GET", "/api/v1/slow"); });
    while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    server.Stop();
    client.join();
    runner.join();  // Run returns once the request is answered
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(result.body, "finished");
    // And no longer accepts.
    EXPECT_TRUE(mamori::testing::RawExchange(port, "GET / HTTP/1.1\r\n\r\n", 500).empty());
}

}  // namespace
}  // namespace mamori::http
