#include "auth/auth_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "audit/audit.h"
#include "auth/totp.h"
#include "core/crypto.h"

namespace mamori::auth {

namespace {

constexpr std::string_view kPersonColumns =
    "id, username, display_name, status, password_hash, password_changed_at, "
    "must_change_password, failed_logins, locked_until, mfa_secret, mfa_pending_secret, "
    "mfa_last_step";
constexpr const char* kLockedForever = "9999-12-31T23:59:59Z";

Error InvalidCredentials() {
    return {ErrorKind::kUnauthenticated,
            "invalid_credentials",
            "ユーザー名またはパスワードが違います",
            {}};
}
Error Locked() {
    return {ErrorKind::kLocked,
            "account_locked",
            "連続して失敗したため、このアカウントはロックされています。時間をおいて試すか、"
            "管理者に解除を依頼してください",
            {}};
}
Error NoSession() {
    return {ErrorKind::kUnauthenticated, "unauthenticated", "ログインが必要です", {}};
}
Error InvalidCode() {
    return {ErrorKind::kUnauthenticated, "invalid_code",
            "確認コードが違うか、既に使われたコードです", "code"};
}
Error WrongStep() {
    return Error::Conflict("login_step", "ログインのこの段階ではこの操作はできません");
}

std::string Iso(Clock::TimePoint t) { return FormatRfc3339(t); }

Stage StageFrom(const std::string& s) {
    if (s == "password_change_required") return Stage::kPasswordChangeRequired;
    if (s == "mfa_enrollment_required") return Stage::kMfaEnrollmentRequired;
    if (s == "mfa_required") return Stage::kMfaRequired;
    return Stage::kFull;
}

std::string RecoveryHash(const std::string& code) {
    std::string normal;
    for (char c : code)
        if (c != '-' && c != ' ')
            normal += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return crypto::Sha256Hex(normal);
}

}  // namespace

namespace {
/// The value of sessions.stage for a stage ("full" where the API says "ok").
std::string_view SessionStage(Stage s) { return s == Stage::kFull ? "full" : StageName(s); }
}  // namespace

std::string_view StageName(Stage s) {
    switch (s) {
        case Stage::kFull:
            return "ok";
        case Stage::kPasswordChangeRequired:
            return "password_change_required";
        case Stage::kMfaEnrollmentRequired:
            return "mfa_enrollment_required";
        case Stage::kMfaRequired:
            return "mfa_required";
    }
    return "ok";
}

struct AuthService::PersonRow {
    std::string id, username, display_name, status, password_hash, password_changed_at;
    bool must_change = false;
    std::int64_t failed_logins = 0;
    std::optional<std::string> locked_until, mfa_secret, mfa_pending;
    std::int64_t mfa_last_step = 0;

