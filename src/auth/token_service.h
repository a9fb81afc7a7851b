#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/principal.h"
#include "store/database.h"

namespace mamori::auth {

/// An API token as listed (never with its secret).
struct ApiToken {
    std::string id;
    std::string name;
    std::vector<std::string> permissions;
    std::string expires_at;
    std::string created_at;
    std::string last_used_at;  ///< empty if never used
    bool revoked = false;
};

/// A token just made: the only time its secret is seen.
struct NewApiToken {
    ApiToken token;
    std::string secret;  ///< "mmr_…"; sent as `Authorization: Bearer mmr_…`
};

/// Who a bearer token acts for, and what it may do.
struct TokenIdentity {
    std::string person_id;
    std::string token_id;
    std::vector<std::string> permissions;
};

/// API tokens for automation: named, expiring, limited to the creator's permissions or
/// fewer, shown once, stored as SHA-256, revocable. Thread-safe.
class TokenService {
  public:
    /// `elevated_permissions` are those that need an elevated session: a token can never
    /// elevate, so such permissions are left out of "all of mine" and refused when asked for.
    TokenService(store::Database& db, const Clock& clock,
                 std::vector<std::string> elevated_permissions = {})
        : db_(db), clock_(clock), elevated_(std::move(elevated_permissions)) {}

    /// Creates a token for the caller. `permissions` empty = all of the caller's that a token
    /// can use; a permission the caller lacks → 403; one that needs elevation → 400.
    /// `days` 1–366.
    [[nodiscard]] Result<NewApiToken> Create(const Context& ctx, const std::string& name,
                                             const std::vector<std::string>& permissions, int days);
    /// The caller's tokens, newest first.
    [[nodiscard]] Result<std::vector<ApiToken>> List(const Context& ctx);
    /// Revokes one of the caller's tokens (404 if not theirs).
    [[nodiscard]] Result<void> Revoke(const Context& ctx, const std::string& id);
    /// Finds a live token by its secret (401 if unknown, revoked or expired).
    [[nodiscard]] Result<TokenIdentity> Authenticate(const std::string& secret);

  private:
    store::Database& db_;
    const Clock& clock_;
    std::vector<std::string> elevated_;
};

}  // namespace mamori::auth
