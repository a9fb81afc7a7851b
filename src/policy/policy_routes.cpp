#include "policy/policy_routes.h"

#include <boost/json.hpp>
#include <map>
#include <mutex>

#include "http/json_reader.h"
#include "policy/coverage.h"
#include "policy/diff.h"
#include "policy/oscal.h"

namespace mamori::policy {

namespace {

namespace json = boost::json;
using http::Method;
using http::Request;
using http::Response;

constexpr std::string_view kSession = "session";

Response Error(const mamori::Error& e, const Request& req) {
    return http::ErrorResponse(e, req.request_id);
}

json::array Strings(const std::vector<std::string>& v) {
    json::array a;
    for (const auto& s : v) a.emplace_back(s);
    return a;
}

using http::OrNull;

json::object VersionJson(const VersionInfo& v) {
    return {{"id", v.id},
            {"version", v.version},
            {"city", v.city},
            {"title", v.title},
            {"effective_date", v.effective_date},
            {"content_sha256", v.content_sha256},
            {"loaded_at", v.loaded_at},
            {"loaded_by", OrNull(v.loaded_by)},
            {"in_force", v.in_force}};
}

json::object BasicJson(const BasicItem& b) {
    json::array items;
    for (const auto& i : b.items) items.push_back(BasicJson(i));
    return {{"ref", b.ref},
            {"title", b.title},
            {"text", b.text},
            {"closing", b.closing},
            {"items", std::move(items)}};
}

// A node of 第2章 with the requirement fields of a leaf; children are added by the caller.
json::object ControlJson(const Catalog& c, const Control& ctl) {
    json::object o{{"ref", ctl.ref},
                   {"title", ctl.title},
                   {"parent", OrNull(ctl.parent)},
                   {"depth", ctl.depth},
                   {"leaf", ctl.leaf()}};
    if (!ctl.leaf()) return o;
    json::array roles;
    for (const auto& k : ctl.roles) {
        const org::Role* r = c.roles().Find(k);
        roles.push_back(json::object{{"key", k}, {"name", r ? r->name : k}});
    }
    json::array implemented;
    if (!ctl.manual())
        for (const auto& k : ctl.implemented_by) {
            const Capability* cap = c.FindCapability(k);
            implemented.push_back(json::object{{"key", k},
                                               {"name", cap ? cap->name : k},
                                               {"status", cap ? cap->status : "unknown"}});
        }
    json::array related;
    for (const auto& ref : ctl.related) {
        const Control* r = c.Find(ref);
        related.push_back(json::object{{"ref", ref}, {"title", r ? r->title : ""}});
    }
    o["requirement"] = ctl.requirement;
    o["roles"] = std::move(roles);
    o["evidence"] = Strings(ctl.evidence);
    o["questions"] = Strings(ctl.questions);
    o["manual"] = ctl.manual();
    o["implemented_by"] = std::move(implemented);
    o["related"] = std::move(related);
    return o;
}

std::string AsciiLower(std::string s) {
    for (char& ch : s)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return s;
}

bool Matches(const Control& ctl, const std::string& q) {
    auto has = [&q](const std::string& s) { return AsciiLower(s).find(q) != std::string::npos; };
    if (has(ctl.ref) || has(ctl.title) || has(ctl.requirement)) return true;
    for (const auto* list : {&ctl.evidence, &ctl.questions})
        for (const auto& s : *list)
            if (has(s)) return true;
    return false;
}

// The subtree at `ctl`; with a query, only what matches it and the path down to it (a node
// that matches itself keeps all its children). Null when nothing below matches.
std::optional<json::object> Tree(const Catalog& c, const Control& ctl, const std::string& q) {
    const bool self = q.empty() || Matches(ctl, q);
    json::array children;
    for (const auto& ref : ctl.children)
        if (auto child = Tree(c, *c.Find(ref), self ? std::string() : q))
            children.push_back(std::move(*child));
    if (!self && children.empty()) return std::nullopt;
    auto o = ControlJson(c, ctl);
    if (!ctl.leaf()) o["items"] = std::move(children);
    return o;
}

json::object SchemeJson(const ClassificationScheme& s) {
    json::array axes;
    for (const auto& a : s.axes) {
        json::array levels;
        for (const auto& l : a.levels) {
            json::array rules;
            for (const auto& h : l.handling) {
                json::object fields;
                for (const auto& [k, v] : h.fields) {
                    if (v == "true" || v == "false")
                        fields[k] = v == "true";
                    else
                        fields[k] = v;
                }
                rules.push_back(json::object{{"key", h.key},
                                             {"fields", std::move(fields)},
                                             {"ref", OrNull(h.ref)},
                                             {"note", OrNull(h.note)}});
            }
            levels.push_back(json::object{{"key", l.key},
                                          {"name", l.name},
                                          {"rank", l.rank},
                                          {"definition", l.definition},
                                          {"handling", std::move(rules)}});
        }
        axes.push_back(
            json::object{{"key", a.key}, {"name", a.name}, {"levels", std::move(levels)}});
    }
    return {{"key", s.key},         {"name", s.name}, {"source", OrNull(s.source)},
            {"ref", OrNull(s.ref)}, {"file", s.file}, {"axes", std::move(axes)}};
}

json::object ZonesJson(const Zones& z) {
    json::array methods, zones, flows;
    for (const auto& m : z.methods)
        methods.push_back(
            json::object{{"key", m.key}, {"name", m.name}, {"description", m.description}});
    for (const auto& zone : z.zones)
        zones.push_back(json::object{{"key", zone.key},
                                     {"name", zone.name},
                                     {"ref", zone.ref},
                                     {"description", zone.description}});
    for (const auto& f : z.flows)
        flows.push_back(json::object{{"from", f.from},
                                     {"to", f.to},
                                     {"rule", f.rule},
                                     {"methods", Strings(f.methods)},
                                     {"ref", OrNull(f.ref)},
                                     {"note", OrNull(f.note)}});
    return {
        {"methods", std::move(methods)}, {"zones", std::move(zones)}, {"flows", std::move(flows)}};
}

json::object AckJson(const MyAcknowledgement& a) {
    return {{"version", VersionJson(a.version)},
            {"acknowledged", !a.acknowledged_at.empty()},
            {"acknowledged_at", OrNull(a.acknowledged_at)}};
}

// The version a request asks for (?version=), or the one in force.
Result<LoadedVersion> Selected(PolicyService& svc, const Request& req) {
    auto v = http::QueryText(req, "version", 64);
    if (!v) return Fail(v.error());
    return v->empty() ? svc.InForce() : svc.Get(*v);
}

// Serialised trees of 第2章 per version id: the reader's first request, answered from
// memory (a version's catalog never changes).
class TreeCache {
  public:
    std::string Get(const LoadedVersion& v) {
        std::lock_guard lock(mu_);
        auto it = trees_.find(v.info.id);
        if (it != trees_.end()) return it->second;
        json::array chapters;
        for (const auto& ctl : v.catalog->controls())
            if (ctl.parent.empty())
                if (auto t = Tree(*v.catalog, ctl, {})) chapters.push_back(std::move(*t));
        std::string body = json::serialize(
            json::object{{"version", VersionJson(v.info)}, {"items", std::move(chapters)}});
        return trees_.emplace(v.info.id, std::move(body)).first->second;
    }