    static PersonRow From(const store::Row& r) {
        PersonRow p;
        p.id = r.Text(0);
        p.username = r.Text(1);
        p.display_name = r.Text(2);
        p.status = r.Text(3);
        p.password_hash = r.Text(4);
        p.password_changed_at = r.Text(5);
        p.must_change = r.Bool(6);
        p.failed_logins = r.Int(7);
        p.locked_until = r.OptText(8);
        p.mfa_secret = r.OptText(9);
        p.mfa_pending = r.OptText(10);
        p.mfa_last_step = r.Int(11);
        return p;
    }
};

AuthService::AuthService(store::Database& db, const Clock& clock, AuthOptions options,
                         PrincipalLoader loader)
    : db_(db),
      clock_(clock),
      options_(std::move(options)),
      loader_(std::move(loader)),
      sessions_(db, options_.read_cache, 10000) {
    dummy_hash_ = HashPassword(crypto::Hex(crypto::RandomBytes(16))).value_or("");
}

std::string AuthService::HashToken(const std::string& token) { return crypto::Sha256Hex(token); }

bool AuthService::RateLimited(const std::string& client) {
    const auto minute =
        std::chrono::duration_cast<std::chrono::minutes>(clock_.Now().time_since_epoch()).count();
    std::lock_guard lock(rate_mu_);
    if (attempts_.size() > 10000) {  // bounded memory under a flood: drop finished minutes
        std::erase_if(attempts_, [minute](const auto& kv) { return kv.second.first != minute; });
        if (attempts_.size() > 10000) return true;  // this minute is full: refuse newcomers
    }
    auto& [window, count] = attempts_[client];
    if (window != minute) {
        window = minute;
        count = 0;
    }
    return ++count > options_.login_attempts_per_minute;
}

Result<Stage> AuthService::NextStage(const PersonRow& p, bool second_factor_done) {
    // An enrolled second factor comes first, so that nothing — not even a forced password
    // change — happens on the strength of the password alone.
    if (p.mfa_secret && !second_factor_done) return Stage::kMfaRequired;
    const auto now = clock_.Now();
    if (p.must_change) return Stage::kPasswordChangeRequired;
    if (options_.password.max_age_days > 0 &&
        p.password_changed_at < Iso(now - std::chrono::hours(24) * options_.password.max_age_days))
        return Stage::kPasswordChangeRequired;
    if (p.mfa_secret) return Stage::kFull;
    auto principal = loader_(p.id);
    if (!principal) return Fail(principal.error());
    for (const auto& g : principal->grants) {
        if (std::find(options_.mfa_required_roles.begin(), options_.mfa_required_roles.end(),
                      g.role) != options_.mfa_required_roles.end())
            return Stage::kMfaEnrollmentRequired;
    }
    return Stage::kFull;
}

Result<LoginStep> AuthService::LoginHistory(const std::string& person_id, int skip) {
    LoginStep h;
    h.person_id = person_id;
    auto last = db_.Query(
        "SELECT seq, occurred_at, client_address FROM audit_events WHERE actor_id = ? AND "
        "action = 'auth.login' ORDER BY seq DESC LIMIT 1 OFFSET ?",
        {person_id, skip});
    if (!last) return Fail(last.error());
    std::int64_t since = 0;
    if (!last->rows.empty()) {
        since = last->rows[0].Int(0);
        h.previous_login_at = last->rows[0].Text(1);
        h.previous_login_address = last->rows[0].Text(2);
    }
    auto failed = db_.Query(
        "SELECT COUNT(*) FROM audit_events WHERE actor_id = ? AND action = 'auth.login_failed' "
        "AND seq > ?",
        {person_id, since});
    if (!failed) return Fail(failed.error());
    h.failed_attempts_since = failed->rows[0].Int(0);
    return h;
}

Result<AuthService::PersonRow> AuthService::PersonById(const std::string& id) {
    auto found = db_.Query(fmt::format("SELECT {} FROM people WHERE id = ?", kPersonColumns), {id});
    if (!found) return Fail(found.error());
    if (found->rows.empty()) return Fail(NoSession());
    return PersonRow::From(found->rows[0]);
}

Result<bool> AuthService::CountFailure(const Context& ctx, const PersonRow& p,
                                       const std::string& reason,
                                       const std::string& end_session_hash) {
    const std::string now = Iso(clock_.Now());
    // A lock that has run out starts the count afresh, so one more mistake does not lock again.
    const bool lock_expired = p.locked_until && *p.locked_until <= now;
    const std::int64_t failures = (lock_expired ? 0 : p.failed_logins) + 1;
    const bool lock = failures >= options_.lockout_threshold;
    const std::string until =
        options_.lockout_minutes == 0
            ? kLockedForever
            : Iso(clock_.Now() + std::chrono::minutes(options_.lockout_minutes));
    auto r = db_.Transact([&](store::Tx& tx) -> Result<void> {
        auto u = tx.Exec("UPDATE people SET failed_logins = ?, locked_until = ? WHERE id = ?",
                         {failures, lock ? store::Value(until) : store::Value(), p.id});
        if (!u) return Fail(u.error());
        if (lock && !end_session_hash.empty()) {
            auto d = tx.Exec("DELETE FROM sessions WHERE token_hash = ?", {end_session_hash});
            if (!d) return Fail(d.error());
        }
        auto a = RecordAccountEvent(tx, ctx, p.id, p.username, "auth.login_failed",
                                    {{"reason", reason}, {"consecutive_failures", failures}}, now);
        if (!a) return Fail(a.error());
        if (lock) {
            auto l = RecordAccountEvent(
                tx, ctx, p.id, p.username, "auth.account_locked",
                {{"locked_until", until}, {"consecutive_failures", failures}}, now);
            if (!l) return Fail(l.error());
        }
        return {};
    });
    if (!r) return Fail(r.error());
    return lock;
}

Result<void> AuthService::RecordAccountEvent(store::Tx& tx, const Context& ctx,
                                             const std::string& id, const std::string& username,
                                             const std::string& action, boost::json::object summary,
                                             const std::string& now) {
    auto a = audit::Record(tx, ctx,
                           {.actor_id = id,
                            .actor_name = username,
                            .action = action,
                            .object_type = "person",
                            .object_id = id,
                            .summary = std::move(summary)},
                           now);
    if (!a) return Fail(a.error());
    return {};
}

Result<LoginStep> AuthService::Login(const Context& ctx, const std::string& username,
                                     const std::string& password) {
    if (RateLimited(ctx.client_address)) {
        spdlog::warn("login rate limit reached for {}", ctx.client_address);
        return Fail({ErrorKind::kRateLimited,
                     "rate_limited",
                     "ログインの試行が多すぎます。1 分ほど待ってから試してください",
                     {}});
    }
    const std::string now = Iso(clock_.Now());
    auto found = db_.Query(fmt::format("SELECT {} FROM people WHERE username = ?", kPersonColumns),
                           {username});
    if (!found) return Fail(found.error());
    auto record_failure = [&](const std::string& actor_id, std::string reason) {
        (void)db_.Transact([&](store::Tx& tx) {
            return audit::Record(tx, ctx,
                                 {.actor_id = actor_id,
                                  .actor_name = username,
                                  .action = "auth.login_failed",
                                  .object_type = "person",
                                  .object_id = actor_id.empty() ? username : actor_id,
                                  .summary = {{"reason", reason}}},
                                 now);
        });
    };
    if (found->rows.empty()) {
        (void)VerifyPassword(password, dummy_hash_);
        record_failure("", "unknown_user");
        return Fail(InvalidCredentials());
    }
    PersonRow p = PersonRow::From(found->rows[0]);
    if (p.locked_until && *p.locked_until > now) {
        record_failure(p.id, "locked");
        return Fail(Locked());
    }
    const bool password_ok = VerifyPassword(password, p.password_hash);
    if (p.status != "active") {
        record_failure(p.id, "inactive_" + p.status);
        return Fail(InvalidCredentials());
    }
    if (!password_ok) {
        auto locked = CountFailure(ctx, p, "wrong_password", "");
        if (!locked) return Fail(locked.error());
        return Fail(*locked ? Locked() : InvalidCredentials());
    }

    auto stage = NextStage(p, false);
    if (!stage) return Fail(stage.error());
    auto history = LoginHistory(p.id);
    if (!history) return Fail(history.error());
    LoginStep step = *history;
    step.stage = *stage;
    step.token = crypto::Base64Url(crypto::RandomBytes(32));
    step.csrf_token = crypto::Base64Url(crypto::RandomBytes(32));
    const std::string expires = Iso(clock_.Now() + options_.session_absolute);
    auto r = db_.Transact([&](store::Tx& tx) -> Result<void> {
        // With a second factor still to come, failures keep counting until it is passed, so
        // the password cannot be used to reset the counter between guesses at the code.
        if (*stage != Stage::kMfaRequired) {
            auto u = tx.Exec(
                "UPDATE people SET failed_logins = 0, locked_until = NULL WHERE id = ?", {p.id});
            if (!u) return Fail(u.error());
        }
        auto s = tx.Exec(
            "INSERT INTO sessions (token_hash, person_id, csrf_token, stage, created_at, "
            "last_seen_at, expires_at, client_address) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            {HashToken(step.token), p.id, step.csrf_token, std::string(SessionStage(*stage)), now,
             now, expires, ctx.client_address});
        if (!s) return Fail(s.error());
        auto a =
            RecordAccountEvent(tx, ctx, p.id, p.username,
                               *stage == Stage::kFull ? "auth.login" : "auth.password_verified",
                               {{"method", "password"}, {"next", StageName(*stage)}}, now);
        if (!a) return Fail(a.error());
        return {};
    });
    if (!r) return Fail(r.error());
    return step;
}

