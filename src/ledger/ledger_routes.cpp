#include "ledger/ledger_routes.h"

#include <boost/json.hpp>
#include <charconv>

#include "http/json_reader.h"
#include "ledger/encoding.h"

namespace mamori::ledger {

namespace {

namespace json = boost::json;
using http::Method;
using http::Request;
using http::Response;

constexpr std::string_view kAuditRead = "audit.read";
constexpr std::int64_t kMaxIndex = (std::int64_t{1} << 56) - 1;

Response Error(const mamori::Error& e, const Request& req) {
    return http::ErrorResponse(e, req.request_id);
}

json::array Hashes(const std::vector<Hash>& hashes) {
    json::array a;
    for (const auto& h : hashes) a.emplace_back(HashToBase64(h));
    return a;
}

json::object CheckpointJson(const CheckpointRecord& c) {
    return {{"tree_size", c.tree_size},
            {"root", HashToBase64(c.root)},
            {"created_at", c.created_at},
            {"note", c.note}};
}

json::value VerificationJson(const std::optional<VerifyReport>& v) {
    if (!v) return nullptr;
    return json::object{{"ok", v->ok},
                        {"ran_at", v->ran_at},
                        {"tree_size", v->tree_size},
                        {"first_bad_index", v->first_bad_index ? json::value(*v->first_bad_index)
                                                               : json::value(nullptr)},
                        {"message", v->message}};
}

}  // namespace

void AddLedgerRoutes(http::Router& router, LedgerService& service) {
    LedgerService* svc = &service;

    router.Add({Method::kGet, "/api/v1/ledger/checkpoint", "public", http::RunOn::kWorker,
                [svc](Request& req) {
                    auto latest = svc->Latest();
                    if (!latest) return Error(latest.error(), req);
                    if (!*latest)
                        return Error(mamori::Error::NotFound("チェックポイントはまだありません"),
                                     req);
                    return Response::Text(200, "text/plain; charset=utf-8", (*latest)->note);
                }});

    router.Add(
        {Method::kGet, "/api/v1/ledger/public-key", "public", http::RunOn::kIo, [svc](Request&) {
             return Response::Text(200, "text/plain; charset=utf-8",
                                   svc->verifier().Format() + "\n");
         }});

    router.Add({Method::kGet, "/api/v1/ledger/checkpoints", std::string(kAuditRead),
                http::RunOn::kWorker, [svc](Request& req) {
                    auto limit = http::QueryInt(req, "limit", 50, 1, 500);
                    if (!limit) return Error(limit.error(), req);
                    auto cursor = http::QueryInt(req, "cursor", 0, 0, kMaxIndex);
                    if (!cursor) return Error(cursor.error(), req);
                    auto list = svc->Checkpoints(static_cast<std::uint64_t>(*cursor),
                                                 static_cast<int>(*limit));
                    if (!list) return Error(list.error(), req);
                    json::array items;
                    for (const auto& c : *list) items.push_back(CheckpointJson(c));
                    json::value next = nullptr;
                    if (static_cast<std::int64_t>(list->size()) == *limit && !list->empty())
                        next = std::to_string(list->back().tree_size);
                    return Response::Json(
                        200, json::object{{"items", std::move(items)}, {"next_cursor", next}});
                }});

    router.Add({Method::kGet, "/api/v1/ledger/entries/{index}", std::string(kAuditRead),
                http::RunOn::kWorker, [svc](Request& req) {
                    const std::string_view p = req.Param("index");
                    std::uint64_t index = 0;
                    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), index);
                    if (ec != std::errc() || end != p.data() + p.size())
                        return Error(mamori::Error::Invalid("invalid_field",
                                                            "index は 0 以上の整数です", "index"),
                                     req);
                    auto e = svc->EntryAt(index);
                    if (!e) return Error(e.error(), req);
                    const auto* bytes = reinterpret_cast<const std::uint8_t*>(e->leaf.data());
                    return Response::Json(
                        200, json::object{{"index", e->index},
                                          {"event", audit::ToJson(e->event)},
                                          {"leaf", Base64Encode({bytes, e->leaf.size()})},
                                          {"leaf_hash", HashToBase64(e->leaf_hash)}});
                }});

    router.Add({Method::kGet, "/api/v1/ledger/proof/inclusion", std::string(kAuditRead),
                http::RunOn::kWorker, [svc](Request& req) {
                    auto index = http::QueryInt(req, "index", -1, 0, kMaxIndex);
                    if (!index) return Error(index.error(), req);
                    auto size = http::QueryInt(req, "tree_size", -1, 1, kMaxIndex);
                    if (!size) return Error(size.error(), req);
                    if (*index < 0 || *size < 0)
                        return Error(mamori::Error::Invalid("missing_field",
                                                            "index と tree_size を指定してください",
                                                            *index < 0 ? "index" : "tree_size"),
                                     req);
                    auto proof = svc->Inclusion(static_cast<std::uint64_t>(*index),
                                                static_cast<std::uint64_t>(*size));
                    if (!proof) return Error(proof.error(), req);
                    return Response::Json(200, json::object{{"leaf_index", *index},
                                                            {"tree_size", *size},
                                                            {"hashes", Hashes(*proof)}});
                }});

    router.Add({Method::kGet, "/api/v1/ledger/proof/consistency", std::string(kAuditRead),
                http::RunOn::kWorker, [svc](Request& req) {
                    auto first = http::QueryInt(req, "first", -1, 1, kMaxIndex);
                    if (!first) return Error(first.error(), req);
                    auto second = http::QueryInt(req, "second", -1, 1, kMaxIndex);
                    if (!second) return Error(second.error(), req);
                    if (*first < 0 || *second < 0)
                        return Error(mamori::Error::Invalid("missing_field",
                                                            "first と second を指定してください",
                                                            *first < 0 ? "first" : "second"),
                                     req);
                    auto proof = svc->Consistency(static_cast<std::uint64_t>(*first),
                                                  static_cast<std::uint64_t>(*second));
                    if (!proof) return Error(proof.error(), req);
                    return Response::Json(200, json::object{{"first", *first},
                                                            {"second", *second},
                                                            {"hashes", Hashes(*proof)}});
                }});

    router.Add({Method::kGet, "/api/v1/ledger/status", std::string(kAuditRead),
                http::RunOn::kWorker, [svc](Request& req) {
                    auto size = svc->Size();
                    if (!size) return Error(size.error(), req);
                    auto latest = svc->Latest();
                    if (!latest) return Error(latest.error(), req);
                    auto last = svc->LastVerification();
                    if (!last) return Error(last.error(), req);
                    return Response::Json(
                        200, json::object{{"tree_size", *size},
                                          {"origin", svc->origin()},
                                          {"public_key", svc->verifier().Format()},
                                          {"latest_checkpoint",
                                           *latest ? json::value(CheckpointJson(**latest))
                                                   : json::value(nullptr)},
                                          {"last_verification", VerificationJson(*last)}});
                }});

    router.Add({Method::kPost, "/api/v1/ledger/verify", std::string(kAuditRead),
                http::RunOn::kWorker, [svc](Request& req) {
                    if (!req.body.empty()) {
                        auto body = http::JsonReader::FromBody(req);
                        if (!body) return Error(body.error(), req);
                        if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    }
                    auto report = svc->Verify(true);
                    if (!report) return Error(report.error(), req);
                    return Response::Json(200, VerificationJson(*report));
                }});
}

}  // namespace mamori::ledger
