#include "auth/auth_service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "auth/password.h"
#include "auth/totp.h"
#include "support/test_database.h"

namespace mamori::auth {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kPassword = "Sakura-2026!";
constexpr const char* kMfaRole = "platform_admin";
constexpr const char* kClient = "10.0.0.1";

Clock::TimePoint At(const char* rfc3339) {
    std::tm tm{};
    strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

/// argon2id is slow (more so under sanitizers): each distinct password is hashed once.
const std::string& HashOf(const std::string& password) {
    static std::map<std::string, std::string> hashes;
    auto it = hashes.find(password);
    if (it == hashes.end()) it = hashes.emplace(password, *HashPassword(password)).first;
    return it->second;
}

/// Succeeds when `r` failed with this kind and code.
template <typename T>
::testing::AssertionResult FailsWith(const Result<T>& r, ErrorKind kind, std::string_view code) {
    if (r) return ::testing::AssertionFailure() << "succeeded; expected " << code;
    if (r.error().kind != kind || r.error().code != code)
        return ::testing::AssertionFailure()
               << "failed with " << r.error().code << " (kind " << static_cast<int>(r.error().kind)
               << ", field '" << r.error().field << "'): " << r.error().message << "; expected "
               << code << " (kind " << static_cast<int>(kind) << ")";
    return ::testing::AssertionSuccess();
}

/// A six-digit code that matches none of the steps VerifyTotp accepts at `unix_time`.
std::string WrongCode(const std::string& secret, std::int64_t unix_time) {
    const std::set<std::string> valid = {TotpCode(secret, unix_time - 30),
                                         TotpCode(secret, unix_time),
                                         TotpCode(secret, unix_time + 30)};
    for (int n = 0;; ++n) {
        std::string code = std::to_string(100000 + n);
        if (!valid.count(code)) return code;
    }
}

/// How a person row starts.
struct PersonSpec {
    bool must_change = false;
    int password_age_days = 10;
    std::string status = "active";
    std::optional<std::string> mfa_secret;
    std::string password = kPassword;
};

class AuthServiceTest : public ::testing::TestWithParam<store::Backend> {
  protected:
    void SetUp() override {
        test_db_ = std::make_unique<mamori::testing::TestDatabase>(GetParam());
        ASSERT_TRUE(test_db_->ok());
        options_.mfa_required_roles = {kMfaRole};
        // Sessions are cached as in the server, so every case below also shows that the
        // cache never outlives a change (logout, lock, expiry by the clock).
        options_.read_cache = std::chrono::minutes(10);
        MakeService();
    }
    void TearDown() override {
        service_.reset();
        test_db_.reset();
    }

    store::Database& db() { return test_db_->db(); }

    /// (Re)creates the service with the current options_.
    void MakeService() {
        service_ = std::make_unique<AuthService>(
            db(), clock_, options_, [this](const std::string& id) -> Result<Principal> {
                Principal p;
                p.person_id = id;
                if (auto it = grants_.find(id); it != grants_.end()) p.grants = it->second;
                return p;
            });
    }

    /// Inserts a person (as OrgService::CreatePerson does: the row and its first password in
    /// the history) holding `roles`; returns the id.
    std::string AddPerson(const std::string& username, std::vector<std::string> roles = {"staff"},
                          PersonSpec spec = {}) {
        const std::string id = "p-" + username;
        const std::string now = FormatRfc3339(clock_.Now());
        const std::string changed =
            FormatRfc3339(clock_.Now() - hours(24) * spec.password_age_days);
        const std::string& hash = HashOf(spec.password);
        auto r = db().Transact([&](store::Tx& tx) -> Result<void> {
            auto i = tx.Exec(
                "INSERT INTO people (id, username, display_name, status, password_hash, "
                "password_changed_at, must_change_password, mfa_secret, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {id, username, "試験 " + username, spec.status, hash, changed,
                 spec.must_change ? 1 : 0,
                 spec.mfa_secret ? store::Value(*spec.mfa_secret) : store::Value(), now, now});
            if (!i) return Fail(i.error());
            auto h = tx.Exec(
                "INSERT INTO password_history (person_id, password_hash, created_at) "
                "VALUES (?, ?, ?)",
                {id, hash, changed});
            if (!h) return Fail(h.error());
            return {};
        });
        EXPECT_TRUE(r) << r.error().message;
        for (const auto& role : roles) grants_[id].push_back({role, "u1"});
        return id;
    }

    Context Ctx(const std::string& address = kClient) { return {nullptr, "req-1", address}; }
    std::int64_t Unix() const {
        return std::chrono::duration_cast<seconds>(clock_.Now().time_since_epoch()).count();
    }
    std::string Now() const { return FormatRfc3339(clock_.Now()); }

    /// Logs in with the password and expects `stage`; returns the session token.
    std::string LoginAt(const std::string& username, Stage stage,
                        const std::string& password = kPassword) {
        auto r = service_->Login(Ctx(), username, password);
        EXPECT_TRUE(r) << r.error().code << ": " << r.error().message;
        if (!r) return "";
        EXPECT_EQ(r->stage, stage) << StageName(r->stage);
        EXPECT_FALSE(r->token.empty());
        return r->token;
    }

    /// Takes a person with an MFA role through enrolment; returns the secret and recovery
    /// codes. The session used is logged out again.
    std::pair<std::string, std::vector<std::string>> Enrol(const std::string& username) {
        const std::string token = LoginAt(username, Stage::kMfaEnrollmentRequired);
        auto begun = service_->BeginMfaEnrollment(Ctx(), token);
        EXPECT_TRUE(begun) << begun.error().message;
        if (!begun) return {};
        auto confirmed =
            service_->ConfirmMfaEnrollment(Ctx(), token, TotpCode(begun->secret, Unix()));
        EXPECT_TRUE(confirmed) << confirmed.error().message;
        if (!confirmed) return {};
        EXPECT_TRUE(service_->Logout(Ctx(), token, false));
        return {begun->secret, confirmed->second};
    }

    std::int64_t Scalar(const std::string& sql, const std::string& param) {
        auto r = db().Query(sql, {param});
        EXPECT_TRUE(r) << r.error().message;
        return r ? r->rows[0].Int(0) : -1;
    }
    std::int64_t Count(const std::string& action) {
        return Scalar("SELECT COUNT(*) FROM audit_events WHERE action = ?", action);
    }
    std::int64_t Sessions(const std::string& person_id) {
        return Scalar("SELECT COUNT(*) FROM sessions WHERE person_id = ?", person_id);
    }
    /// All audit actions, oldest first.
    std::vector<std::string> Actions() {
        std::vector<std::string> out;
        auto r = db().Query("SELECT action FROM audit_events ORDER BY seq");
        EXPECT_TRUE(r) << r.error().message;
        if (r)
            for (const auto& row : r->rows) out.push_back(row.Text(0));
        return out;
    }
    /// The summary of the newest event with this action.
    boost::json::object Summary(const std::string& action) {
        auto r = db().Query(
            "SELECT summary FROM audit_events WHERE action = ? ORDER BY seq DESC LIMIT 1",
            {action});
        EXPECT_TRUE(r && !r->rows.empty()) << action;
        if (!r || r->rows.empty()) return {};
        return boost::json::parse(r->rows[0].Text(0)).as_object();
    }

    FixedClock clock_{At("2026-11-27T03:00:00Z")};
    AuthOptions options_;
    std::map<std::string, std::vector<Grant>> grants_;
    std::unique_ptr<mamori::testing::TestDatabase> test_db_;
    std::unique_ptr<AuthService> service_;
};

// --- login stages -------------------------------------------------------------------------

TEST_P(AuthServiceTest, StaffWithCurrentPasswordIsLoggedInFully) {
    const std::string id = AddPerson("tanaka");
    auto step = service_->Login(Ctx(), "tanaka", kPassword);
    ASSERT_TRUE(step) << step.error().message;
    EXPECT_EQ(step->stage, Stage::kFull);
    EXPECT_EQ(step->person_id, id);
    EXPECT_FALSE(step->token.empty());
    EXPECT_FALSE(step->csrf_token.empty());
    EXPECT_FALSE(step->previous_login_at);
    EXPECT_EQ(Actions(), (std::vector<std::string>{"auth.login"}));
    auto summary = Summary("auth.login");
    EXPECT_EQ(summary.at("method").as_string(), "password");
    auto row = db().Query("SELECT actor_id, client_address, object_id FROM audit_events");
    ASSERT_TRUE(row);
    EXPECT_EQ(row->rows[0].Text(0), id);
    EXPECT_EQ(row->rows[0].Text(1), kClient);
    EXPECT_EQ(row->rows[0].Text(2), id);
    // Only the hash of the token is stored.
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sessions WHERE token_hash = ?",
                     AuthService::HashToken(step->token)),
              1);
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sessions WHERE token_hash = ?", step->token), 0);

    // The next login reports this one and the failures since.
    clock_.Advance(hours(1));
    ASSERT_FALSE(service_->Login(Ctx(), "tanaka", "Wrong-2026!"));
    auto again = service_->Login(Ctx(), "tanaka", kPassword);
    ASSERT_TRUE(again) << again.error().message;
    ASSERT_TRUE(again->previous_login_at);
    EXPECT_EQ(*again->previous_login_at, "2026-11-27T03:00:00Z");
    EXPECT_EQ(again->previous_login_address.value_or(""), kClient);
    EXPECT_EQ(again->failed_attempts_since, 1);
}

