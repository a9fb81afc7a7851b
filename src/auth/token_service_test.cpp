#include "auth/token_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "auth/auth_service.h"
#include "support/test_database.h"

namespace mamori::auth {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

Clock::TimePoint At(const char* rfc3339) {
    std::tm tm{};
    strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

/// Succeeds when `r` failed with this kind and code.
template <typename T>
::testing::AssertionResult FailsWith(const Result<T>& r, ErrorKind kind, std::string_view code) {
    if (r) return ::testing::AssertionFailure() << "succeeded; expected " << code;
    if (r.error().kind != kind || r.error().code != code)
        return ::testing::AssertionFailure()
               << "failed with " << r.error().code << " (kind " << static_cast<int>(r.error().kind)
               << "): " << r.error().message << "; expected " << code;
    return ::testing::AssertionSuccess();
}

class TokenServiceTest : public ::testing::TestWithParam<store::Backend> {
  protected:
    void SetUp() override {
        test_db_ = std::make_unique<mamori::testing::TestDatabase>(GetParam());
        ASSERT_TRUE(test_db_->ok());
        service_ =
            std::make_unique<TokenService>(db(), clock_, std::vector<std::string>{"org.manage"});
        alice_ = AddPerson("alice", {"assets.read", "org.read", "policy.read"});
        bob_ = AddPerson("bob", {"org.read"});
    }
    void TearDown() override {
        service_.reset();
        test_db_.reset();
    }

    store::Database& db() { return test_db_->db(); }

    /// A person row (the token's foreign key) and a principal holding `permissions`.
    Principal AddPerson(const std::string& username, std::vector<std::string> permissions) {
        Principal p;
        p.person_id = "p-" + username;
        p.username = username;
        p.permissions = std::move(permissions);
        p.session_stage = "full";
        const std::string now = FormatRfc3339(clock_.Now());
        auto r = db().Query(
            "INSERT INTO people (id, username, display_name, password_hash, password_changed_at, "
            "must_change_password, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
            {p.person_id, username, username, "not-a-hash", now, now, now});
        EXPECT_TRUE(r) << r.error().message;
        return p;
    }
    Context As(const Principal& p) { return {&p, "req-1", "10.0.0.1"}; }

    std::int64_t Count(const std::string& sql, const std::string& param) {
        auto r = db().Query(sql, {param});
        EXPECT_TRUE(r) << r.error().message;
        return r ? r->rows[0].Int(0) : -1;
    }

    FixedClock clock_{At("2026-11-27T03:00:00Z")};
    std::unique_ptr<mamori::testing::TestDatabase> test_db_;
    std::unique_ptr<TokenService> service_;
    Principal alice_, bob_;
};

TEST_P(TokenServiceTest, SecretIsShownOnceAndStoredOnlyAsHash) {
    auto t = service_->Create(As(alice_), "夜間バッチ", {}, 30);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->secret.rfind("mmr_", 0), 0u);
    EXPECT_GT(t->secret.size(), 40u);
    EXPECT_EQ(t->token.name, "夜間バッチ");
    EXPECT_EQ(t->token.permissions,
              (std::vector<std::string>{"assets.read", "org.read", "policy.read"}));
    EXPECT_EQ(t->token.created_at, "2026-11-27T03:00:00Z");
    EXPECT_EQ(t->token.expires_at, "2026-12-27T03:00:00Z");

    auto rows = db().Query(
        "SELECT id, person_id, name, token_hash, permissions, expires_at, created_at, "
        "COALESCE(revoked_at, ''), COALESCE(last_used_at, '') FROM api_tokens");
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->rows.size(), 1u);
    const std::string random_part = t->secret.substr(4);
    for (int i = 0; i < 9; ++i) {
        const std::string v = rows->rows[0].Text(i);
        EXPECT_EQ(v.find(random_part), std::string::npos) << "column " << i << ": " << v;
    }
    EXPECT_EQ(rows->rows[0].Text(3), AuthService::HashToken(t->secret));
    EXPECT_EQ(rows->rows[0].Text(1), alice_.person_id);