Result<Session> AuthService::Authenticate(const std::string& token) {
    if (token.empty() || token.size() > 128) return Fail(NoSession());
    const auto now_tp = clock_.Now();
    const std::string now = Iso(now_tp);
    const std::string hash = HashToken(token);
    auto row = sessions_.Get(hash);
    if (!row) {
        const auto generation = sessions_.Generation();
        auto r = db_.Query(
            "SELECT s.person_id, s.stage, s.csrf_token, s.last_seen_at, s.expires_at, "
            "s.elevated_until, p.status FROM sessions s JOIN people p ON p.id = s.person_id "
            "WHERE s.token_hash = ?",
            {hash});
        if (!r) return Fail(r.error());
        if (r->rows.empty()) return Fail(NoSession());
        const auto& f = r->rows[0];
        SessionRow read{f.Text(0), f.Text(1), f.Text(2),   f.Text(3),
                        f.Text(4), f.Text(6), f.OptText(5)};
        sessions_.Put(hash, read, generation);
        row = std::make_shared<const SessionRow>(std::move(read));
    }
    if (row->expires_at <= now || row->last_seen_at <= Iso(now_tp - options_.session_idle) ||
        row->person_status != "active") {
        (void)db_.Query("DELETE FROM sessions WHERE token_hash = ?", {hash});
        return Fail(Error{ErrorKind::kUnauthenticated,
                          "session_expired",
                          "一定時間操作がなかったか、ログインの有効期間が過ぎました。もう一度ログイ"
                          "ンしてください",
                          {}});
    }
    // Record activity at most once a minute: idle expiry is minute-accurate, and most
    // requests then need no write.
    if (row->last_seen_at <= Iso(now_tp - std::chrono::minutes(1)))
        (void)db_.Query("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", {now, hash});
    Session s;
    s.person_id = row->person_id;
    s.stage = StageFrom(row->stage);
    s.csrf_token = row->csrf_token;
    if (row->elevated_until && *row->elevated_until > now) {
        s.elevated = true;
        s.elevated_until = *row->elevated_until;
    }
    return s;
}