TEST_P(AuthServiceTest, MustChangePasswordComesBeforeEverythingElse) {
    AddPerson("admin", {"staff", kMfaRole}, {.must_change = true});
    auto step = service_->Login(Ctx(), "admin", kPassword);
    ASSERT_TRUE(step) << step.error().message;
    EXPECT_EQ(step->stage, Stage::kPasswordChangeRequired);
    // A partial login is not a login yet.
    EXPECT_EQ(Actions(), (std::vector<std::string>{"auth.password_verified"}));
    EXPECT_EQ(Summary("auth.password_verified").at("next").as_string(), "password_change_required");
    auto session = service_->Authenticate(step->token);
    ASSERT_TRUE(session) << session.error().message;
    EXPECT_EQ(session->stage, Stage::kPasswordChangeRequired);
}

TEST_P(AuthServiceTest, ExpiredPasswordMustBeChanged) {
    AddPerson("old", {"staff"}, {.password_age_days = 366});
    AddPerson("recent", {"staff"}, {.password_age_days = 364});
    LoginAt("old", Stage::kPasswordChangeRequired);
    LoginAt("recent", Stage::kFull);
    // Two days later the second one has expired too.
    clock_.Advance(hours(48));
    LoginAt("recent", Stage::kPasswordChangeRequired);

    // max_age_days = 0: passwords never expire.
    options_.password.max_age_days = 0;
    MakeService();
    LoginAt("old", Stage::kFull);
}

TEST_P(AuthServiceTest, MfaRoleWithoutEnrolmentMustEnrol) {
    AddPerson("ciso", {"staff", kMfaRole});
    auto step = service_->Login(Ctx(), "ciso", kPassword);
    ASSERT_TRUE(step) << step.error().message;
    EXPECT_EQ(step->stage, Stage::kMfaEnrollmentRequired);
    EXPECT_EQ(Count("auth.login"), 0);
    EXPECT_EQ(Summary("auth.password_verified").at("next").as_string(), "mfa_enrollment_required");
}

TEST_P(AuthServiceTest, EnrolledPersonMustGiveACode) {
    const std::string secret = NewTotpSecret();
    AddPerson("enrolled_admin", {"staff", kMfaRole}, {.mfa_secret = secret});
    // Enrolment by choice also asks for the code, whatever the roles.
    AddPerson("enrolled_staff", {"staff"}, {.mfa_secret = secret});
    LoginAt("enrolled_admin", Stage::kMfaRequired);
    LoginAt("enrolled_staff", Stage::kMfaRequired);
    EXPECT_EQ(Count("auth.login"), 0);
    EXPECT_EQ(Count("auth.password_verified"), 2);
}

