// The login contract over real HTTP, on both databases.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <chrono>
#include <set>

#include "auth/totp.h"
#include "support/api_client.h"
#include "support/test_postgres.h"
#include "support/test_server.h"

namespace mamori::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kInitial = "Init-Passw0rd!";
constexpr const char* kNew = "Hirakawa-2026-new";

std::int64_t Now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

class AuthFlowTest : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        data_ = tmp_.path() / "data";
        auto r = InitDataDirFor(data_, GetParam(), kInitial);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        server_ = ServerProcess::Start(data_);
        ASSERT_TRUE(server_);
    }

    /// Walks the first login of `admin`: forced password change, then MFA enrolment.
    /// Returns the TOTP secret.
    std::string FirstLogin(ApiClient& c) {
        auto login = c.Post("/api/v1/auth/login",
                            json::object{{"username", "admin"}, {"password", kInitial}});
        EXPECT_EQ(login.status, 200) << login.body;
        EXPECT_EQ(login.json.at("status").as_string(), "password_change_required");
        auto pw = c.Post("/api/v1/auth/password",
                         json::object{{"current_password", kInitial}, {"new_password", kNew}});
        EXPECT_EQ(pw.status, 200) << pw.body;
        EXPECT_EQ(pw.json.at("status").as_string(), "mfa_enrollment_required");
        auto enroll = c.Post("/api/v1/auth/mfa/enroll");
        EXPECT_EQ(enroll.status, 200) << enroll.body;
        std::string secret(enroll.json.at("secret").as_string());
        secret_ = secret;
        auto confirm = c.Post("/api/v1/auth/mfa/enroll/confirm",
                              json::object{{"code", auth::TotpCode(secret, Now())}});
        EXPECT_EQ(confirm.status, 200) << confirm.body;
        EXPECT_EQ(confirm.json.at("status").as_string(), "ok");
        EXPECT_EQ(confirm.json.at("recovery_codes").as_array().size(), 10u);
        recovery_ = std::string(confirm.json.at("recovery_codes").as_array()[0].as_string());
        return secret;
    }

    TempDir tmp_;
    fs::path data_;
    std::unique_ptr<ServerProcess> server_;
    std::string recovery_;
    std::string secret_;
};

TEST_P(AuthFlowTest, BannerIsReadableBeforeLogin) {
    ApiClient c(server_->port());
    auto r = c.Get("/api/v1/auth/banner");
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(std::string(r.json.at("banner").as_string()).empty());
}

TEST_P(AuthFlowTest, WrongPasswordIs401AndUnknownUserLooksTheSame) {
    ApiClient c(server_->port());
    auto wrong =
        c.Post("/api/v1/auth/login", json::object{{"username", "admin"}, {"password", "x"}});
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(wrong.code(), "invalid_credentials");
    auto nobody =
        c.Post("/api/v1/auth/login", json::object{{"username", "nobody"}, {"password", "x"}});
    EXPECT_EQ(nobody.status, 401);
    EXPECT_EQ(nobody.json.at("error").at("message"), wrong.json.at("error").at("message"));
}

TEST_P(AuthFlowTest, LoginBodyIsValidated) {
    ApiClient c(server_->port());
    auto extra = c.Post("/api/v1/auth/login",
                        json::object{{"username", "admin"}, {"password", "x"}, {"remember", true}});
    EXPECT_EQ(extra.status, 400);
    EXPECT_EQ(extra.code(), "unknown_field");
    auto missing = c.Post("/api/v1/auth/login", json::object{{"username", "admin"}});
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(missing.json.at("error").at("details").at("field").as_string(), "password");
    auto broken = c.Send("POST", "/api/v1/auth/login", "{\"username\": ");
    EXPECT_EQ(broken.status, 400);
    EXPECT_EQ(broken.code(), "invalid_json");
}

