#include "audit/audit.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <thread>

#include "support/test_database.h"

namespace mamori::audit {
namespace {

TEST(CanonicalTest, SortsKeysAtEveryLevel) {
    boost::json::value v = boost::json::parse(R"({"b":1,"a":{"d":[3,{"z":1,"y":2}],"c":"平川"}})");
    EXPECT_EQ(CanonicalJson(v), R"({"a":{"c":"平川","d":[3,{"y":2,"z":1}]},"b":1})");
}

TEST(CanonicalTest, EventSerialisationIsStable) {
    Event e;
    e.seq = 7;
    e.occurred_at = "2026-11-27T02:00:00Z";
    e.actor_id = "p1";
    e.actor_name = "admin";
    e.action = "unit.create";
    e.object_type = "unit";
    e.object_id = "u1";
    e.summary = {{"name", "情報政策課"}, {"kind", "section"}};
    e.request_id = "r1";
    e.client_address = "127.0.0.1";
    EXPECT_EQ(Canonical(e), R"({"action":"unit.create","actor_id":"p1","actor_name":"admin",)"
                            R"("client_address":"127.0.0.1","object_id":"u1","object_type":"unit",)"
                            R"("occurred_at":"2026-11-27T02:00:00Z","request_id":"r1","seq":7,)"
                            R"("summary":{"kind":"section","name":"情報政策課"}})");
}

class AuditStoreTest : public ::testing::TestWithParam<store::Backend> {
  protected:
    void SetUp() override {
        test_db_ = std::make_unique<mamori::testing::TestDatabase>(GetParam());
        ASSERT_TRUE(test_db_->ok());
        db_ = &test_db_->db();
    }
    void TearDown() override {
        db_ = nullptr;
        test_db_.reset();
    }
    std::unique_ptr<mamori::testing::TestDatabase> test_db_;
    store::Database* db_ = nullptr;
};

TEST_P(AuditStoreTest, EventCommitsOrVanishesWithItsChange) {
    Principal p;
    p.person_id = "p1";
    p.username = "tanaka";
    Context ctx{&p, "req-1", "10.0.0.1"};
    auto failed = db_->Transact([&](store::Tx& tx) -> Result<void> {
        auto r =
            Record(tx, ctx, {.action = "unit.create", .object_type = "unit", .object_id = "u1"},
                   "2026-11-27T02:00:00Z");
        if (!r) return Fail(r.error());
        return Fail(Error::Invalid("later_failure", "the change itself failed"));
    });
    ASSERT_FALSE(failed);
    auto none = List(*db_, {});
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());

    auto ok = db_->Transact([&](store::Tx& tx) {
        return Record(tx, ctx,
                      {.action = "unit.create",
                       .object_type = "unit",
                       .object_id = "u1",
                       .summary = {{"name", "総務課"}}},
                      "2026-11-27T02:00:00Z");
    });
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(*ok, 1);
    auto one = List(*db_, {});
    ASSERT_TRUE(one);
    ASSERT_EQ(one->size(), 1u);
    const Event& e = (*one)[0];
    EXPECT_EQ(e.actor_id, "p1");
    EXPECT_EQ(e.actor_name, "tanaka");
    EXPECT_EQ(e.request_id, "req-1");
    EXPECT_EQ(e.client_address, "10.0.0.1");
    EXPECT_EQ(e.summary.at("name").as_string(), "総務課");
}

TEST_P(AuditStoreTest, SequenceIsDenseUnderConcurrentWriters) {
    constexpr int kThreads = 4, kEach = 20;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                auto r = db_->Transact([&](store::Tx& tx) {
                    return Record(tx, {},
                                  {.action = "test.write",
                                   .object_type = "t",
                                   .object_id = std::to_string(t) + "-" + std::to_string(i)},
                                  "2026-11-27T02:00:00Z");
                });
                ASSERT_TRUE(r) << r.error().message;
            }
        });
    }
    for (auto& th : threads) th.join();
    auto all = db_->Query("SELECT COUNT(*), MIN(seq), MAX(seq) FROM audit_events");
    ASSERT_TRUE(all);
    EXPECT_EQ(all->rows[0].Int(0), kThreads * kEach);
    EXPECT_EQ(all->rows[0].Int(1), 1);
    EXPECT_EQ(all->rows[0].Int(2), kThreads * kEach);
}

TEST_P(AuditStoreTest, FiltersAndCursor) {
    auto add = [&](const char* action, const char* actor, const char* when) {
        Principal p;
        p.person_id = actor;
        p.username = actor;
        ASSERT_TRUE(db_->Transact([&](store::Tx& tx) {
            return Record(tx, {&p, "r", "127.0.0.1"},
                          {.action = action, .object_type = "person", .object_id = actor}, when);
        }));
    };
    add("auth.login", "a", "2026-11-01T00:00:00Z");
    add("auth.login_failed", "b", "2026-11-02T00:00:00Z");
    add("person.create", "a", "2026-11-03T00:00:00Z");
    add("auth.logout", "a", "2026-11-04T00:00:00Z");

    auto auth = List(*db_, {.action = "auth."});
    ASSERT_TRUE(auth);
    EXPECT_EQ(auth->size(), 3u);
    auto by_a = List(*db_, {.actor_id = "a"});
    EXPECT_EQ(by_a->size(), 3u);
    auto exact = List(*db_, {.action = "auth.login"});
    EXPECT_EQ(exact->size(), 1u);
    auto window = List(*db_, {.from = "2026-11-02T00:00:00Z", .to = "2026-11-04T00:00:00Z"});
    EXPECT_EQ(window->size(), 2u);
    auto page1 = List(*db_, {.limit = 2});
    ASSERT_EQ(page1->size(), 2u);
    EXPECT_EQ((*page1)[0].seq, 4);
    auto page2 = List(*db_, {.before_seq = (*page1)[1].seq, .limit = 2});
    ASSERT_EQ(page2->size(), 2u);
    EXPECT_EQ((*page2)[0].seq, 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditStoreTest, mamori::testing::AllBackends(),
                         mamori::testing::BackendName);

}  // namespace
}  // namespace mamori::audit
