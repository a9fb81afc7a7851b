#include "audit/audit_routes.h"

#include <boost/json.hpp>
#include <cctype>
#include <charconv>

#include "audit/audit.h"
#include "http/json_reader.h"

namespace mamori::audit {

namespace {

using http::QueryInt;
using http::QueryText;

/// `from` / `to`: a date "YYYY-MM-DD" or an RFC 3339 UTC time "YYYY-MM-DDTHH:MM:SSZ".
Result<std::string> QueryTime(const http::Request& req, std::string_view name) {
    auto v = QueryText(req, name);
    if (!v || v->empty()) return v;
    const std::string& t = *v;
    const bool date_ok = t.size() >= 10 && http::IsValidDate(t.substr(0, 10));
    const bool time_ok =
        t.size() == 10 || (t.size() == 20 && t[10] == 'T' && t[13] == ':' && t[16] == ':' &&
                           t[19] == 'Z' && std::isdigit(static_cast<unsigned char>(t[11])) &&
                           std::isdigit(static_cast<unsigned char>(t[12])) &&
                           std::isdigit(static_cast<unsigned char>(t[14])) &&
                           std::isdigit(static_cast<unsigned char>(t[15])) &&
                           std::isdigit(static_cast<unsigned char>(t[17])) &&
                           std::isdigit(static_cast<unsigned char>(t[18])));
    if (!date_ok || !time_ok)
        return Fail(Error::Invalid(
            "invalid_field",
            std::string(name) + " は YYYY-MM-DD か YYYY-MM-DDTHH:MM:SSZ (UTC) で指定してください",
            std::string(name)));
    return v;
}

}  // namespace

void AddAuditRoutes(http::Router& router, store::Database& db) {
    router.Add(
        {http::Method::kGet, "/api/v1/audit-events", "audit.read", http::RunOn::kWorker,
         [&db](http::Request& req) {
             Filter f;
             auto limit = QueryInt(req, "limit", 50, 1, 500);
             auto cursor = QueryInt(req, "cursor", 0, 0, INT64_MAX);
             for (auto* r : {&limit, &cursor})
                 if (!*r) return http::ErrorResponse(r->error(), req.request_id);
             f.limit = static_cast<int>(*limit);
             f.before_seq = *cursor;
             for (auto [name, field] :
                  {std::pair{"actor_id", &f.actor_id}, std::pair{"action", &f.action},
                   std::pair{"object_type", &f.object_type}, std::pair{"object_id", &f.object_id},
                   std::pair{"from", &f.from}, std::pair{"to", &f.to}}) {
                 const std::string_view n = name;
                 auto v = n == "from" || n == "to" ? QueryTime(req, name) : QueryText(req, name);
                 if (!v) return http::ErrorResponse(v.error(), req.request_id);
                 *field = std::move(*v);
             }
             auto events = List(db, f);
             if (!events) return http::ErrorResponse(events.error(), req.request_id);
             boost::json::array items;
             for (const auto& e : *events) items.push_back(ToJson(e));
             boost::json::value next = nullptr;
             if (static_cast<int>(events->size()) == f.limit)
                 next = std::to_string(events->back().seq);
             return http::Response::Json(
                 200, boost::json::object{{"items", std::move(items)}, {"next_cursor", next}});
         }});
}

}  // namespace mamori::audit
