#pragma once

#include <string>
#include <vector>

#include "auth/auth_service.h"
#include "auth/token_service.h"
#include "http/router.h"
#include "http/server.h"

namespace mamori::auth {

/// The session cookie's name.
inline constexpr const char* kSessionCookie = "mamori_session";

/// Route permissions with a meaning of their own (besides the catalog's permissions):
/// "session" — any fully logged-in person; "session.partial" — also a login in progress
/// (only the endpoints that complete a login use it).
inline constexpr const char* kAnySession = "session";
inline constexpr const char* kPartialSession = "session.partial";

struct AuthRouteOptions {
    bool secure_cookie = false;  ///< Add Secure to the cookie (TLS, or TLS at a proxy).
    /// Permissions whose routes also need an elevated session (特権による接続時間の制限).
    std::vector<std::string> elevated_permissions = {"org.manage", "accounts.manage",
                                                     "policy.manage"};
};

/// The authorizer the server calls for every non-public route. With `Authorization: Bearer`
/// it authenticates an API token (no CSRF; permissions limited to the token's and the
/// person's current ones; never elevated). Otherwise it finds the session cookie or refuses
/// with 401; refuses a login in progress except on completion endpoints; checks
/// X-CSRF-Token on every state-changing request (403 csrf_failed); loads the principal and
/// checks the route's permission (403 forbidden) and elevation (403 elevation_required).
http::Authorizer MakeAuthorizer(AuthService& auth, TokenService& tokens, PrincipalLoader loader,
                                AuthRouteOptions options);

/// GET|POST /api/v1/tokens and DELETE /api/v1/tokens/{id}, for a logged-in person's own
/// tokens (a token cannot make tokens).
void AddTokenRoutes(http::Router& router, TokenService& tokens);

/// The routes of the login contract: /api/v1/auth/{login,password,mfa/enroll,
/// mfa/enroll/confirm,mfa,me,logout,banner,elevate}.
void AddAuthRoutes(http::Router& router, AuthService& auth, AuthRouteOptions options);

/// The session token from the request's Cookie header, or empty.
std::string SessionToken(const http::Request& req);

}  // namespace mamori::auth