Result<LoginStep> AuthService::ChangePassword(const Context& ctx, const std::string& token,
                                              const std::string& current, const std::string& next) {
    auto session = Authenticate(token);
    if (!session) return Fail(session.error());
    if (session->stage != Stage::kPasswordChangeRequired && session->stage != Stage::kFull)
        return Fail(WrongStep());
    auto person = PersonById(session->person_id);
    if (!person) return Fail(person.error());
    PersonRow p = std::move(*person);
    if (!VerifyPassword(current, p.password_hash)) {
        auto locked = CountFailure(ctx, p, "wrong_current_password", HashToken(token));
        if (!locked) return Fail(locked.error());
        if (*locked) return Fail(Locked());
        return Fail(
            Error::Invalid("wrong_password", "現在のパスワードが違います", "current_password"));
    }
    if (auto ok = options_.password.Check(next, p.username); !ok) return Fail(ok.error());
    if (next == current)
        return Fail(Error::Invalid(
            "password_reused", "今のパスワードとは違うパスワードにしてください", "new_password"));
    if (options_.password.history > 0) {
        auto old = db_.Query(
            "SELECT password_hash FROM password_history WHERE person_id = ? "
            "ORDER BY created_at DESC LIMIT ?",
            {p.id, options_.password.history});
        if (!old) return Fail(old.error());
        for (const auto& row : old->rows)
            if (VerifyPassword(next, row.Text(0)))
                return Fail(Error::Invalid("password_reused",
                                           fmt::format("直近 {} 回に使ったパスワードは使えません",
                                                       options_.password.history),
                                           "new_password"));
    }
    auto hash = HashPassword(next);
    if (!hash) return Fail(hash.error());
    const std::string now = Iso(clock_.Now());
    p.must_change = false;
    p.password_changed_at = now;
    auto stage = NextStage(p, true);  // an enrolled second factor was passed before this step
    if (!stage) return Fail(stage.error());
    const std::string token_hash = HashToken(token);
    auto r = db_.Transact([&](store::Tx& tx) -> Result<void> {
        auto u = tx.Exec(
            "UPDATE people SET password_hash = ?, password_changed_at = ?, "
            "must_change_password = 0, updated_at = ? WHERE id = ?",
            {*hash, now, now, p.id});
        if (!u) return Fail(u.error());
        auto h = tx.Exec(
            "INSERT INTO password_history (person_id, password_hash, created_at) VALUES (?, ?, ?)",
            {p.id, *hash, now});
        if (!h) return Fail(h.error());
        // A new password ends every other session of the person.
        auto d = tx.Exec("DELETE FROM sessions WHERE person_id = ? AND token_hash <> ?",
                         {p.id, token_hash});
        if (!d) return Fail(d.error());
        auto s = tx.Exec("UPDATE sessions SET stage = ? WHERE token_hash = ?",
                         {std::string(SessionStage(*stage)), token_hash});
        if (!s) return Fail(s.error());
        auto a = RecordAccountEvent(tx, ctx, p.id, p.username, "auth.password_changed",
                                    {{"forced", session->stage != Stage::kFull}}, now);
        if (!a) return Fail(a.error());
        if (session->stage != Stage::kFull && *stage == Stage::kFull) {
            if (auto l = RecordAccountEvent(tx, ctx, p.id, p.username, "auth.login",
                                            {{"method", "password"}}, now);
                !l)
                return Fail(l.error());
        }
        return {};
    });
    if (!r) return Fail(r.error());
    // A login that is now complete shows the one before it, as a password login does.
    LoginStep step;
    if (*stage == Stage::kFull && session->stage != Stage::kFull) {
        auto h = LoginHistory(p.id, 1);
        if (h) step = *h;
    }
    step.stage = *stage;
    step.person_id = p.id;
    step.csrf_token = session->csrf_token;
    return step;
}

