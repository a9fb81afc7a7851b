#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/principal.h"

namespace mamori::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOther };

std::string_view MethodName(Method m);

/// A request as the routes see it: no Beast types, so areas compile fast and stay testable.
/// Header names are lower case. Path segments and query values are percent-decoded.
struct Request {
    Method method = Method::kGet;
    std::string path;                   ///< Decoded path, e.g. "/api/v1/units/u1".
    std::vector<std::string> segments;  ///< Decoded path segments.
    std::vector<std::pair<std::string, std::string>> query;
    std::vector<std::pair<std::string, std::string>> headers;
    std::vector<std::pair<std::string, std::string>> path_params;  ///< Filled by the router.
    std::string body;
    std::string request_id;
    std::string client_address;
    int max_json_depth = 32;
    /// Who is calling, set by the authorizer before a non-public handler runs.
    std::shared_ptr<const Principal> principal;

    /// The first header with this lower-case name.
    std::optional<std::string_view> Header(std::string_view lower_name) const;
    /// The first query parameter with this name.
    std::optional<std::string_view> Query(std::string_view name) const;
    /// A path parameter named in the route pattern, e.g. "id" for "/units/{id}".
    std::string_view Param(std::string_view name) const;
};

/// The service context of a request: its principal, request id and client address.
inline Context ContextOf(const Request& req) {
    return Context{req.principal.get(), req.request_id, req.client_address};
}

/// A response. `content_type` defaults to JSON; extra headers are added as given.
struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;

    static Response Json(int status, const boost::json::value& v);
    static Response Text(int status, std::string content_type, std::string body);
    /// 200 with `body` as a file to save, never shown inline nor kept in shared caches:
    /// Content-Disposition names it `filename` (RFC 6266 `filename*` for any text, and an
    /// ASCII stand-in for old clients).
    static Response Download(std::string content_type, std::string body, std::string_view filename);
};

/// A whole number from a query parameter within [min, max] (`dflt` when absent), or an
/// Invalid error naming the parameter.
[[nodiscard]] Result<std::int64_t> QueryInt(const Request& req, std::string_view name,
                                            std::int64_t dflt, std::int64_t min, std::int64_t max);

/// A query parameter's text ("" when absent), at most `max_bytes` long; longer is an
/// Invalid error naming the parameter.
[[nodiscard]] Result<std::string> QueryText(const Request& req, std::string_view name,
                                            std::size_t max_bytes = 100);

/// The JSON error response for an Error:
/// `{"error":{"code":…,"message":…,"details":{"field":…},"request_id":…}}` with the status
/// that the error kind maps to. Internal errors never show their message: it is logged
/// with the request id, and the client gets a generic one.
Response ErrorResponse(const Error& e, std::string_view request_id);

/// An optional text field of an answer: JSON null when empty, else the text.
inline boost::json::value OrNull(const std::string& s) {
    return s.empty() ? boost::json::value(nullptr) : boost::json::value(s);
}

/// The HTTP status for an error kind.
int StatusFor(ErrorKind kind);

/// Parses a JSON request body: at most `max_depth` levels, no comments, no trailing commas,
/// valid UTF-8 only. The error names what is wrong and where ("line 3, column 7").
[[nodiscard]] Result<boost::json::value> ParseJson(std::string_view body, int max_depth);

/// Parses the body of `req`, requiring Content-Type application/json.
[[nodiscard]] Result<boost::json::value> ParseJsonBody(const Request& req);

}  // namespace mamori::http
