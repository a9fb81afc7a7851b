// The mamori command as an administrator uses it.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "core/version.h"
#include "store/postgres/pg_database.h"
#include "store/sqlite/sqlite_database.h"
#include "support/api_client.h"
#include "support/test_postgres.h"
#include "support/test_server.h"

namespace mamori::testing {
namespace {

namespace fs = std::filesystem;

std::string InstallationId(store::Database& db) {
    auto r = db.Query("SELECT value FROM installation WHERE key = ?", {"installation_id"});
    return r && !r->rows.empty() ? r->rows[0].Text(0) : "";
}

/// `mamori init` into `data` with a known administrator password.
void InitInto(const fs::path& data) {
    auto r = RunMamori({"init", "--data", data.string()}, {"MAMORI_ADMIN_PASSWORD=x-Passw0rd!"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
}

/// Makes the SQLite database in `data` look as if a newer mamori had migrated it.
void PretendNewerSchema(const fs::path& data) {
    auto db = store::OpenSqlite({data / "mamori.db", 1, 1000});
    ASSERT_TRUE(db);
    ASSERT_TRUE(
        (*db)->Query("INSERT INTO schema_migrations (version, name, applied_at) "
                     "VALUES (9999, '9999_future', '2030-01-01T00:00:00Z')"));
    (*db)->Close();
}

TEST(CliTest, VersionAndHelp) {
    auto v = RunMamori({"version"});
    EXPECT_EQ(v.exit_code, 0);
    EXPECT_EQ(v.out, std::string("mamori ") + kVersion + "\n");
    auto h = RunMamori({"--help"});
    EXPECT_EQ(h.exit_code, 0);
    EXPECT_NE(h.out.find("init"), std::string::npos);
    EXPECT_NE(h.out.find("データディレクトリ"), std::string::npos);
    auto sh = RunMamori({"backup", "--help"});
    EXPECT_NE(sh.out.find("--to"), std::string::npos);
}

TEST(CliTest, InitGeneratesPasswordOnceAndRefusesToOverwrite) {
    TempDir tmp;
    const fs::path data = tmp.path() / "data";
    auto r = RunMamori({"init", "--data", data.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m, std::regex("initial password: (\\S+)"))) << r.out;
    const std::string password = m[1];
    EXPECT_GE(password.size(), 12u);
    EXPECT_TRUE(fs::exists(data / "mamori.yaml"));
    EXPECT_TRUE(fs::exists(data / "mamori.db"));
    EXPECT_TRUE(fs::is_directory(data / "keys"));
    EXPECT_EQ(fs::status(data / "mamori.yaml").permissions() & fs::perms::group_all,
              fs::perms::none);
    // The ledger's signing key is owner-only; its verifier key is printed and matches.
    EXPECT_EQ(fs::status(data / "keys" / "ledger.key").permissions(),
              fs::perms::owner_read | fs::perms::owner_write);
    ASSERT_TRUE(
        std::regex_search(r.out, m, std::regex(R"((mamori/[0-9a-f]{16}\+[0-9a-f]{8}\+\S+))")))
        << r.out;
    const std::string printed_key = m[1];
    auto key = RunMamori({"ledger", "public-key", "--data", data.string()});
    EXPECT_EQ(key.out, printed_key + "\n");

    // The password is stored only as an argon2id hash.
    {
        auto db = store::OpenSqlite({data / "mamori.db", 1, 1000});
        ASSERT_TRUE(db);
        auto row = (*db)->Query(
            "SELECT password_hash, must_change_password, is_platform_admin "
            "FROM people WHERE username = 'admin'");
        ASSERT_TRUE(row);
        ASSERT_EQ(row->rows.size(), 1u);
        EXPECT_EQ(row->rows[0].Text(0).rfind("$argon2id$", 0), 0u);
        EXPECT_EQ(row->rows[0].Text(0).find(password), std::string::npos);
        EXPECT_TRUE(row->rows[0].Bool(1));
        EXPECT_TRUE(row->rows[0].Bool(2));
        (*db)->Close();
    }

    auto again = RunMamori({"init", "--data", data.string()});
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_NE(again.err.find("refusing to overwrite"), std::string::npos) << again.err;
    EXPECT_TRUE(fs::exists(data / "mamori.db"));
}

TEST(CliTest, InitTakesPasswordFromEnvironmentAndPrintsNone) {
    TempDir tmp;
    auto r = RunMamori({"init", "--data", (tmp.path() / "d").string()},
                       {"MAMORI_ADMIN_PASSWORD=From-Env-Passw0rd"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find("From-Env-Passw0rd"), std::string::npos);
    EXPECT_EQ(r.out.find("initial password"), std::string::npos);
}

TEST(CliTest, InitIntoAnUnwritablePlaceFailsClearlyAndLeavesNothing) {
    auto r = RunMamori({"init", "--data", "/proc/mamori-cannot-be-here"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("cannot create"), std::string::npos) << r.err;
}

TEST(CliTest, CheckConfigReportsEveryProblemWithKeyAndLine) {
    TempDir tmp;
    const fs::path data = tmp.path() / "data";
    ASSERT_NO_FATAL_FAILURE(InitInto(data));
    auto ok = RunMamori({"check-config", "--data", data.string()});
    EXPECT_EQ(ok.exit_code, 0) << ok.err;
    EXPECT_NE(ok.out.find("no problems"), std::string::npos);

    std::ofstream(data / "mamori.yaml") << "auth:\n  mfa_required_roles: [ciso, emperor]\n";
    auto role = RunMamori({"check-config", "--data", data.string()});
    EXPECT_EQ(role.exit_code, 1);
    EXPECT_NE(role.err.find("auth.mfa_required_roles: unknown role emperor"), std::string::npos)
        << role.err;

    std::ofstream(data / "mamori.yaml") << "server:\n  listen: here\n  io_threads: 0\nfoo: 1\n";
    auto bad = RunMamori({"check-config", "--data", data.string()});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find("mamori.yaml:2: server.listen"), std::string::npos) << bad.err;
    EXPECT_NE(bad.err.find("mamori.yaml:3: server.io_threads"), std::string::npos) << bad.err;
    EXPECT_NE(bad.err.find("mamori.yaml:4: foo: unknown key"), std::string::npos) << bad.err;

    std::ofstream(data / "mamori.yaml") << "server:\n  listen: [unclosed, list\n";
    auto broken = RunMamori({"check-config", "--data", data.string()});
    EXPECT_EQ(broken.exit_code, 1);
    EXPECT_NE(broken.err.find("not valid YAML"), std::string::npos) << broken.err;

    // serve refuses the same config with the same report, and starts nothing.
    auto serve = RunMamori({"serve", "--data", data.string()});
    EXPECT_EQ(serve.exit_code, 1);
    EXPECT_NE(serve.err.find("not valid YAML"), std::string::npos) << serve.err;
}

TEST(CliTest, ServeWithoutDataDirectorySaysSo) {
    auto r = RunMamori({"serve", "--data", "/nonexistent/mamori-data"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("data directory not found"), std::string::npos) << r.err;
}

TEST(CliTest, ServeRefusesASchemaNewerThanItKnows) {
    TempDir tmp;
    const fs::path data = tmp.path() / "data";
    ASSERT_NO_FATAL_FAILURE(InitInto(data));
    ASSERT_NO_FATAL_FAILURE(PretendNewerSchema(data));
    auto r = RunMamori({"serve", "--data", data.string(), "--listen", "127.0.0.1:0"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("newer than this mamori knows"), std::string::npos) << r.err;
}

TEST(CliTest, BackupWhileServingAndRestoreRoundTripSqlite) {
    TempDir tmp;
    const fs::path data = tmp.path() / "data";
    ASSERT_NO_FATAL_FAILURE(InitInto(data));
    std::ofstream(data / "keys" / "example.key") << "key material";
    fs::create_directories(data / "attachments" / "ab");
    std::ofstream(data / "attachments" / "ab" / "abcdef") << "%PDF- attached";
    std::ofstream(data / "attachments" / "ab" / "abc.part") << "half an upload";
    auto server = ServerProcess::Start(data);
    ASSERT_TRUE(server);
    const fs::path archive = tmp.path() / "backup.tar.gz";
    auto b = RunMamori({"backup", "--data", data.string(), "--to", archive.string()});
    ASSERT_EQ(b.exit_code, 0) << b.err;
    EXPECT_EQ(Http(server->port(), "GET", "/readyz").status, 200);
    EXPECT_EQ(server->Stop(SIGTERM), 0);

    auto twice = RunMamori({"backup", "--data", data.string(), "--to", archive.string()});
    EXPECT_EQ(twice.exit_code, 1);  // never overwrites

    const fs::path restored = tmp.path() / "restored";
    auto r = RunMamori({"restore", "--from", archive.string(), "--data", restored.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(RunMamori({"check-config", "--data", restored.string()}).exit_code, 0);
    std::ifstream key(restored / "keys" / "example.key");
    std::string key_text((std::istreambuf_iterator<char>(key)), {});
    EXPECT_EQ(key_text, "key material");
    // Attached files come back; a half-written upload does not.
    EXPECT_EQ(ReadFile(restored / "attachments" / "ab" / "abcdef"), "%PDF- attached");
    EXPECT_FALSE(fs::exists(restored / "attachments" / "ab" / "abc.part"));

    auto a = store::OpenSqlite({data / "mamori.db", 1, 1000});
    auto c = store::OpenSqlite({restored / "mamori.db", 1, 1000});
    ASSERT_TRUE(a && c);
    EXPECT_FALSE(InstallationId(**a).empty());
    EXPECT_EQ(InstallationId(**a), InstallationId(**c));
    (*a)->Close();
    (*c)->Close();

    auto onto = RunMamori({"restore", "--from", archive.string(), "--data", restored.string()});
    EXPECT_EQ(onto.exit_code, 1);
    EXPECT_NE(onto.err.find("new directory"), std::string::npos) << onto.err;

    // The ledger came along whole: it verifies, with the same root for the same size.
    auto original_ledger = RunMamori({"ledger", "verify", "--data", data.string()});
    auto restored_ledger = RunMamori({"ledger", "verify", "--data", restored.string()});
    ASSERT_EQ(original_ledger.exit_code, 0) << original_ledger.err;
    ASSERT_EQ(restored_ledger.exit_code, 0) << restored_ledger.err;
    const auto root_line = [](const std::string& out) { return out.substr(out.find("size ")); };
    EXPECT_EQ(root_line(restored_ledger.out), root_line(original_ledger.out));

    auto restored_server = ServerProcess::Start(restored);
    ASSERT_TRUE(restored_server);
    EXPECT_EQ(Http(restored_server->port(), "GET", "/readyz").status, 200);
    EXPECT_EQ(restored_server->Stop(SIGTERM), 0);
}

TEST(CliTest, DamagedBackupIsRefusedAndWritesNothing) {
    TempDir tmp;
    const fs::path bogus = tmp.path() / "bogus.tar.gz";
    std::ofstream(bogus) << "this is not an archive";
    auto r =
        RunMamori({"restore", "--from", bogus.string(), "--data", (tmp.path() / "r").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_FALSE(fs::exists(tmp.path() / "r"));
}

TEST(CliTest, ServeRefusesAListenAddressThatIsNotIpAndPort) {
    TempDir tmp;
    const fs::path data = tmp.path() / "data";
    ASSERT_NO_FATAL_FAILURE(InitInto(data));
    auto r = RunMamori({"serve", "--data", data.string(), "--listen", "8080"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("IP:PORT"), std::string::npos) << r.err;
}

TEST(CliTest, BackupRefusesASchemaNewerThanItKnows) {
    TempDir tmp;
    const fs::path data = tmp.path() / "data";
    ASSERT_NO_FATAL_FAILURE(InitInto(data));
    // A database from a newer mamori: backup refuses rather than touching it.
    ASSERT_NO_FATAL_FAILURE(PretendNewerSchema(data));
    auto b =
        RunMamori({"backup", "--data", data.string(), "--to", (tmp.path() / "b.tar.gz").string()});
    EXPECT_EQ(b.exit_code, 1);
    EXPECT_NE(b.err.find("newer than this mamori knows"), std::string::npos) << b.err;
    EXPECT_FALSE(fs::exists(tmp.path() / "b.tar.gz"));
}

TEST(CliTest, RestoreRefusesAnArchiveWithAnUnlistedFile) {
    TempDir tmp;
    const fs::path data = tmp.path() / "data";
    ASSERT_NO_FATAL_FAILURE(InitInto(data));
    const fs::path archive = tmp.path() / "good.tar.gz";
    ASSERT_EQ(RunMamori({"backup", "--data", data.string(), "--to", archive.string()}).exit_code,
              0);
    // Unpack, add a file the manifest does not list, pack again.
    const fs::path unpacked = tmp.path() / "unpacked";
    fs::create_directories(unpacked);
    ASSERT_EQ(std::system(("tar -xzf " + archive.string() + " -C " + unpacked.string()).c_str()),
              0);
    fs::create_directories(unpacked / "keys");
    std::ofstream(unpacked / "keys" / "smuggled.key") << "not in the manifest";
    const fs::path tampered = tmp.path() / "tampered.tar.gz";
    ASSERT_EQ(
        std::system(("tar -czf " + tampered.string() + " -C " + unpacked.string() + " .").c_str()),
        0);
    auto r =
        RunMamori({"restore", "--from", tampered.string(), "--data", (tmp.path() / "r").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("unlisted file"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(tmp.path() / "r"));
}

TEST(CliTest, DemoCityCanLogIn) {
    TempDir tmp;
    const fs::path data = tmp.path() / "data";
    auto init =
        RunMamori({"init", "--data", data.string(), "--demo"},
                  {"MAMORI_ADMIN_PASSWORD=x-Passw0rd!", "MAMORI_DEMO_PASSWORD=Demo-Passw0rd-1"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    auto server = ServerProcess::Start(data);
    ASSERT_TRUE(server);
    ApiClient staff(server->port());
    auto ok = staff.Post(
        "/api/v1/auth/login",
        boost::json::object{{"username", "shimin-staff"}, {"password", "Demo-Passw0rd-1"}});
    ASSERT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(ok.json.at("status").as_string(), "ok");  // staff need no MFA by default
    ApiClient auditor(server->port());
    auto mfa =
        auditor.Post("/api/v1/auth/login",
                     boost::json::object{{"username", "kansa"}, {"password", "Demo-Passw0rd-1"}});
    ASSERT_EQ(mfa.status, 200) << mfa.body;
    EXPECT_EQ(mfa.json.at("status").as_string(), "mfa_enrollment_required");
    auto units = RunMamori({"unit", "list", "--data", data.string()});
    EXPECT_EQ(units.exit_code, 0) << units.err;
    EXPECT_NE(units.out.find("情報政策課"), std::string::npos);
}

TEST(CliTest, AdministratorCommandsManageTheOrganisation) {
    TempDir tmp;
    const fs::path data = tmp.path() / "data";
    ASSERT_NO_FATAL_FAILURE(InitInto(data));
    auto d = RunMamori({"unit", "add", "--data", data.string(), "総務部", "--kind", "department"});
    ASSERT_EQ(d.exit_code, 0) << d.err;
    auto s = RunMamori({"unit", "add", "--data", data.string(), "情報政策課", "--kind", "section",
                        "--parent", "総務部"});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    auto u = RunMamori({"user", "add", "--data", data.string(), "sato", "--name", "佐藤 花子",
                        "--unit", "情報政策課"},
                       {"MAMORI_USER_PASSWORD=Temp-Passw0rd-1"});
    ASSERT_EQ(u.exit_code, 0) << u.err;
    EXPECT_EQ(u.out.find("Temp-Passw0rd-1"), std::string::npos);  // given, so not printed
    auto a = RunMamori({"appoint", "--data", data.string(), "sato", "--role", "section_manager",
                        "--unit", "情報政策課"});
    EXPECT_EQ(a.exit_code, 0) << a.err;
    auto bad = RunMamori({"appoint", "--data", data.string(), "sato", "--role", "emperor"});
    EXPECT_EQ(bad.exit_code, 1);
    auto list = RunMamori({"user", "list", "--data", data.string()});
    EXPECT_NE(list.out.find("sato"), std::string::npos);
    auto reset = RunMamori({"user", "reset-password", "--data", data.string(), "sato"});
    EXPECT_EQ(reset.exit_code, 0) << reset.err;
    EXPECT_NE(reset.out.find("temporary password:"), std::string::npos);
    const fs::path csv = tmp.path() / "people.csv";
    std::ofstream(csv)
        << "username,display_name,unit,password\nito,伊藤 一郎,情報政策課,Temp-Passw0rd-1\n";
    auto dry = RunMamori({"import", "people", "--data", data.string(), csv.string(), "--dry-run"});
    EXPECT_EQ(dry.exit_code, 0) << dry.err;
    EXPECT_EQ(RunMamori({"user", "list", "--data", data.string()}).out.find("ito "),
              std::string::npos);
    auto real = RunMamori({"import", "people", "--data", data.string(), csv.string()});
    EXPECT_EQ(real.exit_code, 0) << real.err;
    EXPECT_NE(RunMamori({"user", "list", "--data", data.string()}).out.find("ito "),
              std::string::npos);
}

TEST(CliTest, BackupAndRestoreRoundTripPostgresql) {
    TempDir tmp;
    const std::string source_url = NewPostgresDatabase();
    const fs::path data = tmp.path() / "data";
    auto init = RunMamori({"init", "--data", data.string(), "--database-url", source_url},
                          {"MAMORI_ADMIN_PASSWORD=x-Passw0rd!"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    const fs::path archive = tmp.path() / "pg-backup.tar.gz";
    auto b = RunMamori({"backup", "--data", data.string(), "--to", archive.string()});
    ASSERT_EQ(b.exit_code, 0) << b.err;

    const std::string target_url = NewPostgresDatabase();
    const fs::path restored = tmp.path() / "restored";
    auto r = RunMamori({"restore", "--from", archive.string(), "--data", restored.string(),
                        "--database-url", target_url});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::ifstream cfg(restored / "mamori.yaml");
    std::string cfg_text((std::istreambuf_iterator<char>(cfg)), {});
    EXPECT_NE(cfg_text.find(target_url), std::string::npos);
    EXPECT_NE(cfg_text.find("# データベース"), std::string::npos);  // comments kept

    auto a = store::OpenPostgres({source_url, 1});
    auto c = store::OpenPostgres({target_url, 1});
    ASSERT_TRUE(a && c);
    EXPECT_FALSE(InstallationId(**a).empty());
    EXPECT_EQ(InstallationId(**a), InstallationId(**c));
    (*a)->Close();
    (*c)->Close();

    // The ledger came along whole here too: same root for the same size.
    auto original_ledger = RunMamori({"ledger", "verify", "--data", data.string()});
    auto restored_ledger = RunMamori({"ledger", "verify", "--data", restored.string()});
    ASSERT_EQ(original_ledger.exit_code, 0) << original_ledger.err;
    ASSERT_EQ(restored_ledger.exit_code, 0) << restored_ledger.err;
    EXPECT_EQ(restored_ledger.out.substr(restored_ledger.out.find("size ")),
              original_ledger.out.substr(original_ledger.out.find("size ")));
}

}  // namespace
}  // namespace mamori::testing
