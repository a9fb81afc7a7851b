#include "auth/auth_routes.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <boost/json.hpp>

#include "audit/audit.h"
#include "http/json_reader.h"

namespace mamori::auth {

namespace {

namespace json = boost::json;
using http::Method;
using http::Request;
using http::Response;
using http::RunOn;

bool StateChanging(Method m) {
    return m == Method::kPost || m == Method::kPut || m == Method::kPatch || m == Method::kDelete;
}

bool SameSecret(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string Cookie(const std::string& token, bool secure, std::chrono::seconds max_age) {
    return std::string(kSessionCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict" +
           (secure ? "; Secure" : "") + "; Max-Age=" + std::to_string(max_age.count());
}

json::object StepJson(const LoginStep& s) {
    json::object o{{"status", StageName(s.stage)}, {"csrf_token", s.csrf_token}};
    if (s.stage == Stage::kFull) {
        o["previous_login"] = s.previous_login_at
                                  ? json::value(json::object{
                                        {"at", *s.previous_login_at},
                                        {"client_address", s.previous_login_address.value_or("")}})
                                  : json::value(nullptr);
        o["failed_attempts_since"] = s.failed_attempts_since;
    }
    return o;
}

json::object PrincipalJson(const Principal& p) {
    json::array grants, permissions;
    for (const auto& g : p.grants)
        grants.push_back(json::object{
            {"role", g.role},
            {"unit_id", g.unit_id.empty() ? json::value(nullptr) : json::value(g.unit_id)}});
    for (const auto& perm : p.permissions) permissions.push_back(json::value(perm));
    return json::object{{"id", p.person_id},
                        {"username", p.username},
                        {"display_name", p.display_name},
                        {"platform_admin", p.platform_admin},
                        {"roles", std::move(grants)},
                        {"permissions", std::move(permissions)}};
}

json::object PolicyJson(const PasswordPolicy& p) {
    return json::object{{"min_length", p.min_length},
                        {"min_classes", p.min_classes},
                        {"history", p.history},
                        {"max_age_days", p.max_age_days}};
}

Response Err(const Error& e, const Request& req) { return http::ErrorResponse(e, req.request_id); }

}  // namespace

std::string SessionToken(const http::Request& req) {
    auto header = req.Header("cookie");
    if (!header) return {};
    std::string_view h = *header;
    const std::string_view name = kSessionCookie;
    while (!h.empty()) {
        auto semi = h.find(';');
        std::string_view part = h.substr(0, semi);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        if (part.size() > name.size() && part.substr(0, name.size()) == name &&
            part[name.size()] == '=')
            return std::string(part.substr(name.size() + 1));
        if (semi == std::string_view::npos) break;
        h.remove_prefix(semi + 1);
    }
    return {};
}

http::Authorizer MakeAuthorizer(AuthService& auth, TokenService& tokens, PrincipalLoader loader,
                                AuthRouteOptions options) {
    return [&auth, &tokens, loader = std::move(loader), options = std::move(options)](
               Request& req, const http::Route& route) -> Result<void> {
        const std::string& perm = route.permission;
        if (auto bearer = req.Header("authorization");
            bearer && bearer->substr(0, 7) == "Bearer ") {
            auto id = tokens.Authenticate(std::string(bearer->substr(7)));
            if (!id) return Fail(id.error());
            if (perm == kPartialSession)
                return Fail({ErrorKind::kForbidden,
                             "forbidden",
                             "API トークンではこの操作はできません",
                             {}});
            auto principal = loader(id->person_id);
            if (!principal) return Fail(principal.error());
            std::vector<std::string> allowed;
            for (const auto& p : principal->permissions)
                if (std::find(id->permissions.begin(), id->permissions.end(), p) !=
                    id->permissions.end())
                    allowed.push_back(p);
            principal->permissions = std::move(allowed);
            if (perm != kAnySession && !principal->Has(perm))
                return Fail(
                    {ErrorKind::kForbidden, "forbidden", "この操作をする権限がありません", {}});
            for (const auto& e : options.elevated_permissions)
                if (perm == e)
                    return Fail({ErrorKind::kForbidden,
                                 "elevation_required",
                                 "昇格が必要な管理操作は API トークンではできません",
                                 {}});
            req.principal = std::make_shared<const Principal>(std::move(*principal));
            return {};
        }
        const std::string token = SessionToken(req);
        if (token.empty())
            return Fail({ErrorKind::kUnauthenticated, "unauthenticated", "ログインが必要です", {}});
        auto session = auth.Authenticate(token);
        if (!session) return Fail(session.error());
        if (session->stage != Stage::kFull && route.permission != kPartialSession)
            return Fail(
                {ErrorKind::kForbidden,
                 "login_incomplete",
                 "ログインが完了していません (" + std::string(StageName(session->stage)) + ")",
                 {}});
        if (StateChanging(req.method)) {
            auto header = req.Header("x-csrf-token");
            if (!header || !SameSecret(*header, session->csrf_token))
                return Fail({ErrorKind::kForbidden,
                             "csrf_failed",
                             "X-CSRF-Token ヘッダがないか、正しくありません",
                             {}});
        }
        auto principal = loader(session->person_id);
        if (!principal) return Fail(principal.error());
        principal->session_stage = std::string(StageName(session->stage));
        principal->elevated = session->elevated;
        principal->elevated_until = session->elevated_until;
        principal->csrf_token = session->csrf_token;
        if (perm != kAnySession && perm != kPartialSession && !principal->Has(perm))
            return Fail({ErrorKind::kForbidden, "forbidden", "この操作をする権限がありません", {}});
        for (const auto& e : options.elevated_permissions) {
            if (perm == e && !session->elevated)
                return Fail({ErrorKind::kForbidden,
                             "elevation_required",
                             "管理操作の前に、パスワードを入力して権限の昇格をしてください",
                             {}});
        }
        req.principal = std::make_shared<const Principal>(std::move(*principal));
        return {};
    };
}

void AddAuthRoutes(http::Router& router, AuthService& auth, AuthRouteOptions options) {
    const bool secure = options.secure_cookie;
    const auto lifetime =
        std::chrono::duration_cast<std::chrono::seconds>(auth.options().session_absolute);

    router.Add({Method::kGet, "/api/v1/auth/banner", "public", RunOn::kIo, [&auth](Request&) {
                    return Response::Json(200, json::object{{"banner", auth.options().banner}});
                }});

    router.Add({Method::kPost, "/api/v1/auth/login", "public", RunOn::kWorker,
                [&auth, secure, lifetime](Request& req) {
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Err(body.error(), req);
                    std::string username = body->RequiredString("username", 64);
                    std::string password = body->RequiredString("password", 256);
                    if (auto f = body->Finish(); !f) return Err(f.error(), req);
                    auto step = auth.Login(http::ContextOf(req), username, password);
                    if (!step) {
                        Response r = Err(step.error(), req);
                        if (step.error().kind == ErrorKind::kRateLimited)
                            r.headers.emplace_back("Retry-After", "60");
                        return r;
                    }
                    json::object o = StepJson(*step);
                    if (step->stage == Stage::kPasswordChangeRequired)
                        o["password_rules"] = PolicyJson(auth.options().password);
                    Response r = Response::Json(200, o);
                    r.headers.emplace_back("Set-Cookie", Cookie(step->token, secure, lifetime));
                    return r;
                }});

    router.Add({Method::kPost, "/api/v1/auth/password", kPartialSession, RunOn::kWorker,
                [&auth](Request& req) {
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Err(body.error(), req);
                    std::string current = body->RequiredString("current_password", 256);
                    std::string next = body->RequiredString("new_password", 256);
                    if (auto f = body->Finish(); !f) return Err(f.error(), req);
                    auto step =
                        auth.ChangePassword(http::ContextOf(req), SessionToken(req), current, next);
                    if (!step) return Err(step.error(), req);
                    return Response::Json(200, StepJson(*step));
                }});

    router.Add({Method::kPost, "/api/v1/auth/mfa/enroll", kPartialSession, RunOn::kWorker,
                [&auth](Request& req) {
                    auto e = auth.BeginMfaEnrollment(http::ContextOf(req), SessionToken(req));
                    if (!e) return Err(e.error(), req);
                    return Response::Json(
                        200, json::object{{"secret", e->secret}, {"otpauth_uri", e->otpauth_uri}});
                }});

    router.Add({Method::kPost, "/api/v1/auth/mfa/enroll/confirm", kPartialSession, RunOn::kWorker,
                [&auth](Request& req) {
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Err(body.error(), req);
                    std::string code = body->RequiredString("code", 16);
                    if (auto f = body->Finish(); !f) return Err(f.error(), req);
                    auto r =
                        auth.ConfirmMfaEnrollment(http::ContextOf(req), SessionToken(req), code);
                    if (!r) return Err(r.error(), req);
                    json::object o = StepJson(r->first);
                    json::array codes;
                    for (const auto& c : r->second) codes.push_back(json::value(c));
                    o["recovery_codes"] = std::move(codes);
                    return Response::Json(200, o);
                }});

    router.Add(
        {Method::kPost, "/api/v1/auth/mfa", kPartialSession, RunOn::kWorker, [&auth](Request& req) {
             auto body = http::JsonReader::FromBody(req);
             if (!body) return Err(body.error(), req);
             std::string code = body->RequiredString("code", 32);
             if (auto f = body->Finish(); !f) return Err(f.error(), req);
             auto step = auth.VerifyMfa(http::ContextOf(req), SessionToken(req), code);
             if (!step) return Err(step.error(), req);
             return Response::Json(200, StepJson(*step));
         }});

    router.Add(
        {Method::kGet, "/api/v1/auth/me", kAnySession, RunOn::kWorker, [&auth](Request& req) {
             const Principal& p = *req.principal;
             auto history = auth.LoginHistory(p.person_id, 1);
             if (!history) return Err(history.error(), req);
             history->stage = Stage::kFull;
             history->csrf_token = p.csrf_token;
             json::object o = StepJson(*history);
             o["user"] = PrincipalJson(p);
             o["elevated"] = p.elevated;
             return Response::Json(200, o);
         }});

    router.Add(
        {Method::kGet, "/api/v1/auth/history", kAnySession, RunOn::kWorker, [&auth](Request& req) {
             // The caller's own sign-ins, failures, lockouts and account changes.
             audit::Filter f;
             f.actor_id = req.principal->person_id;
             f.action = "auth.";
             f.limit = 50;
             auto events = audit::List(auth.database(), f);
             if (!events) return Err(events.error(), req);
             json::array items;
             for (const auto& e : *events) items.push_back(audit::ToJson(e));
             return Response::Json(
                 200, json::object{{"items", std::move(items)}, {"next_cursor", nullptr}});
         }});

    router.Add({Method::kPost, "/api/v1/auth/logout", kPartialSession, RunOn::kWorker,
                [&auth, secure](Request& req) {
                    bool everywhere = false;
                    if (!req.body.empty()) {
                        auto body = http::JsonReader::FromBody(req);
                        if (!body) return Err(body.error(), req);
                        everywhere = body->OptionalBool("everywhere").value_or(false);
                        if (auto f = body->Finish(); !f) return Err(f.error(), req);
                    }
                    auto r = auth.Logout(http::ContextOf(req), SessionToken(req), everywhere);
                    if (!r) return Err(r.error(), req);
                    Response res = Response::Json(200, json::object{{"status", "logged_out"}});
                    res.headers.emplace_back("Set-Cookie",
                                             Cookie("", secure, std::chrono::seconds(0)));
                    return res;
                }});

    router.Add(
        {Method::kPost, "/api/v1/auth/elevate", kAnySession, RunOn::kWorker, [&auth](Request& req) {
             auto body = http::JsonReader::FromBody(req);
             if (!body) return Err(body.error(), req);
             std::string password = body->RequiredString("password", 256);
             std::string code = body->OptionalString("code", 16).value_or("");
             if (auto f = body->Finish(); !f) return Err(f.error(), req);
             auto until = auth.Elevate(http::ContextOf(req), SessionToken(req), password, code);
             if (!until) return Err(until.error(), req);
             return Response::Json(
                 200, json::object{{"status", "elevated"}, {"elevated_until", *until}});
         }});
}

void AddTokenRoutes(http::Router& router, TokenService& tokens) {
    auto token_json = [](const ApiToken& t) {
        json::array perms;
        for (const auto& p : t.permissions) perms.push_back(json::value(p));
        return json::object{{"id", t.id},
                            {"name", t.name},
                            {"permissions", std::move(perms)},
                            {"expires_at", t.expires_at},
                            {"created_at", t.created_at},
                            {"last_used_at", t.last_used_at.empty() ? json::value(nullptr)
                                                                    : json::value(t.last_used_at)},
                            {"revoked", t.revoked}};
    };
    auto session_only = [](const Request& req) -> Result<void> {
        if (req.principal->session_stage.empty())
            return Fail({ErrorKind::kForbidden,
                         "forbidden",
                         "API トークンの管理はログインした画面から行ってください",
                         {}});
        return {};
    };
    router.Add({Method::kGet, "/api/v1/tokens", kAnySession, RunOn::kWorker,
                [&tokens, token_json](Request& req) {
                    auto list = tokens.List(http::ContextOf(req));
                    if (!list) return Err(list.error(), req);
                    json::array items;
                    for (const auto& t : *list) items.push_back(token_json(t));
                    return Response::Json(
                        200, json::object{{"items", std::move(items)}, {"next_cursor", nullptr}});
                }});
    router.Add({Method::kPost, "/api/v1/tokens", kAnySession, RunOn::kWorker,
                [&tokens, token_json, session_only](Request& req) {
                    if (auto s = session_only(req); !s) return Err(s.error(), req);
                    auto body = http::JsonReader::FromBody(req);
                    if (!body) return Err(body.error(), req);
                    std::string name = body->RequiredString("name", 100);
                    auto days = body->OptionalInt("days", 1, 366).value_or(90);
                    std::vector<std::string> perms = body->OptionalStringList("permissions", 50, 64)
                                                         .value_or(std::vector<std::string>{});
                    if (auto f = body->Finish(); !f) return Err(f.error(), req);
                    auto t =
                        tokens.Create(http::ContextOf(req), name, perms, static_cast<int>(days));
                    if (!t) return Err(t.error(), req);
                    json::object o = token_json(t->token);
                    o["token"] = t->secret;
                    return Response::Json(201, o);
                }});
    router.Add({Method::kDelete, "/api/v1/tokens/{id}", kAnySession, RunOn::kWorker,
                [&tokens, session_only](Request& req) {
                    if (auto s = session_only(req); !s) return Err(s.error(), req);
                    auto r = tokens.Revoke(http::ContextOf(req), std::string(req.Param("id")));
                    if (!r) return Err(r.error(), req);
                    return Response::Json(200, json::object{{"status", "revoked"}});
                }});
}

}  // namespace mamori::auth