TEST_P(AuthFlowTest, FirstLoginChangesPasswordEnrolsMfaAndLogsInAgainWithTotp) {
    ApiClient c(server_->port());
    const std::string secret = FirstLogin(c);
    auto me = c.Get("/api/v1/auth/me");
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(me.json.at("user").at("username").as_string(), "admin");
    EXPECT_TRUE(me.json.at("user").at("platform_admin").as_bool());
    auto history = c.Get("/api/v1/auth/history");
    ASSERT_EQ(history.status, 200) << history.body;
    std::set<std::string> mine;
    for (const auto& e : history.json.at("items").as_array()) {
        mine.insert(std::string(e.at("action").as_string()));
        EXPECT_EQ(e.at("actor_id"), me.json.at("user").at("id"));
    }
    for (const char* a : {"auth.login", "auth.password_changed", "auth.mfa_enrolled"})
        EXPECT_TRUE(mine.count(a)) << a;

    auto out = c.Post("/api/v1/auth/logout");
    EXPECT_EQ(out.status, 200) << out.body;
    EXPECT_EQ(c.Get("/api/v1/auth/me").status, 401);

    ApiClient again(server_->port());
    auto login =
        again.Post("/api/v1/auth/login", json::object{{"username", "admin"}, {"password", kNew}});
    ASSERT_EQ(login.status, 200) << login.body;
    EXPECT_EQ(login.json.at("status").as_string(), "mfa_required");
    // The code used at enrolment is spent: it is refused if still current.
    const std::string spent = auth::TotpCode(secret, Now());
    auto replay = again.Post("/api/v1/auth/mfa", json::object{{"code", spent}});
    if (replay.status == 401) {
        EXPECT_EQ(replay.code(), "invalid_code");
        // A recovery code completes the login instead.
        auto rec = again.Post("/api/v1/auth/mfa", json::object{{"code", recovery_}});
        ASSERT_EQ(rec.status, 200) << rec.body;
    } else {
        ASSERT_EQ(replay.status, 200) << replay.body;  // the 30-second step had moved on
    }
    auto me2 = again.Get("/api/v1/auth/me");
    ASSERT_EQ(me2.status, 200);
    // The previous login (the first one) is shown.
    EXPECT_TRUE(me2.json.at("previous_login").is_object()) << me2.body;
}

TEST_P(AuthFlowTest, ApiTokensAreShownOnceScopedAndRevocable) {
    ApiClient c(server_->port());
    FirstLogin(c);
    auto too_much =
        c.Post("/api/v1/tokens",
               json::object{{"name", "監査連携"}, {"permissions", json::array{"audit.read"}}});
    EXPECT_EQ(too_much.status, 403);  // the administrator does not hold audit.read
    auto made =
        c.Post("/api/v1/tokens", json::object{{"name", "夜間バックアップ確認"}, {"days", 7}});
    ASSERT_EQ(made.status, 201) << made.body;
    const std::string secret(made.json.at("token").as_string());
    const std::string id(made.json.at("id").as_string());
    EXPECT_EQ(secret.rfind("mmr_", 0), 0u);

    auto listed = c.Get("/api/v1/tokens");
    ASSERT_EQ(listed.status, 200);
    EXPECT_EQ(listed.body.find(secret), std::string::npos);  // never shown again

    auto bearer = Http(server_->port(), "GET", "/api/v1/auth/me", "",
                       {{"Authorization", "Bearer " + secret}});
    EXPECT_EQ(bearer.status, 200) << bearer.body;
    auto bad = Http(server_->port(), "GET", "/api/v1/auth/me", "",
                    {{"Authorization", "Bearer mmr_not-a-token"}});
    EXPECT_EQ(bad.status, 401);

    EXPECT_EQ(c.Send("DELETE", "/api/v1/tokens/" + id, "").status, 200);
    auto revoked = Http(server_->port(), "GET", "/api/v1/auth/me", "",
                        {{"Authorization", "Bearer " + secret}});
    EXPECT_EQ(revoked.status, 401);
}

TEST_P(AuthFlowTest, AdministratorRemovesALostAuthenticator) {
    ApiClient admin(server_->port());
    FirstLogin(admin);
    // The administrator creates an auditor (MFA required), who enrols an authenticator.
    ASSERT_EQ(
        admin
            .Post("/api/v1/auth/elevate",
                  json::object{{"password", kNew}, {"code", auth::TotpCode(secret_, Now() + 30)}})
            .status,
        200);
    auto unit =
        admin.Post("/api/v1/units", json::object{{"name", "行政監査室"}, {"kind", "department"}});
    ASSERT_EQ(unit.status, 201) << unit.body;
    auto person = admin.Post("/api/v1/people", json::object{{"username", "kansa"},
                                                            {"display_name", "久保田 茂"},
                                                            {"unit_id", unit.json.at("id")},
                                                            {"password", "Temp-Passw0rd-1"}});
    ASSERT_EQ(person.status, 201) << person.body;
    const std::string id(person.json.at("id").as_string());
    ASSERT_EQ(
        admin
            .Post("/api/v1/appointments",
                  json::object{{"person_id", id}, {"role", "auditor"}, {"starts_on", "2026-04-01"}})
            .status,
        201);
    ApiClient kansa(server_->port());
    kansa.Post("/api/v1/auth/login",
               json::object{{"username", "kansa"}, {"password", "Temp-Passw0rd-1"}});
    auto pw =
        kansa.Post("/api/v1/auth/password", json::object{{"current_password", "Temp-Passw0rd-1"},
                                                         {"new_password", "Audit-Passw0rd-9"}});
    ASSERT_EQ(pw.json.at("status").as_string(), "mfa_enrollment_required") << pw.body;
    auto enroll = kansa.Post("/api/v1/auth/mfa/enroll");
    const std::string lost(enroll.json.at("secret").as_string());
    ASSERT_EQ(kansa
                  .Post("/api/v1/auth/mfa/enroll/confirm",
                        json::object{{"code", auth::TotpCode(lost, Now())}})
                  .status,
              200);

    // Phone lost: the administrator removes the authenticator; the next login enrols anew.
    const std::string admin_id(admin.Get("/api/v1/auth/me").json.at("user").at("id").as_string());
    auto self = admin.Post("/api/v1/people/" + admin_id + "/reset-mfa");
    EXPECT_EQ(self.status, 409);
    auto reset = admin.Post("/api/v1/people/" + id + "/reset-mfa");
    ASSERT_EQ(reset.status, 200) << reset.body;
    EXPECT_EQ(kansa.Get("/api/v1/auth/me").status, 401);  // sessions ended
    ApiClient again(server_->port());
    auto login = again.Post("/api/v1/auth/login",
                            json::object{{"username", "kansa"}, {"password", "Audit-Passw0rd-9"}});
    ASSERT_EQ(login.status, 200);
    EXPECT_EQ(login.json.at("status").as_string(), "mfa_enrollment_required");
}

