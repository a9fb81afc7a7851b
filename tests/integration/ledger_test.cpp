// The tamper-evident ledger end to end, on both databases: events recorded by the running
// server become leaves, a clean stop signs a checkpoint, proofs from the API verify with the
// RFC 9162 algorithms against the signed root, and tampering with the stored events — by
// any tool, straight in the database — is found by `mamori ledger verify` at the right index.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <fstream>
#include <regex>
#include <sstream>

#include "ledger/encoding.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "store/postgres/pg_database.h"
#include "store/sqlite/sqlite_database.h"
#include "support/api_client.h"
#include "support/test_server.h"

namespace mamori::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kInitial = "Init-Passw0rd!";
constexpr const char* kAdmin = "Kanri-Passw0rd-2026";

ledger::Hash Decode(const json::value& v) {
    auto h = ledger::HashFromBase64(std::string(v.as_string()));
    EXPECT_TRUE(h);
    return h ? *h : ledger::Hash{};
}

class LedgerTest : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        data_ = tmp_.path() / "data";
        auto r = InitDataDirFor(data_, GetParam(), kInitial);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        WithoutMfa(data_);
        // With the defaults (1,000 events, 60 s) the only checkpoint is the one at the stop.
        auto server = ServerProcess::Start(data_);
        ASSERT_TRUE(server);
        ApiClient admin(server->port());
        admin.FirstLogin("admin", kInitial, kAdmin);
        for (int i = 0; i < 5; ++i)  // failed logins are audit events too
            admin.Post("/api/v1/auth/login",
                       json::object{{"username", "nobody"}, {"password", "wrong"}});
        ASSERT_EQ(server->Stop(SIGTERM), 0);
        EXPECT_NE(server->Log().find("ledger: checkpoint of"), std::string::npos) << server->Log();
    }

    // Runs SQL on the installation's database directly, as an intruder with a SQL tool would.
    void Tamper(const std::string& sql) {
        std::unique_ptr<store::Database> db;
        if (GetParam() == "sqlite") {
            auto d = store::OpenSqlite({data_ / "mamori.db", 1, 5000});
            ASSERT_TRUE(d) << d.error().message;
            db = std::move(*d);
        } else {
            std::smatch m;
            const std::string config = ReadFile(data_ / "mamori.yaml");
            ASSERT_TRUE(std::regex_search(config, m, std::regex(R"re(url: "([^"]+)")re")));
            auto d = store::OpenPostgres({m[1], 1});
            ASSERT_TRUE(d) << d.error().message;
            db = std::move(*d);
        }
        auto r = db->Query(sql);
        ASSERT_TRUE(r) << r.error().message;
        db->Close();
    }

    CommandResult Verify() { return RunMamori({"ledger", "verify", "--data", data_.string()}); }

    TempDir tmp_;
    fs::path data_;
};

TEST_P(LedgerTest, AnUntouchedLedgerVerifiesAndItsProofsHold) {
    auto ok = Verify();
    ASSERT_EQ(ok.exit_code, 0) << ok.err;
    EXPECT_NE(ok.out.find("改ざんは見つかりません"), std::string::npos) << ok.out;

    auto server = ServerProcess::Start(data_);
    ASSERT_TRUE(server);
    // The checkpoint and the key are public; the checkpoint verifies with the key.
    auto note = Http(server->port(), "GET", "/api/v1/ledger/checkpoint");
    ASSERT_EQ(note.status, 200) << note.body;
    auto key = Http(server->port(), "GET", "/api/v1/ledger/public-key");
    ASSERT_EQ(key.status, 200);
    std::string key_text = key.body;
    key_text.pop_back();  // the final newline
    auto verifier = ledger::Verifier::Parse(key_text);
    ASSERT_TRUE(verifier) << verifier.error().message;
    auto text = ledger::Open(note.body, std::vector<ledger::Verifier>{*verifier});
    ASSERT_TRUE(text) << text.error().message;
    auto cp = ledger::ParseCheckpoint(*text);
    ASSERT_TRUE(cp);
    EXPECT_GE(cp->size, 7u);
    // …and offline with the CLI.
    std::ofstream(tmp_.path() / "checkpoint.txt") << note.body;
    auto offline = RunMamori({"ledger", "verify-checkpoint", "--key", key_text,
                              (tmp_.path() / "checkpoint.txt").string()});
    EXPECT_EQ(offline.exit_code, 0) << offline.err;
    auto wrong_key = ledger::GenerateSigner(verifier->name);
    ASSERT_TRUE(wrong_key);
    auto refused =
        RunMamori({"ledger", "verify-checkpoint", "--key", wrong_key->verifier().Format(),
                   (tmp_.path() / "checkpoint.txt").string()});
    EXPECT_EQ(refused.exit_code, 1);

    // Proofs need an auditor or the general manager; the platform administrator is neither.
    ApiClient admin(server->port());
    admin.LoginFull("admin", kAdmin);
    EXPECT_EQ(admin.Get("/api/v1/ledger/proof/inclusion?index=0&tree_size=1").status, 403);
    auto unauth = Http(server->port(), "GET", "/api/v1/ledger/entries/0");
    EXPECT_EQ(unauth.status, 401);

    // An auditor (appointed with the CLI) checks an inclusion proof of every leaf and a
    // consistency proof against the signed root.
    ASSERT_EQ(RunMamori({"unit", "add", "監査室", "--kind", "department", "--data", data_.string()})
                  .exit_code,
              0);
    auto add = RunMamori({"user", "add", "kansa", "--name", "監査 太郎", "--unit", "監査室",
                          "--data", data_.string()},
                         {"MAMORI_USER_PASSWORD=Temp-Passw0rd-1"});
    ASSERT_EQ(add.exit_code, 0) << add.err;
    ASSERT_EQ(
        RunMamori({"appoint", "kansa", "--role", "auditor", "--data", data_.string()}).exit_code,
        0);
    ApiClient auditor(server->port());
    auditor.FirstLogin("kansa", "Temp-Passw0rd-1", "Mori-Audit-2026!");
    for (std::uint64_t i = 0; i < cp->size; ++i) {
        auto entry = auditor.Get("/api/v1/ledger/entries/" + std::to_string(i));
        ASSERT_EQ(entry.status, 200) << entry.body;
        EXPECT_EQ(entry.json.at("event").at("seq").as_int64(), static_cast<std::int64_t>(i + 1));
        auto leaf = ledger::Base64Decode(std::string(entry.json.at("leaf").as_string()));
        ASSERT_TRUE(leaf);
        const ledger::Hash leaf_hash = ledger::LeafHash(*leaf);
        EXPECT_EQ(leaf_hash, Decode(entry.json.at("leaf_hash")));
        auto proof = auditor.Get("/api/v1/ledger/proof/inclusion?index=" + std::to_string(i) +
                                 "&tree_size=" + std::to_string(cp->size));
        ASSERT_EQ(proof.status, 200) << proof.body;
        std::vector<ledger::Hash> hashes;
        for (const auto& h : proof.json.at("hashes").as_array()) hashes.push_back(Decode(h));
        EXPECT_TRUE(ledger::VerifyInclusion(leaf_hash, i, cp->size, hashes, cp->root)) << i;
    }
    auto bad = auditor.Get("/api/v1/ledger/proof/inclusion?index=5&tree_size=5");
    EXPECT_EQ(bad.status, 400);

    // The tree has grown (the logins above); the new root extends the signed one.
    auto status = auditor.Get("/api/v1/ledger/status");
    ASSERT_EQ(status.status, 200);
    const std::uint64_t now_size = status.json.at("tree_size").as_int64();
    ASSERT_GT(now_size, cp->size);
    auto consistency =
        auditor.Get("/api/v1/ledger/proof/consistency?first=" + std::to_string(cp->size) +
                    "&second=" + std::to_string(now_size));
    ASSERT_EQ(consistency.status, 200) << consistency.body;
    ASSERT_EQ(server->Stop(SIGTERM), 0);
    // The stop signed a new checkpoint; its root and the proof tie the two together.
    auto restarted = ServerProcess::Start(data_);
    ASSERT_TRUE(restarted);
    auto newest = Http(restarted->port(), "GET", "/api/v1/ledger/checkpoint");
    auto newest_cp = ledger::ParseCheckpoint(
        *ledger::Open(newest.body, std::vector<ledger::Verifier>{*verifier}));
    ASSERT_TRUE(newest_cp);
    ASSERT_GE(newest_cp->size, now_size);
    ApiClient again(restarted->port());
    again.LoginFull("kansa", "Mori-Audit-2026!");
    auto tie = again.Get("/api/v1/ledger/proof/consistency?first=" + std::to_string(cp->size) +
                         "&second=" + std::to_string(newest_cp->size));
    ASSERT_EQ(tie.status, 200) << tie.body;
    std::vector<ledger::Hash> hashes;
    for (const auto& h : tie.json.at("hashes").as_array()) hashes.push_back(Decode(h));
    EXPECT_TRUE(
        ledger::VerifyConsistency(cp->size, newest_cp->size, cp->root, newest_cp->root, hashes));
    // The auditors' page runs the verification and records when it ran.
    auto run = again.Post("/api/v1/ledger/verify");
    ASSERT_EQ(run.status, 200) << run.body;
    EXPECT_TRUE(run.json.at("ok").as_bool()) << run.body;
    auto after = again.Get("/api/v1/ledger/status");
    EXPECT_TRUE(after.json.at("last_verification").at("ok").as_bool());
}

TEST_P(LedgerTest, AnAlteredEventIsNamed) {
    Tamper("UPDATE audit_events SET actor_name = 'someone else' WHERE seq = 3");
    auto r = Verify();
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("index 2:"), std::string::npos) << r.err;
}

TEST_P(LedgerTest, OneChangedByteIsNamed) {
    Tamper("UPDATE audit_events SET client_address = '127.0.0.2' WHERE seq = 4");
    auto r = Verify();
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("index 3:"), std::string::npos) << r.err;
}

TEST_P(LedgerTest, ADeletedEventIsNamed) {
    Tamper("DELETE FROM audit_events WHERE seq = 2");
    auto r = Verify();
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("index 1:"), std::string::npos) << r.err;
}