// --- lockout ------------------------------------------------------------------------------

TEST_P(AuthServiceTest, ThresholdFailuresLockEvenTheRightPassword) {
    const std::string id = AddPerson("tanaka");
    for (int i = 1; i < options_.lockout_threshold; ++i)
        EXPECT_TRUE(FailsWith(service_->Login(Ctx(), "tanaka", "Wrong-2026!"),
                              ErrorKind::kUnauthenticated, "invalid_credentials"))
            << "attempt " << i;
    EXPECT_EQ(Count("auth.account_locked"), 0);
    EXPECT_TRUE(FailsWith(service_->Login(Ctx(), "tanaka", "Wrong-2026!"), ErrorKind::kLocked,
                          "account_locked"));
    EXPECT_TRUE(FailsWith(service_->Login(Ctx(), "tanaka", kPassword), ErrorKind::kLocked,
                          "account_locked"));
    EXPECT_EQ(Sessions(id), 0);

    EXPECT_EQ(Count("auth.login_failed"), options_.lockout_threshold + 1);
    EXPECT_EQ(Count("auth.account_locked"), 1);
    EXPECT_EQ(Count("auth.login"), 0);
    auto locked = Summary("auth.account_locked");
    EXPECT_EQ(locked.at("locked_until").as_string(), "2026-11-27T03:30:00Z");
    EXPECT_EQ(locked.at("consecutive_failures").as_int64(), options_.lockout_threshold);
    EXPECT_EQ(Summary("auth.login_failed").at("reason").as_string(), "locked");
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.login_failed' AND "
                     "summary LIKE ?",
                     "%wrong_password%"),
              options_.lockout_threshold);
}

TEST_P(AuthServiceTest, LockEndsAfterLockoutMinutes) {
    const std::string id = AddPerson("tanaka");
    for (int i = 0; i < options_.lockout_threshold; ++i)
        ASSERT_FALSE(service_->Login(Ctx(), "tanaka", "Wrong-2026!"));
    clock_.Advance(minutes(options_.lockout_minutes - 1));
    EXPECT_TRUE(FailsWith(service_->Login(Ctx(), "tanaka", kPassword), ErrorKind::kLocked,
                          "account_locked"));
    clock_.Advance(minutes(1));
    LoginAt("tanaka", Stage::kFull);
    EXPECT_EQ(Scalar("SELECT failed_logins FROM people WHERE id = ?", id), 0);
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM people WHERE id = ? AND locked_until IS NULL", id), 1);
}

TEST_P(AuthServiceTest, AnExpiredLockStartsTheCountAfresh) {
    AddPerson("tanaka");
    for (int i = 0; i < options_.lockout_threshold; ++i)
        ASSERT_FALSE(service_->Login(Ctx(), "tanaka", "Wrong-2026!"));
    clock_.Advance(minutes(options_.lockout_minutes));
    // One mistake after the lock ran out is one failure, not another lock.
    EXPECT_TRUE(FailsWith(service_->Login(Ctx(), "tanaka", "Wrong-2026!"),
                          ErrorKind::kUnauthenticated, "invalid_credentials"));
    LoginAt("tanaka", Stage::kFull);
}

TEST_P(AuthServiceTest, LockoutMinutesZeroLocksUntilUnlocked) {
    options_.lockout_minutes = 0;
    MakeService();
    AddPerson("tanaka");
    for (int i = 0; i < options_.lockout_threshold; ++i)
        ASSERT_FALSE(service_->Login(Ctx(), "tanaka", "Wrong-2026!"));
    EXPECT_EQ(Summary("auth.account_locked").at("locked_until").as_string(),
              "9999-12-31T23:59:59Z");
    clock_.Advance(hours(24) * 300);
    EXPECT_TRUE(FailsWith(service_->Login(Ctx(), "tanaka", kPassword), ErrorKind::kLocked,
                          "account_locked"));
}

TEST_P(AuthServiceTest, SuccessfulLoginResetsTheCounter) {
    const std::string id = AddPerson("tanaka");
    for (int i = 1; i < options_.lockout_threshold; ++i)
        ASSERT_FALSE(service_->Login(Ctx(), "tanaka", "Wrong-2026!"));
    EXPECT_EQ(Scalar("SELECT failed_logins FROM people WHERE id = ?", id),
              options_.lockout_threshold - 1);
    LoginAt("tanaka", Stage::kFull);
    EXPECT_EQ(Scalar("SELECT failed_logins FROM people WHERE id = ?", id), 0);
    for (int i = 1; i < options_.lockout_threshold; ++i)
        EXPECT_TRUE(FailsWith(service_->Login(Ctx(), "tanaka", "Wrong-2026!"),
                              ErrorKind::kUnauthenticated, "invalid_credentials"));
    LoginAt("tanaka", Stage::kFull);
    EXPECT_EQ(Count("auth.account_locked"), 0);
}

TEST_P(AuthServiceTest, UnknownAndInactiveUsersLookLikeAWrongPassword) {
    const std::string id = AddPerson("tanaka");
    AddPerson("suzuki", {"staff"}, {.status = "suspended"});
    auto wrong = service_->Login(Ctx(), "tanaka", "Wrong-2026!");
    auto unknown = service_->Login(Ctx(), "nobody", kPassword);
    auto suspended = service_->Login(Ctx(), "suzuki", kPassword);
    ASSERT_TRUE(FailsWith(wrong, ErrorKind::kUnauthenticated, "invalid_credentials"));
    ASSERT_TRUE(FailsWith(unknown, ErrorKind::kUnauthenticated, "invalid_credentials"));
    ASSERT_TRUE(FailsWith(suspended, ErrorKind::kUnauthenticated, "invalid_credentials"));
    EXPECT_EQ(unknown.error().message, wrong.error().message);
    EXPECT_EQ(suspended.error().message, wrong.error().message);
    EXPECT_EQ(unknown.error().field, wrong.error().field);

    auto r = db().Query(
        "SELECT actor_id, actor_name, object_id, summary FROM audit_events "
        "WHERE action = 'auth.login_failed' ORDER BY seq");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->rows.size(), 3u);
    EXPECT_EQ(r->rows[0].Text(0), id);
    EXPECT_TRUE(r->rows[1].IsNull(0));
    EXPECT_EQ(r->rows[1].Text(1), "nobody");
    EXPECT_EQ(r->rows[1].Text(2), "nobody");
    EXPECT_NE(r->rows[1].Text(3).find("unknown_user"), std::string::npos);
    EXPECT_NE(r->rows[2].Text(3).find("inactive_suspended"), std::string::npos);
    EXPECT_EQ(Sessions("p-suzuki"), 0);
}