TEST_P(AuthFlowTest, PartialSessionCanOnlyCompleteTheLogin) {
    ApiClient c(server_->port());
    auto login =
        c.Post("/api/v1/auth/login", json::object{{"username", "admin"}, {"password", kInitial}});
    ASSERT_EQ(login.status, 200);
    auto me = c.Get("/api/v1/auth/me");
    EXPECT_EQ(me.status, 403);
    EXPECT_EQ(me.code(), "login_incomplete");
    auto mfa = c.Post("/api/v1/auth/mfa", json::object{{"code", "123456"}});
    EXPECT_EQ(mfa.status, 409);  // not this step yet
}

TEST_P(AuthFlowTest, StateChangesNeedTheCsrfHeader) {
    ApiClient c(server_->port());
    auto login =
        c.Post("/api/v1/auth/login", json::object{{"username", "admin"}, {"password", kInitial}});
    ASSERT_EQ(login.status, 200);
    auto no_csrf = c.Send(
        "POST", "/api/v1/auth/password",
        json::serialize(json::object{{"current_password", kInitial}, {"new_password", kNew}}),
        "application/json", false);
    EXPECT_EQ(no_csrf.status, 403);
    EXPECT_EQ(no_csrf.code(), "csrf_failed");
    // Nothing changed: the initial password still works.
    ApiClient fresh(server_->port());
    auto still = fresh.Post("/api/v1/auth/login",
                            json::object{{"username", "admin"}, {"password", kInitial}});
    EXPECT_EQ(still.status, 200);
}

TEST_P(AuthFlowTest, PasswordRulesAreEnforcedAndNamed) {
    ApiClient c(server_->port());
    ASSERT_EQ(
        c.Post("/api/v1/auth/login", json::object{{"username", "admin"}, {"password", kInitial}})
            .status,
        200);
    auto weak = c.Post("/api/v1/auth/password",
                       json::object{{"current_password", kInitial}, {"new_password", "short"}});
    EXPECT_EQ(weak.status, 400);
    EXPECT_EQ(weak.json.at("error").at("details").at("field").as_string(), "new_password");
    auto same = c.Post("/api/v1/auth/password",
                       json::object{{"current_password", kInitial}, {"new_password", kInitial}});
    EXPECT_EQ(same.status, 400);
    EXPECT_EQ(same.code(), "password_reused");
    auto wrong = c.Post("/api/v1/auth/password",
                        json::object{{"current_password", "nope"}, {"new_password", kNew}});
    EXPECT_EQ(wrong.status, 400);
    EXPECT_EQ(wrong.json.at("error").at("details").at("field").as_string(), "current_password");
}

TEST_P(AuthFlowTest, LockoutAfterFiveFailures) {
    ApiClient c(server_->port());
    for (int i = 1; i <= 4; ++i) {
        auto r =
            c.Post("/api/v1/auth/login", json::object{{"username", "admin"}, {"password", "bad"}});
        EXPECT_EQ(r.status, 401) << i;
    }
    auto fifth =
        c.Post("/api/v1/auth/login", json::object{{"username", "admin"}, {"password", "bad"}});
    EXPECT_EQ(fifth.status, 423);
    EXPECT_EQ(fifth.code(), "account_locked");
    auto right =
        c.Post("/api/v1/auth/login", json::object{{"username", "admin"}, {"password", kInitial}});
    EXPECT_EQ(right.status, 423);  // even the right password, while locked
}

TEST_P(AuthFlowTest, UnauthenticatedCallsAreRefused) {
    ApiClient c(server_->port());
    EXPECT_EQ(c.Get("/api/v1/auth/me").status, 401);
    EXPECT_EQ(c.Get("/api/v1/audit-events").status, 401);
    auto forged = c.Send("GET", "/api/v1/auth/me", "");
    EXPECT_EQ(forged.code(), "unauthenticated");
}

INSTANTIATE_TEST_SUITE_P(Databases, AuthFlowTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace mamori::testing
