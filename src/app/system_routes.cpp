#include "app/system_routes.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "core/version.h"

namespace mamori::app {

void AddSystemRoutes(http::Router& router, store::Database& db) {
    // The body never changes, so it is serialised once.
    const std::string healthy =
        boost::json::serialize(boost::json::object{{"status", "ok"}, {"version", kVersion}});
    router.Add({http::Method::kGet, "/healthz", std::string(http::kPublic), http::RunOn::kIo,
                [healthy](http::Request&) {
                    return http::Response::Text(200, "application/json", healthy);
                }});
    router.Add({http::Method::kGet, "/readyz", std::string(http::kPublic), http::RunOn::kWorker,
                [&db](http::Request& req) {
                    if (auto p = db.Ping(); !p) {
                        spdlog::warn("readyz: {}", p.error().message);
                        Error e = p.error();
                        e.kind = ErrorKind::kUnavailable;
                        e.code = "database_unavailable";
                        e.message = "データベースが応答しません";
                        return http::ErrorResponse(e, req.request_id);
                    }
                    return http::Response::Json(
                        200, boost::json::object{{"status", "ready"}, {"version", kVersion}});
                }});
}

}  // namespace mamori::app
