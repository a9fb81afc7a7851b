#include "assets/assets_routes.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "audit/audit.h"
#include "http/json_reader.h"
#include "sheets/download.h"

namespace mamori::assets {

namespace {

namespace json = boost::json;
using http::Method;
using http::Request;
using http::Response;

constexpr std::size_t kMaxIdChars = 64;
constexpr std::string_view kRead = "assets.read";
constexpr std::string_view kManage = "assets.manage";

using http::OrNull;

Response Error(const mamori::Error& e, const Request& req) {
    return http::ErrorResponse(e, req.request_id);
}

template <typename T, typename F>
Response Reply(const Result<T>& r, const Request& req, int status, F&& to_json) {
    if (!r) return Error(r.error(), req);
    return Response::Json(status, to_json(*r));
}

std::string ZoneName(const policy::Catalog* catalog, const std::string& key) {
    if (catalog)
        for (const auto& z : catalog->zones().zones)
            if (z.key == key) return z.name;
    return key;
}

json::object ToJson(const System& s, const policy::Catalog* catalog) {
    return {{"id", s.id},
            {"name", s.name},
            {"purpose", s.purpose},
            {"owner_unit_id", s.owner_unit_id},
            {"zone", s.zone},
            {"zone_name", ZoneName(catalog, s.zone)},
            {"hosting", s.hosting},
            {"vendor", s.vendor},
            {"highest_confidentiality", s.highest_confidentiality},
            {"status", s.status},
            {"created_at", s.created_at},
            {"updated_at", s.updated_at}};
}

json::object ToJson(const Asset& a) {
    json::value disposal = nullptr;
    if (a.status == "disposed")
        disposal = json::object{{"disposed_on", a.disposed_on},
                                {"method", a.disposal_method},
                                {"disposed_by", OrNull(a.disposed_by)},
                                {"witness", a.disposal_witness}};
    return {{"id", a.id},
            {"asset_number", a.asset_number},
            {"name", a.name},
            {"description", a.description},
            {"owner_unit_id", a.owner_unit_id},
            {"manager_person_id", OrNull(a.manager_person_id)},
            {"form", a.form},
            {"system_id", OrNull(a.system_id)},
            {"storage_location", a.storage_location},
            {"confidentiality", a.confidentiality},
            {"integrity", a.integrity},
            {"availability", a.availability},
            {"personal_info", a.personal_info},
            {"specific_personal_info", a.specific_personal_info},
            {"retention", a.retention},
            {"copies", a.copies},
            {"label_text", a.label_text},
            {"next_review_on", OrNull(a.next_review_on)},
            {"last_reviewed_on", OrNull(a.last_reviewed_on)},
            {"last_reviewed_by", OrNull(a.last_reviewed_by)},
            {"notes", a.notes},
            {"status", a.status},
            {"disposal", std::move(disposal)},
            {"created_at", a.created_at},
            {"updated_at", a.updated_at}};
}

json::object ToJson(const Warning& w) {
    return {{"code", w.code}, {"message", w.message}, {"ref", w.ref}};
}

json::array WarningsJson(const std::vector<Warning>& ws) {
    json::array out;
    for (const auto& w : ws) out.push_back(ToJson(w));
    return out;
}

using audit::HistoryJson;

json::object ImportJson(const RegisterImport& r) {
    json::array items;
    for (const auto& i : r.result.items)
        items.push_back({{"row", i.row}, {"key", i.key}, {"name", i.name}, {"action", i.action}});
    return {{"dry_run", r.result.dry_run}, {"written", r.result.written},
            {"encoding", r.encoding},      {"created", r.result.created},
            {"updated", r.result.updated}, {"unchanged", r.result.unchanged},
            {"items", std::move(items)}};
}

/// 400 invalid_csv_rows with every problem by row and column, as the people import answers.
Response RowsError(const Request& req, const std::vector<ImportResult::RowError>& errors) {
    json::array rows;
    for (const auto& e : errors)
        rows.push_back({{"row", e.row}, {"column", OrNull(e.field)}, {"message", e.message}});
    return Response::Json(
        400,
        json::object{{"error",
                      {{"code", "invalid_csv_rows"},
                       {"message", fmt::format("{} 件の誤りがあるため、1 件も取り込んでいません",
                                               errors.size())},
                       {"details", {{"rows", std::move(rows)}}},
                       {"request_id", req.request_id}}}});
}

Result<bool> DryRun(const Request& req) {
    auto dry = http::QueryText(req, "dry_run", 5);
    if (!dry) return Fail(dry.error());
    if (!dry->empty() && *dry != "true" && *dry != "false")
        return Fail(
            mamori::Error::Invalid("invalid_field", "dry_run は true か false です", "dry_run"));
    return *dry == "true";
}

/// The body of an import must be a CSV or an XLSX file.
Result<void> CheckUploadType(const Request& req) {
    auto type = req.Header("content-type");
    const std::string_view t = type ? *type : std::string_view();
    if (t.starts_with("text/csv") ||
        t.starts_with("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") ||
        t.starts_with("application/octet-stream"))
        return {};
    return Fail(
        mamori::Error::Invalid("unsupported_media_type",
                               "本文は CSV (text/csv) か Excel ブック (.xlsx) で送ってください"));
}

constexpr auto FormatOf = &sheets::FormatParam;
constexpr auto FileResponse = &sheets::Download;

Result<std::optional<bool>> QueryBool(const Request& req, std::string_view name) {
    auto v = http::QueryText(req, name, 5);
    if (!v) return Fail(v.error());
    if (v->empty()) return std::optional<bool>();
    if (*v == "true") return std::optional<bool>(true);
    if (*v == "false") return std::optional<bool>(false);
    return Fail(mamori::Error::Invalid(
        "invalid_field", fmt::format("{} は true か false です", name), std::string(name)));
}

/// Reads the query parameters named in `fields` into the strings, each at most 100 bytes.
Result<void> ReadQuery(const Request& req,
                       std::initializer_list<std::pair<std::string_view, std::string*>> fields) {
    for (const auto& [name, target] : fields) {
        auto v = http::QueryText(req, name, 100 * 4);
        if (!v) return Fail(v.error());
        *target = std::move(*v);
    }
    return {};
}

/// The optional text fields of an asset body, for create (`into` NewAsset) and update.
template <typename Target>
void ReadAssetText(http::JsonReader& body, Target& t, bool update) {
    auto text = [&](std::string_view key, std::size_t max, auto& field, bool lines = false) {
        if (update && body.IsNull(key)) {
            body.OptionalString(key, max);
            field = std::string();
            return;
        }
        auto v = lines ? body.OptionalLongText(key, max) : body.OptionalString(key, max);
        if (v) field = std::move(*v);
    };
    text("description", 2000, t.description, true);
    text("manager_person_id", kMaxIdChars, t.manager_person_id);
    text("system_id", kMaxIdChars, t.system_id);
    text("storage_location", 200, t.storage_location);
    text("integrity", 16, t.integrity);
    text("availability", 16, t.availability);
    text("retention", 100, t.retention);
    text("label_text", 100, t.label_text);
    text("next_review_on", 10, t.next_review_on);
    text("notes", 2000, t.notes, true);
    if (auto f = body.OptionalChoice("form", {"electronic", "paper", "both"})) t.form = *f;
    if (auto b = body.OptionalBool("personal_info")) t.personal_info = *b;
    if (auto b = body.OptionalBool("specific_personal_info")) t.specific_personal_info = *b;
    if (auto n = body.OptionalInt("copies", 0, 9999)) t.copies = static_cast<int>(*n);
}

void ReadSystemFields(http::JsonReader& body, SystemUpdate& u) {
    u.purpose = body.OptionalLongText("purpose", 2000);
    u.owner_unit_id = body.OptionalString("owner_unit_id", kMaxIdChars);
    u.zone = body.OptionalString("zone", 32);
    u.hosting = body.OptionalChoice("hosting", {"onprem", "datacenter", "cloud"});
    u.vendor = body.OptionalString("vendor", 200);
    u.highest_confidentiality = body.OptionalString("highest_confidentiality", 16);
    u.status = body.OptionalChoice("status", {"in_use", "planned", "retired"});
}

}  // namespace

void AddAssetsRoutes(http::Router& router, AssetsService& service, Registers& registers,
                     const org::RoleCatalog& roles) {
    AssetsService* svc = &service;
    Registers* reg = &registers;
    const org::RoleCatalog* role_catalog = &roles;
    // The catalog in force names the zones; a system answer reads it once per request.
    auto system_json = [svc](const System& s) {
        auto c = svc->CatalogInForce();
        return ToJson(s, c ? c->get() : nullptr);
    };
    auto asset_json = [](const Asset& a) { return ToJson(a); };
    const std::string read(kRead), manage(kManage);

    // ---- systems
    router.Add(
        {Method::kGet, "/api/v1/systems", read, http::RunOn::kWorker, [svc](Request& req) {
             SystemFilter f;
             if (auto r = ReadQuery(
                     req, {{"unit_id", &f.unit_id}, {"zone", &f.zone}, {"status", &f.status}});
                 !r)
                 return Error(r.error(), req);
             auto list = svc->ListSystems(ContextOf(req), f);
             if (!list) return Error(list.error(), req);
             auto c = svc->CatalogInForce();
             json::array items;
             for (const auto& s : *list) items.push_back(ToJson(s, c ? c->get() : nullptr));
             return Response::Json(
                 200, json::object{{"items", std::move(items)}, {"next_cursor", nullptr}});
         }});
    router.Add({Method::kPost, "/api/v1/systems", manage, http::RunOn::kWorker,
                [svc, system_json](Request& req) {
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Error(body.error(), req);
                    NewSystem n;
                    n.name = body->RequiredString("name", 100);
                    SystemUpdate u;
                    ReadSystemFields(*body, u);
                    if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    n.purpose = u.purpose.value_or("");
                    n.owner_unit_id = u.owner_unit_id.value_or("");
                    n.zone = u.zone.value_or("");
                    n.hosting = u.hosting.value_or("");
                    n.vendor = u.vendor.value_or("");
                    n.highest_confidentiality = u.highest_confidentiality.value_or("");
                    if (u.status) n.status = *u.status;
                    return Reply(svc->CreateSystem(ContextOf(req), n), req, 201, system_json);
                }});
    router.Add(
        {Method::kGet, "/api/v1/systems/export", read, http::RunOn::kWorker, [reg](Request& req) {
             auto format = FormatOf(req);
             if (!format) return Error(format.error(), req);
             auto f = reg->ExportSystems(ContextOf(req), *format);
             if (!f) return Error(f.error(), req);
             return FileResponse(std::move(*f));
         }});
    router.Add({Method::kPost, "/api/v1/systems/import", manage, http::RunOn::kWorker,
                [reg](Request& req) {
                    if (auto t = CheckUploadType(req); !t) return Error(t.error(), req);
                    auto dry = DryRun(req);
                    if (!dry) return Error(dry.error(), req);
                    auto r = reg->ImportSystems(ContextOf(req), req.body, *dry);
                    if (!r) return Error(r.error(), req);
                    if (!r->result.errors.empty()) return RowsError(req, r->result.errors);
                    return Response::Json(r->result.written ? 201 : 200, ImportJson(*r));
                },
                kMaxRegisterBytes});
    router.Add({Method::kGet, "/api/v1/systems/{id}", read, http::RunOn::kWorker,
                [svc, system_json](Request& req) {
                    return Reply(svc->GetSystem(ContextOf(req), std::string(req.Param("id"))), req,
                                 200, system_json);
                }});
    router.Add({Method::kPatch, "/api/v1/systems/{id}", manage, http::RunOn::kWorker,
                [svc, system_json](Request& req) {
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Error(body.error(), req);
                    SystemUpdate u;
                    u.name = body->OptionalString("name", 100);
                    ReadSystemFields(*body, u);
                    if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    return Reply(svc->UpdateSystem(ContextOf(req), std::string(req.Param("id")), u),
                                 req, 200, system_json);
                }});
    router.Add({Method::kGet, "/api/v1/systems/{id}/history", read, http::RunOn::kWorker,
                [svc](Request& req) {
                    auto limit = http::QueryInt(req, "limit", 50, 1, 200);
                    if (!limit) return Error(limit.error(), req);
                    return Reply(svc->SystemHistory(ContextOf(req), std::string(req.Param("id")),
                                                    static_cast<int>(*limit)),
                                 req, 200, HistoryJson);
                }});

    // ---- assets
    router.Add({Method::kGet, "/api/v1/assets", read, http::RunOn::kWorker,
                [svc, asset_json](Request& req) {
                    AssetFilter f;
                    if (auto r = ReadQuery(req, {{"unit_id", &f.unit_id},
                                                 {"system_id", &f.system_id},
                                                 {"zone", &f.zone},
                                                 {"confidentiality", &f.confidentiality},
                                                 {"integrity", &f.integrity},
                                                 {"availability", &f.availability},
                                                 {"review_due_by", &f.review_due_by},
                                                 {"status", &f.status},
                                                 {"q", &f.q},
                                                 {"sort", &f.sort},
                                                 {"cursor", &f.cursor}});
                        !r)
                        return Error(r.error(), req);
                    auto personal = QueryBool(req, "personal_info");
                    if (!personal) return Error(personal.error(), req);
                    f.personal_info = *personal;
                    auto specific = QueryBool(req, "specific_personal_info");
                    if (!specific) return Error(specific.error(), req);
                    f.specific_personal_info = *specific;
                    auto limit = http::QueryInt(req, "limit", 50, 1, 200);
                    if (!limit) return Error(limit.error(), req);
                    f.limit = static_cast<int>(*limit);
                    auto page = svc->ListAssets(ContextOf(req), f);
                    if (!page) return Error(page.error(), req);
                    json::array items;
                    for (const auto& a : page->items) items.push_back(asset_json(a));
                    return Response::Json(200,
                                          json::object{{"items", std::move(items)},
                                                       {"next_cursor", OrNull(page->next_cursor)}});
                }});
    router.Add({Method::kPost, "/api/v1/assets", manage, http::RunOn::kWorker,
                [svc, asset_json](Request& req) {
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Error(body.error(), req);
                    NewAsset n;
                    n.name = body->RequiredString("name", 200);
                    n.owner_unit_id = body->RequiredString("owner_unit_id", kMaxIdChars);
                    n.confidentiality = body->RequiredString("confidentiality", 16);
                    n.asset_number = body->OptionalString("asset_number", 32).value_or("");
                    ReadAssetText(*body, n, false);
                    if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    return Reply(svc->CreateAsset(ContextOf(req), n), req, 201, asset_json);
                }});
    router.Add(
        {Method::kGet, "/api/v1/assets/stats", read, http::RunOn::kWorker, [svc](Request& req) {
             auto unit = http::QueryText(req, "unit_id", kMaxIdChars);
             if (!unit) return Error(unit.error(), req);
             auto s = svc->Stats(ContextOf(req), *unit);
             if (!s) return Error(s.error(), req);
             auto catalog = svc->CatalogInForce();
             const policy::Catalog* c = catalog ? catalog->get() : nullptr;
             auto level_name = [c](const std::string& key) {
                 if (c)
                     if (const auto* l = FindLevel(c->classification(), "confidentiality", key))
                         return l->name;
                 return key;
             };
             json::array levels, zones;
             for (const auto& b : s->by_confidentiality)
                 levels.push_back(
                     {{"level", b.level}, {"name", level_name(b.level)}, {"count", b.count}});
             for (const auto& z : s->by_zone)
                 zones.push_back({{"zone", OrNull(z.zone)},
                                  {"zone_name", z.zone.empty() ? json::value(nullptr)
                                                               : json::value(ZoneName(c, z.zone))},
                                  {"confidentiality", z.confidentiality},
                                  {"count", z.count}});
             return Response::Json(
                 200, json::object{{"active", s->active},
                                   {"disposed", s->disposed},
                                   {"personal_info", s->personal_info},
                                   {"specific_personal_info", s->specific_personal_info},
                                   {"review_overdue", s->review_overdue},
                                   {"review_due_soon", s->review_due_soon},
                                   {"by_confidentiality", std::move(levels)},
                                   {"by_zone", std::move(zones)}});
         }});
    router.Add(
        {Method::kGet, "/api/v1/assets/warnings", read, http::RunOn::kWorker, [svc](Request& req) {
             WarningFilter f;
             if (auto r = ReadQuery(
                     req, {{"unit_id", &f.unit_id}, {"code", &f.code}, {"cursor", &f.cursor}});
                 !r)
                 return Error(r.error(), req);
             auto limit = http::QueryInt(req, "limit", 50, 1, 200);
             if (!limit) return Error(limit.error(), req);
             f.limit = static_cast<int>(*limit);
             auto page = svc->ListWarnings(ContextOf(req), f);
             if (!page) return Error(page.error(), req);
             json::array items;
             for (const auto& w : page->items)
                 items.push_back({{"asset",
                                   {{"id", w.asset.id},
                                    {"asset_number", w.asset.asset_number},
                                    {"name", w.asset.name},
                                    {"owner_unit_id", w.asset.owner_unit_id},
                                    {"system_id", OrNull(w.asset.system_id)},
                                    {"confidentiality", w.asset.confidentiality}}},
                                  {"warnings", WarningsJson(w.warnings)}});
             json::array checks;
             if (auto c = svc->CatalogInForce(); c)
                 for (const auto& k : ConsistencyChecks((*c)->classification()))
                     checks.push_back(
                         {{"code", k.code}, {"ref", k.ref}, {"description", k.description}});
             return Response::Json(200, json::object{{"items", std::move(items)},
                                                     {"next_cursor", OrNull(page->next_cursor)},
                                                     {"checks", std::move(checks)}});
         }});
    router.Add({Method::kPost, "/api/v1/assets/review", manage, http::RunOn::kWorker,
                [svc, asset_json](Request& req) {
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Error(body.error(), req);
                    Review r;
                    auto ids = body->OptionalStringList("asset_ids", kMaxReviewBatch, kMaxIdChars);
                    r.next_review_on = body->OptionalDate("next_review_on").value_or("");
                    if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    r.asset_ids = ids.value_or(std::vector<std::string>{});
                    auto done = svc->ReviewAssets(ContextOf(req), r);
                    if (!done) return Error(done.error(), req);
                    json::array items;
                    for (const auto& a : done->items) items.push_back(asset_json(a));
                    return Response::Json(200,
                                          json::object{{"reviewed_on", done->reviewed_on},
                                                       {"next_review_on", done->next_review_on},
                                                       {"items", std::move(items)}});
                }});
    router.Add(
        {Method::kGet, "/api/v1/assets/export", read, http::RunOn::kWorker, [reg](Request& req) {
             auto format = FormatOf(req);
             if (!format) return Error(format.error(), req);
             auto unit = http::QueryText(req, "unit_id", kMaxIdChars);
             if (!unit) return Error(unit.error(), req);
             auto f = reg->ExportAssets(ContextOf(req), *format, *unit);
             if (!f) return Error(f.error(), req);
             return FileResponse(std::move(*f));
         }});
    router.Add({Method::kPost, "/api/v1/assets/import", manage, http::RunOn::kWorker,
                [reg](Request& req) {
                    if (auto t = CheckUploadType(req); !t) return Error(t.error(), req);
                    auto dry = DryRun(req);
                    if (!dry) return Error(dry.error(), req);
                    auto r = reg->ImportAssets(ContextOf(req), req.body, *dry);
                    if (!r) return Error(r.error(), req);
                    if (!r->result.errors.empty()) return RowsError(req, r->result.errors);
                    return Response::Json(r->result.written ? 201 : 200, ImportJson(*r));
                },
                kMaxRegisterBytes});
    router.Add({Method::kGet, "/api/v1/assets/{id}", read, http::RunOn::kWorker,
                [svc, asset_json](Request& req) {
                    return Reply(svc->GetAsset(ContextOf(req), std::string(req.Param("id"))), req,
                                 200, asset_json);
                }});
    router.Add({Method::kPatch, "/api/v1/assets/{id}", manage, http::RunOn::kWorker,
                [svc, asset_json](Request& req) {
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Error(body.error(), req);
                    AssetUpdate u;
                    u.name = body->OptionalString("name", 200);
                    u.owner_unit_id = body->OptionalString("owner_unit_id", kMaxIdChars);
                    u.confidentiality = body->OptionalString("confidentiality", 16);
                    ReadAssetText(*body, u, true);  // the optional fields of AssetUpdate
                    if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    return Reply(svc->UpdateAsset(ContextOf(req), std::string(req.Param("id")), u),
                                 req, 200, asset_json);
                }});
    router.Add({Method::kPost, "/api/v1/assets/{id}/dispose", manage, http::RunOn::kWorker,
                [svc, asset_json](Request& req) {
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Error(body.error(), req);
                    Disposal d;
                    d.method = body->RequiredString("method", 200);
                    d.disposed_on = body->OptionalDate("disposed_on").value_or("");
                    d.disposed_by = body->OptionalString("disposed_by", kMaxIdChars).value_or("");
                    d.witness = body->OptionalString("witness", 100).value_or("");
                    if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    return Reply(svc->DisposeAsset(ContextOf(req), std::string(req.Param("id")), d),
                                 req, 200, asset_json);
                }});
    router.Add({Method::kGet, "/api/v1/assets/{id}/history", read, http::RunOn::kWorker,
                [svc](Request& req) {
                    auto limit = http::QueryInt(req, "limit", 50, 1, 200);
                    if (!limit) return Error(limit.error(), req);
                    return Reply(svc->AssetHistory(ContextOf(req), std::string(req.Param("id")),
                                                   static_cast<int>(*limit)),
                                 req, 200, HistoryJson);
                }});
    router.Add({Method::kGet, "/api/v1/assets/{id}/warnings", read, http::RunOn::kWorker,
                [svc](Request& req) {
                    return Reply(svc->Warnings(ContextOf(req), std::string(req.Param("id"))), req,
                                 200, [](const std::vector<Warning>& ws) {
                                     return json::object{{"items", WarningsJson(ws)}};
                                 });
                }});
    router.Add(
        {Method::kGet, "/api/v1/assets/{id}/handling", read, http::RunOn::kWorker,
         [svc, role_catalog](Request& req) {
             const std::string id(req.Param("id"));
             auto asset = svc->GetAsset(ContextOf(req), id);
             if (!asset) return Error(asset.error(), req);
             auto rules = svc->Handling(ContextOf(req), id);
             if (!rules) return Error(rules.error(), req);
             auto catalog = svc->CatalogInForce();
             if (!catalog) return Error(catalog.error(), req);
             const policy::ClassificationScheme& scheme = (*catalog)->classification();
             auto level = [&](std::string_view axis, const std::string& key) -> json::value {
                 const policy::Level* l = FindLevel(scheme, axis, key);
                 if (!l) return nullptr;
                 return json::object{{"key", l->key}, {"name", l->name}};
             };
             auto role_name = [role_catalog](const std::string& key) {
                 const org::Role* r = role_catalog->Find(key);
                 return r ? r->name : key;
             };
             json::array out;
             for (const auto& r : *rules) {
                 json::object fields;
                 for (const auto& [k, v] : r.fields) {
                     if (v == "true" || v == "false")
                         fields[k] = v == "true";
                     else
                         fields[k] = v;
                 }
                 json::array sources;
                 for (const auto& s : r.sources)
                     sources.push_back(
                         {{"axis", s.axis}, {"level", s.level}, {"ref", s.ref}, {"note", s.note}});
                 out.push_back({{"key", r.key},
                                {"title", RuleTitle(r.key)},
                                {"text", DescribeRule(r, role_name)},
                                {"fields", std::move(fields)},
                                {"ref", r.ref},
                                {"note", r.note},
                                {"sources", std::move(sources)}});
             }
             return Response::Json(
                 200, json::object{
                          {"scheme", {{"key", scheme.key}, {"name", scheme.name}}},
                          {"levels",
                           {{"confidentiality", level("confidentiality", asset->confidentiality)},
                            {"integrity", level("integrity", asset->integrity)},
                            {"availability", level("availability", asset->availability)}}},
                          {"rules", std::move(out)}});
         }});
}

}  // namespace mamori::assets