// --- rate limit ---------------------------------------------------------------------------

TEST_P(AuthServiceTest, TooManyAttemptsFromOneAddressAreRateLimited) {
    options_.login_attempts_per_minute = 3;
    MakeService();
    AddPerson("tanaka");
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(FailsWith(service_->Login(Ctx(), "nobody", kPassword),
                              ErrorKind::kUnauthenticated, "invalid_credentials"));
    // Even the right password is refused now, without touching the account.
    EXPECT_TRUE(FailsWith(service_->Login(Ctx(), "tanaka", kPassword), ErrorKind::kRateLimited,
                          "rate_limited"));
    EXPECT_EQ(Count("auth.login"), 0);
    EXPECT_EQ(Count("auth.login_failed"), 3);
    // Another address is not affected.
    auto other = service_->Login(Ctx("10.0.0.2"), "tanaka", kPassword);
    ASSERT_TRUE(other) << other.error().message;
    // The next minute starts afresh.
    clock_.Advance(seconds(60));
    LoginAt("tanaka", Stage::kFull);
}

// --- sessions -----------------------------------------------------------------------------

TEST_P(AuthServiceTest, AuthenticateFindsTheSession) {
    const std::string id = AddPerson("tanaka");
    auto step = service_->Login(Ctx(), "tanaka", kPassword);
    ASSERT_TRUE(step);
    auto s = service_->Authenticate(step->token);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->person_id, id);
    EXPECT_EQ(s->stage, Stage::kFull);
    EXPECT_EQ(s->csrf_token, step->csrf_token);
    EXPECT_FALSE(s->elevated);
    EXPECT_TRUE(s->elevated_until.empty());
    EXPECT_TRUE(
        FailsWith(service_->Authenticate(""), ErrorKind::kUnauthenticated, "unauthenticated"));
    EXPECT_TRUE(FailsWith(service_->Authenticate("no-such-token"), ErrorKind::kUnauthenticated,
                          "unauthenticated"));
    EXPECT_TRUE(FailsWith(service_->Authenticate(std::string(200, 'a')),
                          ErrorKind::kUnauthenticated, "unauthenticated"));
}

TEST_P(AuthServiceTest, IdleSessionExpires) {
    const std::string id = AddPerson("tanaka");
    const std::string token = LoginAt("tanaka", Stage::kFull);
    clock_.Advance(options_.session_idle);
    EXPECT_TRUE(
        FailsWith(service_->Authenticate(token), ErrorKind::kUnauthenticated, "session_expired"));
    // The expired session is gone.
    EXPECT_EQ(Sessions(id), 0);
    EXPECT_TRUE(
        FailsWith(service_->Authenticate(token), ErrorKind::kUnauthenticated, "unauthenticated"));
}

TEST_P(AuthServiceTest, ActivityWithinTheIdleWindowKeepsTheSession) {
    AddPerson("tanaka");
    const std::string token = LoginAt("tanaka", Stage::kFull);
    clock_.Advance(minutes(20));
    ASSERT_TRUE(service_->Authenticate(token));  // recorded: last seen more than a minute ago
    clock_.Advance(minutes(25));                 // 45 minutes after login, 25 idle
    ASSERT_TRUE(service_->Authenticate(token));
    clock_.Advance(minutes(29));
    ASSERT_TRUE(service_->Authenticate(token));
    clock_.Advance(options_.session_idle);
    EXPECT_TRUE(
        FailsWith(service_->Authenticate(token), ErrorKind::kUnauthenticated, "session_expired"));
}

TEST_P(AuthServiceTest, ActivityIsRecordedAtMinuteAccuracy) {
    AddPerson("tanaka");
    const std::string token = LoginAt("tanaka", Stage::kFull);
    // Activity less than a minute after the last recorded one is not written, so the idle
    // window still counts from the login.
    clock_.Advance(seconds(50));
    ASSERT_TRUE(service_->Authenticate(token));
    clock_.Advance(options_.session_idle - seconds(50));
    EXPECT_TRUE(
        FailsWith(service_->Authenticate(token), ErrorKind::kUnauthenticated, "session_expired"));
}

TEST_P(AuthServiceTest, AbsoluteExpiryEndsEvenABusySession) {
    AddPerson("tanaka");
    const std::string token = LoginAt("tanaka", Stage::kFull);
    const auto step = minutes(20);
    const auto busy_until = options_.session_absolute - step;
    for (auto t = step; t <= busy_until; t += step) {
        clock_.Advance(step);
        ASSERT_TRUE(service_->Authenticate(token)) << "after " << t.count() << " minutes";
    }
    clock_.Advance(step);  // exactly session_absolute after the login
    EXPECT_TRUE(
        FailsWith(service_->Authenticate(token), ErrorKind::kUnauthenticated, "session_expired"));
}

// --- password change ----------------------------------------------------------------------

