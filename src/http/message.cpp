#include "http/message.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <charconv>

namespace mamori::http {

std::string_view MethodName(Method m) {
    switch (m) {
        case Method::kGet:
            return "GET";
        case Method::kHead:
            return "HEAD";
        case Method::kPost:
            return "POST";
        case Method::kPut:
            return "PUT";
        case Method::kPatch:
            return "PATCH";
        case Method::kDelete:
            return "DELETE";
        case Method::kOther:
            break;
    }
    return "OTHER";
}

std::optional<std::string_view> Request::Header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers)
        if (k == lower_name) return v;
    return std::nullopt;
}

std::optional<std::string_view> Request::Query(std::string_view name) const {
    for (const auto& [k, v] : query)
        if (k == name) return v;
    return std::nullopt;
}

std::string_view Request::Param(std::string_view name) const {
    for (const auto& [k, v] : path_params)
        if (k == name) return v;
    return {};
}

Result<std::int64_t> QueryInt(const Request& req, std::string_view name, std::int64_t dflt,
                              std::int64_t min, std::int64_t max) {
    auto v = req.Query(name);
    if (!v) return dflt;
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || end != v->data() + v->size() || n < min || n > max)
        return Fail(Error::Invalid("invalid_field",
                                   std::string(name) + " は " + std::to_string(min) + " から " +
                                       std::to_string(max) + " までの整数で指定してください",
                                   std::string(name)));
    return n;
}

Result<std::string> QueryText(const Request& req, std::string_view name, std::size_t max_bytes) {
    auto v = req.Query(name);
    if (!v) return std::string();
    if (v->size() > max_bytes)
        return Fail(Error::Invalid("invalid_field", std::string(name) + " が長すぎます",
                                   std::string(name)));
    return std::string(*v);
}

Response Response::Json(int status, const boost::json::value& v) {
    Response r;
    r.status = status;
    r.body = boost::json::serialize(v);
    return r;
}

Response Response::Text(int status, std::string content_type, std::string body) {
    Response r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    return r;
}

Response Response::Download(std::string content_type, std::string body, std::string_view filename) {
    std::string ascii;
    for (unsigned char c : filename)
        ascii += (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') ? static_cast<char>(c) : '_';
    Response r = Text(200, std::move(content_type), std::move(body));
    r.headers.emplace_back(
        "Content-Disposition",
        fmt::format("attachment; filename=\"{}\"; filename*=UTF-8''{}", ascii,
                    boost::urls::encode(filename, boost::urls::unreserved_chars)));
    r.headers.emplace_back("Cache-Control", "private, no-store");
    return r;
}

int StatusFor(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::kInvalidInput:
            return 400;
        case ErrorKind::kUnauthenticated:
            return 401;
        case ErrorKind::kForbidden:
            return 403;
        case ErrorKind::kNotFound:
            return 404;
        case ErrorKind::kConflict:
            return 409;
        case ErrorKind::kTooLarge:
            return 413;
        case ErrorKind::kRuleViolation:
            return 422;
        case ErrorKind::kLocked:
            return 423;
        case ErrorKind::kRateLimited:
            return 429;
        case ErrorKind::kUnavailable:
            return 503;
        case ErrorKind::kInternal:
            return 500;
    }
    return 500;
}

Response ErrorResponse(const Error& e, std::string_view request_id) {
    boost::json::object err;
    if (e.kind == ErrorKind::kInternal) {
        spdlog::error("request {}: internal error: {}", request_id, e.message);
        err["code"] = "internal";
        err["message"] =
            "サーバ内部でエラーが発生しました。管理者に連絡してください (request id を添えて)。";
    } else if (e.kind == ErrorKind::kUnavailable) {
        // The cause (a database message, a host name) goes to the log, not to the client.
        spdlog::warn("request {}: unavailable: {}", request_id, e.message);
        err["code"] = e.code;
        err["message"] = "一時的に処理できません。しばらくしてから試してください";
    } else {
        err["code"] = e.code;
        err["message"] = e.message;
    }
    boost::json::object details;
    if (!e.field.empty()) details["field"] = e.field;
    err["details"] = std::move(details);
    err["request_id"] = request_id;
    return Response::Json(StatusFor(e.kind), boost::json::object{{"error", std::move(err)}});
}

Result<boost::json::value> ParseJson(std::string_view body, int max_depth) {
    boost::json::parse_options opts;
    opts.max_depth = static_cast<std::size_t>(max_depth);
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(body, ec, {}, opts);
    if (!ec) return v;
    // Find where parsing stopped: boost::json reports the kind; locate by re-parsing with
    // a stream parser to get the offset.
    boost::json::stream_parser p({}, opts);
    std::size_t used = p.write_some(body.data(), body.size(), ec);
    if (!ec) {
        p.finish(ec);
        used = body.size();
    }
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < used && i < body.size(); ++i) {
        if (body[i] == '\n') {
            ++line;
            col = 1;
        } else if ((static_cast<unsigned char>(body[i]) & 0xC0) != 0x80) {
            ++col;
        }
    }
    std::string reason = ec == boost::json::error::too_deep
                             ? fmt::format("入れ子が深すぎます (上限 {} 段)", max_depth)
                             : ec.message();
    return Fail(
        Error::Invalid("invalid_json",
                       fmt::format("JSON として読めません: {} (行 {}、列 {})", reason, line, col)));
}

Result<boost::json::value> ParseJsonBody(const Request& req) {
    auto ct = req.Header("content-type");
    if (!ct || ct->substr(0, ct->find(';')) != "application/json")
        return Fail(Error::Invalid("unsupported_media_type",
                                   "本文は Content-Type: application/json で送ってください"));
    return ParseJson(req.body, req.max_json_depth);
}

}  // namespace mamori::http