TEST_P(LedgerTest, SwappedEventsAreNamed) {
    // Swap the contents of events 4 and 5, keeping their numbers.
    Tamper(
        "UPDATE audit_events SET action = CASE seq WHEN 4 THEN (SELECT action FROM audit_events "
        "WHERE seq = 5) ELSE (SELECT action FROM audit_events WHERE seq = 4) END, "
        "occurred_at = CASE seq WHEN 4 THEN (SELECT occurred_at FROM audit_events WHERE seq = 5) "
        "ELSE (SELECT occurred_at FROM audit_events WHERE seq = 4) END WHERE seq IN (4, 5)");
    auto r = Verify();
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("index 3:"), std::string::npos) << r.err;
}

TEST_P(LedgerTest, TruncationAfterACheckpointIsFound) {
    // Remove the last event and its leaf, as if the log had been cut after the checkpoint.
    Tamper("DELETE FROM ledger_nodes WHERE node_key = (SELECT MAX(seq) - 1 FROM audit_events)");
    Tamper("DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)");
    auto r = Verify();
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("失われています"), std::string::npos) << r.err;
}

TEST_P(LedgerTest, ARewrittenLedgerStillFailsTheSignedCheckpoint) {
    // An intruder who rewrites an event and recomputes nothing else is caught at the leaf;
    // one who also rewrites the leaf hash is caught by the node above and the signed root.
    Tamper(
        "UPDATE ledger_nodes SET hash = (SELECT hash FROM ledger_nodes WHERE node_key = 0) "
        "WHERE node_key = 1");
    auto r = Verify();
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("index 1:"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Databases, LedgerTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace mamori::testing