TEST_P(AuthServiceTest, PasswordChangeRefusesPolicyViolationsAndWrongCurrent) {
    AddPerson("tanaka");
    const std::string token = LoginAt("tanaka", Stage::kFull);
    for (const char* bad : {"Ab1!", "hirakawacity", "hirakawa2026", "Tanaka-2026x"}) {
        auto r = service_->ChangePassword(Ctx(), token, kPassword, bad);
        ASSERT_TRUE(FailsWith(r, ErrorKind::kInvalidInput, "password_policy")) << bad;
        EXPECT_EQ(r.error().field, "new_password") << bad;
    }
    auto same = service_->ChangePassword(Ctx(), token, kPassword, kPassword);
    ASSERT_TRUE(FailsWith(same, ErrorKind::kInvalidInput, "password_reused"));
    EXPECT_EQ(same.error().field, "new_password");
    auto wrong = service_->ChangePassword(Ctx(), token, "Wrong-2026!", "Momiji-2027!");
    ASSERT_TRUE(FailsWith(wrong, ErrorKind::kInvalidInput, "wrong_password"));
    EXPECT_EQ(wrong.error().field, "current_password");
    EXPECT_EQ(Count("auth.password_changed"), 0);
    LoginAt("tanaka", Stage::kFull);  // the password is unchanged
}

TEST_P(AuthServiceTest, PasswordChangeRefusesTheLastNPasswords) {
    options_.password.history = 3;
    MakeService();
    const std::vector<std::string> passwords = {kPassword, "Momiji-2027!", "Tsubaki-2028!",
                                                "Kikyou-2029!"};
    AddPerson("tanaka");
    std::string token = LoginAt("tanaka", Stage::kFull);
    for (std::size_t i = 1; i < passwords.size(); ++i) {
        clock_.Advance(minutes(1));
        auto r = service_->ChangePassword(Ctx(), token, passwords[i - 1], passwords[i]);
        ASSERT_TRUE(r) << r.error().message;
    }
    // History: the current one and the two before it are refused.
    for (std::size_t i = 1; i < passwords.size(); ++i) {
        auto r = service_->ChangePassword(Ctx(), token, passwords.back(), passwords[i]);
        ASSERT_TRUE(FailsWith(r, ErrorKind::kInvalidInput, "password_reused")) << passwords[i];
        EXPECT_EQ(r.error().field, "new_password");
    }
    // The fourth most recent may be used again.
    clock_.Advance(minutes(1));
    auto r = service_->ChangePassword(Ctx(), token, passwords.back(), passwords[0]);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(Count("auth.password_changed"), 4);
}

TEST_P(AuthServiceTest, PasswordChangeEndsTheOtherSessions) {
    const std::string id = AddPerson("tanaka");
    AddPerson("suzuki");
    const std::string mine = LoginAt("tanaka", Stage::kFull);
    const std::string other = LoginAt("tanaka", Stage::kFull);
    const std::string someone_else = LoginAt("suzuki", Stage::kFull);
    clock_.Advance(minutes(1));
    auto r = service_->ChangePassword(Ctx(), mine, kPassword, "Momiji-2027!");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->stage, Stage::kFull);
    EXPECT_TRUE(service_->Authenticate(mine));
    EXPECT_TRUE(
        FailsWith(service_->Authenticate(other), ErrorKind::kUnauthenticated, "unauthenticated"));
    EXPECT_TRUE(service_->Authenticate(someone_else));
    EXPECT_EQ(Sessions(id), 1);

    EXPECT_FALSE(Summary("auth.password_changed").at("forced").as_bool());
    EXPECT_EQ(Count("auth.login"), 3);  // no extra login event for a change by choice
    auto changed = db().Query("SELECT password_changed_at FROM people WHERE id = ?", {id});
    ASSERT_TRUE(changed);
    EXPECT_EQ(changed->rows[0].Text(0), Now());

    EXPECT_TRUE(FailsWith(service_->Login(Ctx(), "tanaka", kPassword), ErrorKind::kUnauthenticated,
                          "invalid_credentials"));
    LoginAt("tanaka", Stage::kFull, "Momiji-2027!");
}

TEST_P(AuthServiceTest, ForcedChangeCompletesTheLogin) {
    const std::string id = AddPerson("tanaka", {"staff"}, {.must_change = true});
    const std::string token = LoginAt("tanaka", Stage::kPasswordChangeRequired);
    auto r = service_->ChangePassword(Ctx(), token, kPassword, "Momiji-2027!");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->stage, Stage::kFull);
    auto s = service_->Authenticate(token);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->stage, Stage::kFull);
    EXPECT_EQ(Scalar("SELECT must_change_password FROM people WHERE id = ?", id), 0);
    EXPECT_TRUE(Summary("auth.password_changed").at("forced").as_bool());
    EXPECT_EQ(Actions(), (std::vector<std::string>{"auth.password_verified",
                                                   "auth.password_changed", "auth.login"}));
}

TEST_P(AuthServiceTest, ForcedChangeLeadsToMfaEnrolmentForAnMfaRole) {
    AddPerson("admin", {"staff", kMfaRole}, {.must_change = true});
    const std::string token = LoginAt("admin", Stage::kPasswordChangeRequired);
    // Nothing but the password change is possible in this stage.
    EXPECT_TRUE(
        FailsWith(service_->BeginMfaEnrollment(Ctx(), token), ErrorKind::kConflict, "login_step"));
    auto r = service_->ChangePassword(Ctx(), token, kPassword, "Momiji-2027!");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->stage, Stage::kMfaEnrollmentRequired);
    EXPECT_EQ(Count("auth.login"), 0);
}

// A change by choice in a session that passed the second factor leaves it full.
TEST_P(AuthServiceTest, ChangeByChoiceKeepsAnMfaSessionFull) {
    AddPerson("admin", {"staff", kMfaRole});
    const auto [secret, codes] = Enrol("admin");
    ASSERT_FALSE(secret.empty());
    clock_.Advance(seconds(30));
    const std::string token = LoginAt("admin", Stage::kMfaRequired);
    ASSERT_TRUE(service_->VerifyMfa(Ctx(), token, TotpCode(secret, Unix())));
    clock_.Advance(minutes(1));
    auto r = service_->ChangePassword(Ctx(), token, kPassword, "Momiji-2027!");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->stage, Stage::kFull) << StageName(r->stage);
    auto s = service_->Authenticate(token);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->stage, Stage::kFull) << StageName(s->stage);
}