Result<Session> AuthService::EnrollmentSession(const std::string& token) {
    auto session = Authenticate(token);
    if (!session) return Fail(session.error());
    if (session->stage != Stage::kMfaEnrollmentRequired && session->stage != Stage::kFull)
        return Fail(WrongStep());
    // Replacing an authenticator from a finished login is an administrative act on the
    // account: it needs the password (and current code) again, as elevation does.
    if (session->stage == Stage::kFull && !session->elevated)
        return Fail(
            Error{ErrorKind::kForbidden,
                  "elevation_required",
                  "認証アプリを登録し直す前に、権限の昇格 (パスワードの再入力) をしてください",
                  {}});
    return session;
}

Result<MfaEnrollment> AuthService::BeginMfaEnrollment(const Context& ctx,
                                                      const std::string& token) {
    auto session = EnrollmentSession(token);
    if (!session) return Fail(session.error());
    auto who = db_.Query("SELECT username FROM people WHERE id = ?", {session->person_id});
    if (!who || who->rows.empty()) return Fail(NoSession());
    const std::string username = who->rows[0].Text(0);
    MfaEnrollment e;
    e.secret = NewTotpSecret();
    e.otpauth_uri = OtpauthUri(options_.totp_issuer, username, e.secret);
    const std::string now = Iso(clock_.Now());
    auto r = db_.Transact([&](store::Tx& tx) -> Result<void> {
        auto u = tx.Exec("UPDATE people SET mfa_pending_secret = ? WHERE id = ?",
                         {e.secret, session->person_id});
        if (!u) return Fail(u.error());
        auto a = RecordAccountEvent(tx, ctx, session->person_id, username,
                                    "auth.mfa_enrollment_started", {}, now);
        if (!a) return Fail(a.error());
        return {};
    });
    if (!r) return Fail(r.error());
    return e;
}