    // Audited, without the secret.
    auto events = db().Query("SELECT action, object_id, summary FROM audit_events");
    ASSERT_TRUE(events);
    ASSERT_EQ(events->rows.size(), 1u);
    EXPECT_EQ(events->rows[0].Text(0), "token.create");
    EXPECT_EQ(events->rows[0].Text(1), t->token.id);
    EXPECT_EQ(events->rows[0].Text(2).find(random_part), std::string::npos);

    // The secret authenticates; a listing never shows it.
    auto who = service_->Authenticate(t->secret);
    ASSERT_TRUE(who) << who.error().message;
    EXPECT_EQ(who->person_id, alice_.person_id);
    EXPECT_EQ(who->token_id, t->token.id);
    EXPECT_EQ(who->permissions, t->token.permissions);
    auto list = service_->List(As(alice_));
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].id, t->token.id);
    EXPECT_EQ((*list)[0].last_used_at, "2026-11-27T03:00:00Z");
    EXPECT_FALSE((*list)[0].revoked);
}

TEST_P(TokenServiceTest, UnknownOrMalformedSecretsAreRefused) {
    ASSERT_TRUE(service_->Create(As(alice_), "ci", {}, 30));
    for (const std::string& s : {std::string(""), std::string("abc"), std::string("mmr_unknown"),
                                 "mmr_" + std::string(200, 'a')})
        EXPECT_TRUE(
            FailsWith(service_->Authenticate(s), ErrorKind::kUnauthenticated, "invalid_token"))
            << s;
    // Without an actor nothing can be made or listed.
    EXPECT_TRUE(FailsWith(service_->Create({}, "ci", {}, 30), ErrorKind::kUnauthenticated,
                          "invalid_token"));
    EXPECT_TRUE(FailsWith(service_->List({}), ErrorKind::kUnauthenticated, "invalid_token"));
}

TEST_P(TokenServiceTest, PermissionsMustBeASubsetOfTheCreators) {
    auto more = service_->Create(As(bob_), "too much", {"org.read", "org.manage"}, 30);
    ASSERT_TRUE(FailsWith(more, ErrorKind::kForbidden, "forbidden"));
    EXPECT_EQ(more.error().field, "permissions");
    EXPECT_NE(more.error().message.find("org.manage"), std::string::npos);

    auto fewer = service_->Create(As(alice_), "read org", {"org.read", "org.read"}, 30);
    ASSERT_TRUE(fewer) << fewer.error().message;
    EXPECT_EQ(fewer->token.permissions, (std::vector<std::string>{"org.read"}));
    auto who = service_->Authenticate(fewer->secret);
    ASSERT_TRUE(who);
    EXPECT_EQ(who->permissions, (std::vector<std::string>{"org.read"}));

    auto rows = db().Query("SELECT COUNT(*) FROM api_tokens");
    ASSERT_TRUE(rows);
    EXPECT_EQ(rows->rows[0].Int(0), 1);
}

TEST_P(TokenServiceTest, PermissionsThatNeedElevationAreNeverGiven) {
    Principal admin = AddPerson("admin", {"org.manage", "org.read"});
    auto asked = service_->Create(As(admin), "admin work", {"org.manage"}, 30);
    ASSERT_TRUE(FailsWith(asked, ErrorKind::kInvalidInput, "invalid_field"));
    EXPECT_EQ(asked.error().field, "permissions");
    auto all = service_->Create(As(admin), "everything I can", {}, 30);
    ASSERT_TRUE(all) << all.error().message;
    EXPECT_EQ(all->token.permissions, (std::vector<std::string>{"org.read"}));
}

TEST_P(TokenServiceTest, DaysMustBeBetweenOneAnd366) {
    for (int days : {-1, 0, 367}) {
        auto r = service_->Create(As(alice_), "ci", {}, days);
        ASSERT_TRUE(FailsWith(r, ErrorKind::kInvalidInput, "invalid_field")) << days;
        EXPECT_EQ(r.error().field, "days");
    }
    auto one = service_->Create(As(alice_), "one", {}, 1);
    ASSERT_TRUE(one) << one.error().message;
    EXPECT_EQ(one->token.expires_at, "2026-11-28T03:00:00Z");
    auto max = service_->Create(As(alice_), "max", {}, 366);
    ASSERT_TRUE(max) << max.error().message;
    EXPECT_EQ(max->token.expires_at, "2027-11-28T03:00:00Z");
}