TEST_P(AuthServiceTest, EnrolledPersonGivesTheCodeBeforeAForcedChange) {
    const std::string id = AddPerson("admin", {"staff", kMfaRole});
    const auto [secret, codes] = Enrol("admin");
    ASSERT_FALSE(secret.empty());
    ASSERT_TRUE(db().Query("UPDATE people SET must_change_password = 1 WHERE id = ?", {id}));
    clock_.Advance(seconds(30));
    const std::string token = LoginAt("admin", Stage::kMfaRequired);
    // Nothing happens on the strength of the password alone.
    EXPECT_TRUE(FailsWith(service_->ChangePassword(Ctx(), token, kPassword, "Momiji-2027!"),
                          ErrorKind::kConflict, "login_step"));
    auto verified = service_->VerifyMfa(Ctx(), token, TotpCode(secret, Unix()));
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_EQ(verified->stage, Stage::kPasswordChangeRequired);
    EXPECT_EQ(Summary("auth.second_factor_verified").at("next").as_string(),
              "password_change_required");
    EXPECT_EQ(Count("auth.login"), 1);  // the enrolment's only
    auto changed = service_->ChangePassword(Ctx(), token, kPassword, "Momiji-2027!");
    ASSERT_TRUE(changed) << changed.error().message;
    EXPECT_EQ(changed->stage, Stage::kFull);
    EXPECT_EQ(service_->Authenticate(token)->stage, Stage::kFull);
    EXPECT_EQ(Count("auth.login"), 2);
    EXPECT_TRUE(Summary("auth.password_changed").at("forced").as_bool());
}

// --- TOTP ---------------------------------------------------------------------------------

TEST_P(AuthServiceTest, TotpEnrolmentGivesTenRecoveryCodes) {
    const std::string id = AddPerson("admin", {"staff", kMfaRole});
    const std::string token = LoginAt("admin", Stage::kMfaEnrollmentRequired);
    EXPECT_TRUE(
        FailsWith(service_->VerifyMfa(Ctx(), token, "123456"), ErrorKind::kConflict, "login_step"));
    EXPECT_TRUE(FailsWith(service_->ConfirmMfaEnrollment(Ctx(), token, "123456"),
                          ErrorKind::kConflict, "no_enrollment"));
    auto begun = service_->BeginMfaEnrollment(Ctx(), token);
    ASSERT_TRUE(begun) << begun.error().message;
    EXPECT_EQ(begun->secret.size(), 32u);
    EXPECT_EQ(begun->otpauth_uri.rfind("otpauth://totp/mamori:admin?", 0), 0u)
        << begun->otpauth_uri;

    const std::string code = TotpCode(begun->secret, Unix());
    const std::string wrong = WrongCode(begun->secret, Unix());
    EXPECT_TRUE(FailsWith(service_->ConfirmMfaEnrollment(Ctx(), token, wrong),
                          ErrorKind::kInvalidInput, "invalid_code"));
    auto confirmed = service_->ConfirmMfaEnrollment(Ctx(), token, code);
    ASSERT_TRUE(confirmed) << confirmed.error().message;
    EXPECT_EQ(confirmed->first.stage, Stage::kFull);
    const auto& codes = confirmed->second;
    EXPECT_EQ(codes.size(), 10u);
    EXPECT_EQ(std::set<std::string>(codes.begin(), codes.end()).size(), 10u);

    auto s = service_->Authenticate(token);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->stage, Stage::kFull);
    auto row = db().Query("SELECT mfa_secret, mfa_pending_secret FROM people WHERE id = ?", {id});
    ASSERT_TRUE(row);
    EXPECT_EQ(row->rows[0].Text(0), begun->secret);
    EXPECT_TRUE(row->rows[0].IsNull(1));
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM recovery_codes WHERE person_id = ?", id), 10);
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM recovery_codes WHERE code_hash = ?", codes[0]), 0);

    EXPECT_EQ(Actions(),
              (std::vector<std::string>{"auth.password_verified", "auth.mfa_enrollment_started",
                                        "auth.mfa_enrolled", "auth.login"}));
    EXPECT_EQ(Summary("auth.mfa_enrolled").at("recovery_codes").as_int64(), 10);
    EXPECT_EQ(Summary("auth.login").at("method").as_string(), "totp_enrollment");
    // No secret or code in the audit trail.
    EXPECT_EQ(
        Scalar("SELECT COUNT(*) FROM audit_events WHERE summary LIKE ?", "%" + begun->secret + "%"),
        0);
}

TEST_P(AuthServiceTest, TotpCodeIsNeverAcceptedTwice) {
    AddPerson("admin", {"staff", kMfaRole});
    const auto [secret, codes] = Enrol("admin");
    ASSERT_FALSE(secret.empty());

    // The code used for enrolment cannot be used again to log in.
    std::string token = LoginAt("admin", Stage::kMfaRequired);
    const std::string enrolment_code = TotpCode(secret, Unix());
    EXPECT_TRUE(FailsWith(service_->VerifyMfa(Ctx(), token, enrolment_code),
                          ErrorKind::kUnauthenticated, "invalid_code"));

    // A code from the next step is accepted once.
    clock_.Advance(seconds(30));
    const std::string code = TotpCode(secret, Unix());
    auto ok = service_->VerifyMfa(Ctx(), token, code);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->stage, Stage::kFull);
    EXPECT_EQ(Summary("auth.login").at("method").as_string(), "totp");
    auto s = service_->Authenticate(token);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->stage, Stage::kFull);
    // A completed login cannot verify again.
    EXPECT_TRUE(
        FailsWith(service_->VerifyMfa(Ctx(), token, code), ErrorKind::kConflict, "login_step"));

    // Replayed in a new login: refused, as is the older step's code.
    std::string again = LoginAt("admin", Stage::kMfaRequired);
    EXPECT_TRUE(FailsWith(service_->VerifyMfa(Ctx(), again, code), ErrorKind::kUnauthenticated,
                          "invalid_code"));
    EXPECT_TRUE(FailsWith(service_->VerifyMfa(Ctx(), again, TotpCode(secret, Unix() - 30)),
                          ErrorKind::kUnauthenticated, "invalid_code"));
    EXPECT_EQ(Summary("auth.login_failed").at("reason").as_string(), "wrong_or_reused_code");
    clock_.Advance(seconds(30));
    auto next = service_->VerifyMfa(Ctx(), again, TotpCode(secret, Unix()));
    ASSERT_TRUE(next) << next.error().message;
    EXPECT_EQ(Count("auth.login"), 3);  // enrolment, and two code logins
}