Result<std::pair<LoginStep, std::vector<std::string>>> AuthService::ConfirmMfaEnrollment(
    const Context& ctx, const std::string& token, const std::string& code) {
    auto session = EnrollmentSession(token);
    if (!session) return Fail(session.error());
    auto person = PersonById(session->person_id);
    if (!person) return Fail(person.error());
    PersonRow p = std::move(*person);
    if (!p.mfa_pending)
        return Fail(Error::Conflict("no_enrollment", "先に多要素認証の登録を始めてください"));
    const auto unix_now =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
    auto step_no = VerifyTotp(*p.mfa_pending, code, unix_now);
    if (!step_no) return Fail(step_no.error());
    auto codes = NewRecoveryCodes(10);
    const std::string now = Iso(clock_.Now());
    auto r = db_.Transact([&](store::Tx& tx) -> Result<void> {
        auto u = tx.Exec(
            "UPDATE people SET mfa_secret = mfa_pending_secret, mfa_pending_secret = NULL, "
            "mfa_last_step = ?, updated_at = ? WHERE id = ?",
            {*step_no, now, p.id});
        if (!u) return Fail(u.error());
        auto d = tx.Exec("DELETE FROM recovery_codes WHERE person_id = ?", {p.id});
        if (!d) return Fail(d.error());
        for (const auto& c : codes) {
            auto i = tx.Exec("INSERT INTO recovery_codes (person_id, code_hash) VALUES (?, ?)",
                             {p.id, RecoveryHash(c)});
            if (!i) return Fail(i.error());
        }
        auto s =
            tx.Exec("UPDATE sessions SET stage = 'full' WHERE token_hash = ?", {HashToken(token)});
        if (!s) return Fail(s.error());
        auto a = RecordAccountEvent(tx, ctx, p.id, p.username, "auth.mfa_enrolled",
                                    {{"method", "totp"}, {"recovery_codes", 10}}, now);
        if (!a) return Fail(a.error());
        if (session->stage != Stage::kFull) {
            if (auto l = RecordAccountEvent(tx, ctx, p.id, p.username, "auth.login",
                                            {{"method", "totp_enrollment"}}, now);
                !l)
                return Fail(l.error());
        }
        return {};
    });
    if (!r) return Fail(r.error());
    LoginStep step;
    if (session->stage != Stage::kFull) {
        auto h = LoginHistory(p.id, 1);
        if (h) step = *h;
    }
    step.stage = Stage::kFull;
    step.person_id = p.id;
    step.csrf_token = session->csrf_token;
    return std::make_pair(step, codes);
}

Result<LoginStep> AuthService::VerifyMfa(const Context& ctx, const std::string& token,
                                         const std::string& code) {
    auto session = Authenticate(token);
    if (!session) return Fail(session.error());
    if (session->stage != Stage::kMfaRequired) return Fail(WrongStep());
    auto person = PersonById(session->person_id);
    if (!person) return Fail(person.error());
    PersonRow p = std::move(*person);
    if (!p.mfa_secret) return Fail(WrongStep());
    const std::string now = Iso(clock_.Now());
    const auto unix_now =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
    auto history = LoginHistory(p.id);
    if (!history) return Fail(history.error());

    std::string method;
    std::int64_t new_step = p.mfa_last_step;
    std::string recovery_hash;
    if (code.size() == 6 && std::all_of(code.begin(), code.end(), ::isdigit)) {
        auto s = VerifyTotp(*p.mfa_secret, code, unix_now);
        if (s && *s > p.mfa_last_step) {
            method = "totp";
            new_step = *s;
        }
    } else if (code.size() <= 32) {
        recovery_hash = RecoveryHash(code);
        auto rc = db_.Query(
            "SELECT COUNT(*) FROM recovery_codes WHERE person_id = ? AND code_hash = ? AND "
            "used_at IS NULL",
            {p.id, recovery_hash});
        if (!rc) return Fail(rc.error());
        if (rc->rows[0].Int(0) > 0) method = "recovery_code";
    }
    if (method.empty()) {
        // A wrong or replayed second factor counts towards the lockout like a wrong password.
        auto locked = CountFailure(ctx, p, "wrong_or_reused_code", HashToken(token));
        if (!locked) return Fail(locked.error());
        if (*locked) return Fail(Locked());
        return Fail(InvalidCode());
    }
    // After the second factor, a forced or expired password may still have to be changed.
    auto next = NextStage(p, true);
    if (!next) return Fail(next.error());
    auto r = db_.Transact([&](store::Tx& tx) -> Result<void> {
        auto u = tx.Exec(
            "UPDATE people SET mfa_last_step = ?, failed_logins = 0 WHERE id = ? AND "
            "mfa_last_step < ?",
            {new_step, p.id, method == "totp" ? new_step : new_step + 1});
        if (!u) return Fail(u.error());
        if (method == "totp" && *u == 0)  // another request used the same code first
            return Fail(InvalidCode());
        if (method == "recovery_code") {
            auto c = tx.Exec(
                "UPDATE recovery_codes SET used_at = ? WHERE person_id = ? AND code_hash = ? AND "
                "used_at IS NULL",
                {now, p.id, recovery_hash});
            if (!c) return Fail(c.error());
            if (*c == 0) return Fail(InvalidCode());
        }
        auto s = tx.Exec("UPDATE sessions SET stage = ? WHERE token_hash = ?",
                         {std::string(SessionStage(*next)), HashToken(token)});
        if (!s) return Fail(s.error());
        if (*next == Stage::kFull) {
            if (auto a = RecordAccountEvent(tx, ctx, p.id, p.username, "auth.login",
                                            {{"method", method}}, now);
                !a)
                return Fail(a.error());
        } else {
            auto a = RecordAccountEvent(tx, ctx, p.id, p.username, "auth.second_factor_verified",
                                        {{"method", method}, {"next", StageName(*next)}}, now);
            if (!a) return Fail(a.error());
        }
        return {};
    });
    if (!r) return Fail(r.error());
    LoginStep step = *history;
    step.stage = *next;
    step.csrf_token = session->csrf_token;
    return step;
}