TEST_P(TokenServiceTest, TokenExpires) {
    auto t = service_->Create(As(alice_), "ci", {}, 1);
    ASSERT_TRUE(t);
    clock_.Advance(hours(24) - seconds(1));
    EXPECT_TRUE(service_->Authenticate(t->secret));
    clock_.Advance(seconds(1));
    EXPECT_TRUE(
        FailsWith(service_->Authenticate(t->secret), ErrorKind::kUnauthenticated, "invalid_token"));
}

TEST_P(TokenServiceTest, RevokedTokenStopsWorking) {
    auto t = service_->Create(As(alice_), "ci", {}, 30);
    auto keep = service_->Create(As(alice_), "keep", {}, 30);
    ASSERT_TRUE(t && keep);
    ASSERT_TRUE(service_->Revoke(As(alice_), t->token.id));
    EXPECT_TRUE(
        FailsWith(service_->Authenticate(t->secret), ErrorKind::kUnauthenticated, "invalid_token"));
    EXPECT_TRUE(service_->Authenticate(keep->secret));
    EXPECT_TRUE(
        FailsWith(service_->Revoke(As(alice_), t->token.id), ErrorKind::kNotFound, "not_found"));
    EXPECT_TRUE(
        FailsWith(service_->Revoke(As(alice_), "no-such-id"), ErrorKind::kNotFound, "not_found"));

    auto list = service_->List(As(alice_));
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 2u);
    for (const auto& token : *list) EXPECT_EQ(token.revoked, token.id == t->token.id) << token.name;
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = 'token.revoke' AND "
                    "object_id = ?",
                    t->token.id),
              1);
}

TEST_P(TokenServiceTest, AnotherPersonsTokenCannotBeRevokedOrListed) {
    auto t = service_->Create(As(alice_), "alice's", {"org.read"}, 30);
    ASSERT_TRUE(t);
    EXPECT_TRUE(
        FailsWith(service_->Revoke(As(bob_), t->token.id), ErrorKind::kNotFound, "not_found"));
    EXPECT_TRUE(service_->Authenticate(t->secret));
    auto bobs = service_->List(As(bob_));
    ASSERT_TRUE(bobs);
    EXPECT_TRUE(bobs->empty());
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE action = ?", "token.revoke"), 0);
}

TEST_P(TokenServiceTest, ListIsNewestFirst) {
    ASSERT_TRUE(service_->Create(As(alice_), "first", {}, 30));
    clock_.Advance(seconds(60));
    ASSERT_TRUE(service_->Create(As(alice_), "second", {}, 30));
    auto list = service_->List(As(alice_));
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].name, "second");
    EXPECT_EQ((*list)[1].name, "first");
    EXPECT_TRUE((*list)[0].last_used_at.empty());
}

TEST_P(TokenServiceTest, SuspendedPersonsTokenStopsWorking) {
    auto t = service_->Create(As(alice_), "ci", {}, 30);
    ASSERT_TRUE(t);
    ASSERT_TRUE(service_->Authenticate(t->secret));
    ASSERT_TRUE(
        db().Query("UPDATE people SET status = 'suspended' WHERE id = ?", {alice_.person_id}));
    EXPECT_TRUE(
        FailsWith(service_->Authenticate(t->secret), ErrorKind::kUnauthenticated, "invalid_token"));
    ASSERT_TRUE(db().Query("UPDATE people SET status = 'left' WHERE id = ?", {alice_.person_id}));
    EXPECT_TRUE(
        FailsWith(service_->Authenticate(t->secret), ErrorKind::kUnauthenticated, "invalid_token"));
}

INSTANTIATE_TEST_SUITE_P(Backends, TokenServiceTest, mamori::testing::AllBackends(),
                         mamori::testing::BackendName);

}  // namespace
}  // namespace mamori::auth