  private:
    std::mutex mu_;
    std::map<std::string, std::string> trees_;
};

}  // namespace

void AddPolicyRoutes(http::Router& router, PolicyService& service) {
    PolicyService* svc = &service;
    auto trees = std::make_shared<TreeCache>();

    router.Add({Method::kGet, "/api/v1/policy", std::string(kSession), http::RunOn::kWorker,
                [svc](Request& req) {
                    auto v = Selected(*svc, req);
                    if (!v) return Error(v.error(), req);
                    const PolicyInfo& p = v->catalog->policy();
                    json::array structure, revisions;
                    for (const auto& s : p.structure)
                        structure.push_back(json::object{{"document", s.document},
                                                         {"part_of", OrNull(s.part_of)},
                                                         {"description", s.description}});
                    for (const auto& r : p.revisions)
                        revisions.push_back(
                            json::object{{"date", r.date}, {"label", r.label}, {"kind", r.kind}});
                    int requirements = 0;
                    for (const auto& c : v->catalog->controls()) requirements += c.leaf();
                    return Response::Json(
                        200, json::object{{"version", VersionJson(v->info)},
                                          {"city", p.city},
                                          {"title", p.title},
                                          {"effective_date", p.effective_date},
                                          {"preface", p.preface},
                                          {"structure", std::move(structure)},
                                          {"revisions", std::move(revisions)},
                                          {"answer_options", Strings(p.answer_options)},
                                          {"requirements", requirements}});
                }});

    router.Add({Method::kGet, "/api/v1/policy/versions", std::string(kSession),
                http::RunOn::kWorker, [svc](Request& req) {
                    auto all = svc->Versions();
                    if (!all) return Error(all.error(), req);
                    json::array items;
                    for (const auto& v : *all) items.push_back(VersionJson(v));
                    return Response::Json(200, json::object{{"items", std::move(items)}});
                }});

    router.Add({Method::kGet, "/api/v1/policy/basic", std::string(kSession), http::RunOn::kWorker,
                [svc](Request& req) {
                    auto v = Selected(*svc, req);
                    if (!v) return Error(v.error(), req);
                    json::array items;
                    for (const auto& b : v->catalog->basic()) items.push_back(BasicJson(b));
                    return Response::Json(200,
                                          json::object{{"version", VersionJson(v->info)},
                                                       {"chapter", v->catalog->basic_chapter()},
                                                       {"items", std::move(items)}});
                }});

    router.Add({Method::kGet, "/api/v1/policy/controls", std::string(kSession),
                http::RunOn::kWorker, [svc, trees](Request& req) {
                    auto v = Selected(*svc, req);
                    if (!v) return Error(v.error(), req);
                    auto q = http::QueryText(req, "q", 200);
                    if (!q) return Error(q.error(), req);
                    if (q->empty()) return Response::Text(200, "application/json", trees->Get(*v));
                    const std::string needle = AsciiLower(*q);
                    json::array chapters;
                    for (const auto& ctl : v->catalog->controls())
                        if (ctl.parent.empty())
                            if (auto t = Tree(*v->catalog, ctl, needle))
                                chapters.push_back(std::move(*t));
                    return Response::Json(200, json::object{{"version", VersionJson(v->info)},
                                                            {"items", std::move(chapters)}});
                }});

    router.Add({Method::kGet, "/api/v1/policy/controls/{ref}", std::string(kSession),
                http::RunOn::kWorker, [svc](Request& req) {
                    auto v = Selected(*svc, req);
                    if (!v) return Error(v.error(), req);
                    const Control* ctl = v->catalog->Find(req.Param("ref"));
                    if (!ctl)
                        return Error(mamori::Error::NotFound("その項目は対策基準にありません"),
                                     req);
                    auto o = *Tree(*v->catalog, *ctl, {});
                    o["version"] = VersionJson(v->info);
                    o["file"] = ctl->file;
                    return Response::Json(200, o);
                }});

    router.Add({Method::kGet, "/api/v1/policy/classification", std::string(kSession),
                http::RunOn::kWorker, [svc](Request& req) {
                    auto v = Selected(*svc, req);
                    if (!v) return Error(v.error(), req);
                    json::array others;
                    for (const auto& s : v->catalog->schemes())
                        if (s.file != v->catalog->classification().file)
                            others.push_back(
                                json::object{{"key", s.key}, {"name", s.name}, {"file", s.file}});
                    auto o = SchemeJson(v->catalog->classification());
                    o["version"] = VersionJson(v->info);
                    o["alternatives"] = std::move(others);
                    return Response::Json(200, o);
                }});

    router.Add({Method::kGet, "/api/v1/policy/zones", std::string(kSession), http::RunOn::kWorker,
                [svc](Request& req) {
                    auto v = Selected(*svc, req);
                    if (!v) return Error(v.error(), req);
                    auto o = ZonesJson(v->catalog->zones());
                    o["version"] = VersionJson(v->info);
                    return Response::Json(200, o);
                }});

    router.Add({Method::kGet, "/api/v1/policy/versions/{a}/diff/{b}", std::string(kSession),
                http::RunOn::kWorker, [svc](Request& req) {
                    auto a = svc->Get(std::string(req.Param("a")));
                    if (!a) return Error(a.error(), req);
                    auto b = svc->Get(std::string(req.Param("b")));
                    if (!b) return Error(b.error(), req);
                    return Response::Json(200, ToJson(Diff(*a->catalog, *b->catalog)));
                }});

    router.Add({Method::kGet, "/api/v1/policy/coverage", std::string(kSession),
                http::RunOn::kWorker, [svc](Request& req) {
                    auto v = Selected(*svc, req);
                    if (!v) return Error(v.error(), req);
                    return Response::Json(200, ToJson(Cover(*v->catalog)));
                }});

    router.Add({Method::kGet, "/api/v1/policy/export/oscal", std::string(kSession),
                http::RunOn::kWorker, [svc](Request& req) {
                    auto v = Selected(*svc, req);
                    if (!v) return Error(v.error(), req);
                    return Response::Download("application/json",
                                              boost::json::serialize(ToOscal(*v->catalog)),
                                              "mamori-policy-oscal-" + v->info.version + ".json");
                }});

    router.Add({Method::kGet, "/api/v1/policy/acknowledgements", std::string(kSession),
                http::RunOn::kWorker, [svc](Request& req) {
                    auto a = svc->Mine(ContextOf(req));
                    if (!a) return Error(a.error(), req);
                    return Response::Json(200, AckJson(*a));
                }});

    router.Add({Method::kPost, "/api/v1/policy/acknowledgements", std::string(kSession),
                http::RunOn::kWorker, [svc](Request& req) {
                    if (!req.body.empty()) {
                        auto body = http::JsonReader::FromBody(req);
                        if (!body) return Error(body.error(), req);
                        if (auto f = body->Finish(); !f) return Error(f.error(), req);
                    }
                    auto a = svc->Acknowledge(ContextOf(req));
                    if (!a) return Error(a.error(), req);
                    return Response::Json(200, AckJson(*a));
                }});

    router.Add({Method::kGet, "/api/v1/policy/acknowledgements/units",
                "policy.acknowledgements.read", http::RunOn::kWorker, [svc](Request& req) {
                    auto units = svc->ByUnit(ContextOf(req));
                    if (!units) return Error(units.error(), req);
                    auto current = svc->InForce();
                    if (!current) return Error(current.error(), req);
                    json::array items;
                    for (const auto& u : *units) {
                        json::array pending;
                        for (const auto& p : u.pending)
                            pending.push_back(json::object{{"person_id", p.person_id},
                                                           {"username", p.username},
                                                           {"display_name", p.display_name}});
                        items.push_back(json::object{{"unit_id", u.unit_id},
                                                     {"unit_name", u.unit_name},
                                                     {"unit_path", u.unit_path},
                                                     {"depth", u.depth},
                                                     {"people", u.people},
                                                     {"acknowledged", u.acknowledged},
                                                     {"pending", std::move(pending)}});
                    }
                    return Response::Json(200, json::object{{"version", VersionJson(current->info)},
                                                            {"items", std::move(items)}});
                }});
}

}  // namespace mamori::policy