Result<void> AuthService::Logout(const Context& ctx, const std::string& token, bool everywhere) {
    auto session = Authenticate(token);
    if (!session) return Fail(session.error());
    const std::string now = Iso(clock_.Now());
    return db_.Transact([&](store::Tx& tx) -> Result<void> {
        auto d = everywhere
                     ? tx.Exec("DELETE FROM sessions WHERE person_id = ?", {session->person_id})
                     : tx.Exec("DELETE FROM sessions WHERE token_hash = ?", {HashToken(token)});
        if (!d) return Fail(d.error());
        auto a = audit::Record(tx, ctx,
                               {.actor_id = session->person_id,
                                .action = "auth.logout",
                                .object_type = "person",
                                .object_id = session->person_id,
                                .summary = {{"everywhere", everywhere}, {"sessions_ended", *d}}},
                               now);
        if (!a) return Fail(a.error());
        return {};
    });
}

Result<std::string> AuthService::Elevate(const Context& ctx, const std::string& token,
                                         const std::string& password, const std::string& code) {
    auto session = Authenticate(token);
    if (!session) return Fail(session.error());
    if (session->stage != Stage::kFull) return Fail(WrongStep());
    auto person = PersonById(session->person_id);
    if (!person) return Fail(person.error());
    PersonRow p = std::move(*person);
    if (!VerifyPassword(password, p.password_hash)) {
        auto locked = CountFailure(ctx, p, "wrong_password_on_elevation", HashToken(token));
        if (!locked) return Fail(locked.error());
        if (*locked) return Fail(Locked());
        return Fail(Error::Invalid("wrong_password", "パスワードが違います", "password"));
    }
    std::int64_t new_step = p.mfa_last_step;
    if (p.mfa_secret) {
        const auto unix_now =
            std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch())
                .count();
        auto s = VerifyTotp(*p.mfa_secret, code, unix_now);
        if (!s || *s <= p.mfa_last_step)
            return Fail(Error::Invalid("invalid_code", "確認コードが違うか、既に使われたコードです",
                                       "code"));
        new_step = *s;
    }
    const std::string now = Iso(clock_.Now());
    std::string until = Iso(clock_.Now() + options_.elevation);
    boost::json::object summary{{"from", now}};
    std::optional<ElevationGrant> grant;
    if (gate_) {
        auto g = gate_(p.id, p.username);
        if (!g) return Fail(g.error());
        grant = std::move(*g);
        if (grant) {
            until = std::min(until, grant->ends_at);  // both YYYY-MM-DDTHH:MM:SSZ
            summary["grant"] = grant->reference;
        }
    }
    summary["until"] = until;
    auto r = db_.Transact([&](store::Tx& tx) -> Result<void> {
        // The code is used up either way, so it cannot be tried again.
        auto u = tx.Exec("UPDATE people SET mfa_last_step = ? WHERE id = ?", {new_step, p.id});
        if (!u) return Fail(u.error());
        if (gate_ && !grant)
            return RecordAccountEvent(tx, ctx, p.id, p.username, "auth.elevation_refused",
                                      {{"reason", "no_approved_privileged_id"}}, now);
        auto s = tx.Exec("UPDATE sessions SET elevated_until = ? WHERE token_hash = ?",
                         {until, HashToken(token)});
        if (!s) return Fail(s.error());
        return RecordAccountEvent(tx, ctx, p.id, p.username, "auth.elevated", std::move(summary),
                                  now);
    });
    if (!r) return Fail(r.error());
    if (gate_ && !grant)
        return Fail(Error{ErrorKind::kForbidden,
                          "elevation_not_approved",
                          "特権IDの利用が承認されていないため、昇格できません。"
                          "「特権IDの利用」を申請し、承認を受けてください",
                          {}});
    return until;
}

}  // namespace mamori::auth
