#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/password.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/principal.h"
#include "store/database.h"
#include "store/read_cache.h"

namespace mamori::auth {

/// The rules the service applies, from the config's `auth` section.
struct AuthOptions {
    PasswordPolicy password;
    int lockout_threshold = 5;
    int lockout_minutes = 30;  ///< 0: until an administrator unlocks.
    std::chrono::minutes session_idle{30};
    std::chrono::hours session_absolute{12};
    std::chrono::minutes elevation{30};
    int login_attempts_per_minute = 20;
    std::vector<std::string> mfa_required_roles;
    std::string banner;
    std::string totp_issuer = "mamori";
    /// How long a session read from the database may be reused (see store::ReadCache);
    /// zero reads it on every request.
    std::chrono::milliseconds read_cache{0};
};

/// Where a login stands. Only kFull may use the API beyond completing the login.
enum class Stage { kFull, kPasswordChangeRequired, kMfaEnrollmentRequired, kMfaRequired };
std::string_view StageName(Stage s);

/// A session as the authorizer needs it.
struct Session {
    std::string person_id;
    Stage stage = Stage::kFull;
    std::string csrf_token;
    std::string elevated_until;  ///< RFC 3339, empty when not elevated.
    bool elevated = false;
};

/// What a login step answers: the next stage and, for a new session, its token (for the
/// cookie) and CSRF token. On kFull, the previous successful login and failures since.
struct LoginStep {
    Stage stage = Stage::kFull;
    std::string token;  ///< Set only when a session was created.
    std::string csrf_token;
    std::string person_id;
    std::optional<std::string> previous_login_at;
    std::optional<std::string> previous_login_address;
    std::int64_t failed_attempts_since = 0;
};

struct MfaEnrollment {
    std::string secret;       ///< base32, shown once for manual entry
    std::string otpauth_uri;  ///< for the QR code
};

/// Loads the principal of a person (grants, permissions) as of today; supplied by the
/// organisation area at wiring time, so auth does not depend on org.
using PrincipalLoader = std::function<Result<Principal>(const std::string& person_id)>;

/// An approval that lets a person elevate (an approved 特権ID利用 in force): what to cite in
/// the audit event, and when it ends (RFC 3339 UTC), which bounds the elevated window.
struct ElevationGrant {
    std::string reference;
    std::string ends_at;
};
/// Finds the approval of `person_id` (`username`) in force now, or nullopt. Supplied by the
/// workflow area at wiring time when elevation requires an approval (auth does not depend
/// on workflow).
using ElevationGate = std::function<Result<std::optional<ElevationGrant>>(
    const std::string& person_id, const std::string& username)>;

/// Logins, sessions, MFA and elevation (対策基準 7-4, 8-2). Thread-safe. Every outcome that
/// changes state — success, failure, lockout, password change, enrolment, elevation, logout
/// — is written with its audit event in one transaction.
class AuthService {
  public:
    AuthService(store::Database& db, const Clock& clock, AuthOptions options,
                PrincipalLoader loader);

    /// Step 1. Errors: 401 invalid_credentials (unknown user, wrong password, inactive —
    /// indistinguishable from one another), 423 account_locked (the login contract names
    /// it; a locked account is answered without checking the password), 429 rate_limited.
    [[nodiscard]] Result<LoginStep> Login(const Context& ctx, const std::string& username,
                                          const std::string& password);
    /// Changes the password (forced at first login or expiry, or by choice in a full session).
    [[nodiscard]] Result<LoginStep> ChangePassword(const Context& ctx, const std::string& token,
                                                   const std::string& current,
                                                   const std::string& next);
    [[nodiscard]] Result<MfaEnrollment> BeginMfaEnrollment(const Context& ctx,
                                                           const std::string& token);
    /// Confirms enrolment with a code; returns the next step and ten recovery codes (shown once).
    [[nodiscard]] Result<std::pair<LoginStep, std::vector<std::string>>> ConfirmMfaEnrollment(
        const Context& ctx, const std::string& token, const std::string& code);
    /// Completes a login with a TOTP code or a recovery code. A code is never accepted twice.
    [[nodiscard]] Result<LoginStep> VerifyMfa(const Context& ctx, const std::string& token,
                                              const std::string& code);
    /// Finds the session of a token, enforcing idle and absolute expiry (401 otherwise).
    [[nodiscard]] Result<Session> Authenticate(const std::string& token);
    /// Ends this session, or every session of the person.
    [[nodiscard]] Result<void> Logout(const Context& ctx, const std::string& token,
                                      bool everywhere);
    /// Re-checks password (and TOTP when enrolled) and opens an elevated window of at most
    /// the configured minutes (特権による接続時間の制限). With an elevation gate, only while
    /// the person holds an approval, and never past its end: 403 elevation_not_approved
    /// otherwise (audited as auth.elevation_refused).
    [[nodiscard]] Result<std::string> Elevate(const Context& ctx, const std::string& token,
                                              const std::string& password, const std::string& code);
    /// The last successful login (skipping the `skip` most recent ones — 1 from inside a
    /// session, to get the one before it) and the failed attempts since, for the home page.
    [[nodiscard]] Result<LoginStep> LoginHistory(const std::string& person_id, int skip = 0);

    /// From now on, elevation needs an approval that `gate` finds. Call before serving.
    void RequireApprovalForElevation(ElevationGate gate) { gate_ = std::move(gate); }

    const AuthOptions& options() const { return options_; }
    store::Database& database() { return db_; }
    /// Hash of a session token as stored (hex SHA-256).
    static std::string HashToken(const std::string& token);

  private:
    struct PersonRow;
    /// The next login step for `p`; `second_factor_done` once TOTP was passed in this login.
    Result<Stage> NextStage(const PersonRow& p, bool second_factor_done);
    Result<PersonRow> PersonById(const std::string& id);
    /// The session of an MFA enrolment step: enrolment still due, or a finished login that
    /// is elevated (re-enrolment).
    Result<Session> EnrollmentSession(const std::string& token);
    /// Counts a failed attempt (wrong password or code): increments the counter, locks the
    /// account at the threshold (ending the session whose hash is given), and audits both.
    /// Returns whether the account is now locked.
    Result<bool> CountFailure(const Context& ctx, const PersonRow& p, const std::string& reason,
                              const std::string& end_session_hash);
    /// An audit event by the person about their own account (logins, failures, changes).
    Result<void> RecordAccountEvent(store::Tx& tx, const Context& ctx, const std::string& id,
                                    const std::string& username, const std::string& action,
                                    boost::json::object summary, const std::string& now);
    bool RateLimited(const std::string& client);

    store::Database& db_;
    const Clock& clock_;
    AuthOptions options_;
    PrincipalLoader loader_;
    ElevationGate gate_;      // empty: elevation needs no approval
    std::string dummy_hash_;  // verified against for unknown users, so timing tells nothing
    struct SessionRow {
        std::string person_id, stage, csrf_token, last_seen_at, expires_at, person_status;
        std::optional<std::string> elevated_until;
    };
    store::ReadCache<SessionRow> sessions_;  // by token hash

    std::mutex rate_mu_;
    std::map<std::string, std::pair<std::int64_t, int>> attempts_;  // GUARDED_BY(rate_mu_)
};

}  // namespace mamori::auth