TEST_P(AuthServiceTest, RecoveryCodeWorksOnce) {
    const std::string id = AddPerson("admin", {"staff", kMfaRole});
    const auto [secret, codes] = Enrol("admin");
    ASSERT_EQ(codes.size(), 10u);

    std::string token = LoginAt("admin", Stage::kMfaRequired);
    auto ok = service_->VerifyMfa(Ctx(), token, codes[0]);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(Summary("auth.login").at("method").as_string(), "recovery_code");
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM recovery_codes WHERE person_id = ? AND used_at IS "
                     "NULL",
                     id),
              9);

    token = LoginAt("admin", Stage::kMfaRequired);
    EXPECT_TRUE(FailsWith(service_->VerifyMfa(Ctx(), token, codes[0]), ErrorKind::kUnauthenticated,
                          "invalid_code"));
    // Case and dashes do not matter.
    std::string typed;
    for (char c : codes[1])
        if (c != '-') typed += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto other = service_->VerifyMfa(Ctx(), token, typed);
    ASSERT_TRUE(other) << other.error().message;
}

TEST_P(AuthServiceTest, WrongCodesCountTowardsTheLockout) {
    const std::string id = AddPerson("admin", {"staff", kMfaRole});
    const auto [secret, codes] = Enrol("admin");
    ASSERT_FALSE(secret.empty());
    clock_.Advance(seconds(30));
    const std::string token = LoginAt("admin", Stage::kMfaRequired);
    const std::string wrong = WrongCode(secret, Unix());
    for (int i = 1; i < options_.lockout_threshold; ++i)
        EXPECT_TRUE(FailsWith(service_->VerifyMfa(Ctx(), token, wrong), ErrorKind::kUnauthenticated,
                              "invalid_code"))
            << "attempt " << i;
    EXPECT_TRUE(FailsWith(service_->VerifyMfa(Ctx(), token, "not-a-code"), ErrorKind::kLocked,
                          "account_locked"));
    // The session is ended, and the right password no longer helps.
    EXPECT_TRUE(
        FailsWith(service_->Authenticate(token), ErrorKind::kUnauthenticated, "unauthenticated"));
    EXPECT_TRUE(FailsWith(service_->Login(Ctx(), "admin", kPassword), ErrorKind::kLocked,
                          "account_locked"));
    EXPECT_EQ(Count("auth.account_locked"), 1);
    EXPECT_EQ(Scalar("SELECT failed_logins FROM people WHERE id = ?", id),
              options_.lockout_threshold);
}

// A correct password does not reset the counter while the second factor is still to come, so
// logging in again between guesses at the code does not avoid the lockout.
TEST_P(AuthServiceTest, WrongCodesLockEvenAcrossFreshPasswordLogins) {
    AddPerson("admin", {"staff", kMfaRole});
    const auto [secret, codes] = Enrol("admin");
    ASSERT_FALSE(secret.empty());
    clock_.Advance(seconds(30));
    const std::string wrong = WrongCode(secret, Unix());
    std::string token = LoginAt("admin", Stage::kMfaRequired);
    for (int i = 1; i < options_.lockout_threshold; ++i)
        ASSERT_TRUE(FailsWith(service_->VerifyMfa(Ctx(), token, wrong), ErrorKind::kUnauthenticated,
                              "invalid_code"));
    token = LoginAt("admin", Stage::kMfaRequired);
    // The threshold-th consecutive wrong code locks.
    EXPECT_TRUE(
        FailsWith(service_->VerifyMfa(Ctx(), token, wrong), ErrorKind::kLocked, "account_locked"));
}

// --- elevation ----------------------------------------------------------------------------

TEST_P(AuthServiceTest, ElevationNeedsThePasswordAndLastsElevationMinutes) {
    AddPerson("tanaka");
    const std::string token = LoginAt("tanaka", Stage::kFull);
    auto wrong = service_->Elevate(Ctx(), token, "Wrong-2026!", "");
    ASSERT_TRUE(FailsWith(wrong, ErrorKind::kInvalidInput, "wrong_password"));
    EXPECT_EQ(wrong.error().field, "password");
    EXPECT_EQ(Count("auth.elevated"), 0);
    EXPECT_FALSE(service_->Authenticate(token)->elevated);

    auto until = service_->Elevate(Ctx(), token, kPassword, "");
    ASSERT_TRUE(until) << until.error().message;
    EXPECT_EQ(*until, "2026-11-27T03:30:00Z");
    auto summary = Summary("auth.elevated");
    EXPECT_EQ(summary.at("from").as_string(), "2026-11-27T03:00:00Z");
    EXPECT_EQ(summary.at("until").as_string(), *until);

    auto s = service_->Authenticate(token);
    ASSERT_TRUE(s);
    EXPECT_TRUE(s->elevated);
    EXPECT_EQ(s->elevated_until, *until);
    clock_.Advance(options_.elevation - minutes(1));
    EXPECT_TRUE(service_->Authenticate(token)->elevated);
    clock_.Advance(minutes(1));
    s = service_->Authenticate(token);
    ASSERT_TRUE(s);  // the session itself lives on
    EXPECT_FALSE(s->elevated);
}

TEST_P(AuthServiceTest, ElevationOfAnEnrolledPersonNeedsAFreshCode) {
    AddPerson("admin", {"staff", kMfaRole});
    const auto [secret, codes] = Enrol("admin");
    ASSERT_FALSE(secret.empty());
    clock_.Advance(seconds(30));
    const std::string token = LoginAt("admin", Stage::kMfaRequired);
    // Not before the login is complete.
    EXPECT_TRUE(FailsWith(service_->Elevate(Ctx(), token, kPassword, TotpCode(secret, Unix())),
                          ErrorKind::kConflict, "login_step"));
    const std::string login_code = TotpCode(secret, Unix());
    ASSERT_TRUE(service_->VerifyMfa(Ctx(), token, login_code));

    auto none = service_->Elevate(Ctx(), token, kPassword, "");
    ASSERT_TRUE(FailsWith(none, ErrorKind::kInvalidInput, "invalid_code"));
    EXPECT_EQ(none.error().field, "code");
    EXPECT_TRUE(FailsWith(service_->Elevate(Ctx(), token, kPassword, login_code),
                          ErrorKind::kInvalidInput, "invalid_code"));
    clock_.Advance(seconds(30));
    const std::string fresh = TotpCode(secret, Unix());
    EXPECT_TRUE(FailsWith(service_->Elevate(Ctx(), token, "Wrong-2026!", fresh),
                          ErrorKind::kInvalidInput, "wrong_password"));
    auto until = service_->Elevate(Ctx(), token, kPassword, fresh);
    ASSERT_TRUE(until) << until.error().message;
    EXPECT_TRUE(service_->Authenticate(token)->elevated);
    // The code used to elevate cannot be used again, neither to elevate nor to log in.
    EXPECT_TRUE(FailsWith(service_->Elevate(Ctx(), token, kPassword, fresh),
                          ErrorKind::kInvalidInput, "invalid_code"));
    const std::string other = LoginAt("admin", Stage::kMfaRequired);
    EXPECT_TRUE(FailsWith(service_->VerifyMfa(Ctx(), other, fresh), ErrorKind::kUnauthenticated,
                          "invalid_code"));
    EXPECT_EQ(Count("auth.elevated"), 1);
}

TEST_P(AuthServiceTest, WrongPasswordsOnElevationCountTowardsTheLockout) {
    AddPerson("tanaka");
    const std::string token = LoginAt("tanaka", Stage::kFull);
    for (int i = 1; i < options_.lockout_threshold; ++i)
        EXPECT_TRUE(FailsWith(service_->Elevate(Ctx(), token, "Wrong-2026!", ""),
                              ErrorKind::kInvalidInput, "wrong_password"));
    EXPECT_TRUE(FailsWith(service_->Elevate(Ctx(), token, "Wrong-2026!", ""), ErrorKind::kLocked,
                          "account_locked"));
    EXPECT_FALSE(service_->Authenticate(token));
    EXPECT_TRUE(FailsWith(service_->Login(Ctx(), "tanaka", kPassword), ErrorKind::kLocked,
                          "account_locked"));
    EXPECT_EQ(Count("auth.account_locked"), 1);
    EXPECT_EQ(Count("auth.elevated"), 0);
}

TEST_P(AuthServiceTest, ReplacingTheAuthenticatorNeedsElevation) {
    const std::string id = AddPerson("admin", {"staff", kMfaRole});
    const auto [secret, codes] = Enrol("admin");
    ASSERT_FALSE(secret.empty());
    clock_.Advance(seconds(30));
    const std::string token = LoginAt("admin", Stage::kMfaRequired);
    ASSERT_TRUE(service_->VerifyMfa(Ctx(), token, TotpCode(secret, Unix())));
    EXPECT_TRUE(FailsWith(service_->BeginMfaEnrollment(Ctx(), token), ErrorKind::kForbidden,
                          "elevation_required"));
    clock_.Advance(seconds(30));
    ASSERT_TRUE(service_->Elevate(Ctx(), token, kPassword, TotpCode(secret, Unix())));
    auto begun = service_->BeginMfaEnrollment(Ctx(), token);
    ASSERT_TRUE(begun) << begun.error().message;
    EXPECT_NE(begun->secret, secret);
    auto confirmed = service_->ConfirmMfaEnrollment(Ctx(), token, TotpCode(begun->secret, Unix()));
    ASSERT_TRUE(confirmed) << confirmed.error().message;
    auto row = db().Query("SELECT mfa_secret FROM people WHERE id = ?", {id});
    ASSERT_TRUE(row);
    EXPECT_EQ(row->rows[0].Text(0), begun->secret);
    EXPECT_EQ(Count("auth.mfa_enrolled"), 2);
    EXPECT_EQ(Count("auth.login"), 2);  // re-enrolment within a session is not a login
}

// --- logout -------------------------------------------------------------------------------

TEST_P(AuthServiceTest, LogoutEndsThisSessionOrAll) {
    const std::string id = AddPerson("tanaka");
    AddPerson("suzuki");
    const std::string a = LoginAt("tanaka", Stage::kFull);
    const std::string b = LoginAt("tanaka", Stage::kFull);
    const std::string c = LoginAt("tanaka", Stage::kFull);
    const std::string someone_else = LoginAt("suzuki", Stage::kFull);

    ASSERT_TRUE(service_->Logout(Ctx(), a, false));
    EXPECT_TRUE(
        FailsWith(service_->Authenticate(a), ErrorKind::kUnauthenticated, "unauthenticated"));
    EXPECT_TRUE(service_->Authenticate(b));
    auto one = Summary("auth.logout");
    EXPECT_FALSE(one.at("everywhere").as_bool());
    EXPECT_EQ(one.at("sessions_ended").as_int64(), 1);
    EXPECT_TRUE(FailsWith(service_->Logout(Ctx(), a, false), ErrorKind::kUnauthenticated,
                          "unauthenticated"));

    ASSERT_TRUE(service_->Logout(Ctx(), b, true));
    EXPECT_FALSE(service_->Authenticate(b));
    EXPECT_FALSE(service_->Authenticate(c));
    EXPECT_TRUE(service_->Authenticate(someone_else));
    EXPECT_EQ(Sessions(id), 0);
    auto all = Summary("auth.logout");
    EXPECT_TRUE(all.at("everywhere").as_bool());
    EXPECT_EQ(all.at("sessions_ended").as_int64(), 2);
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.logout' AND "
                     "actor_id = ?",
                     id),
              2);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthServiceTest, mamori::testing::AllBackends(),
                         mamori::testing::BackendName);

}  // namespace
}  // namespace mamori::auth
