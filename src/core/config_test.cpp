#include "core/config.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace mamori {
namespace {

TEST(ConfigTest, DefaultTextParsesWithoutProblems) {
    auto r = ParseConfig(DefaultConfigText(DatabaseKind::kSqlite, ""), "/data");
    ASSERT_TRUE(r.problems.empty()) << FormatProblems("mamori.yaml", r.problems);
    EXPECT_EQ(r.config.database, DatabaseKind::kSqlite);
    EXPECT_EQ(r.config.server.listen, "127.0.0.1:8080");
    EXPECT_EQ(r.config.SqlitePath(), "/data/mamori.db");
}

TEST(ConfigTest, PostgresqlUrlIsQuotedSafely) {
    const std::string url = R"(postgresql://u:p"a\ss@127.0.0.1:5432/db)";
    auto r = ParseConfig(DefaultConfigText(DatabaseKind::kPostgresql, url), "/data");
    ASSERT_TRUE(r.problems.empty()) << FormatProblems("mamori.yaml", r.problems);
    EXPECT_EQ(r.config.database, DatabaseKind::kPostgresql);
    EXPECT_EQ(r.config.postgresql.url, url);
}

TEST(ConfigTest, ReportsEveryProblemWithKeyAndLine) {
    const std::string text =
        "server:\n"
        "  listen: nowhere\n"
        "  io_threads: many\n"
        "  limits:\n"
        "    max_body_bytes: 10\n"
        "  colour: blue\n"
        "database: oracle\n"
        "log:\n"
        "  access_log: perhaps\n";
    auto r = ParseConfig(text, "/data");
    std::map<std::string, int> lines;
    for (const auto& p : r.problems) lines[p.key] = p.line;
    EXPECT_EQ(lines.at("server.listen"), 2);
    EXPECT_EQ(lines.at("server.io_threads"), 3);
    EXPECT_EQ(lines.at("server.limits.max_body_bytes"), 5);
    EXPECT_EQ(lines.at("server.colour"), 6);
    EXPECT_EQ(lines.at("database"), 7);
    EXPECT_EQ(lines.at("log.access_log"), 9);
    EXPECT_EQ(r.problems.size(), 6u) << FormatProblems("mamori.yaml", r.problems);
}

TEST(ConfigTest, MailNeedsAnSmtpUrlASenderAndThePasswordFile) {
    auto ok = ParseConfig(
        "mail:\n  smtp_url: smtp://mail.city.example.jp:587\n"
        "  from: mamori@city.example.jp\n",
        "/data");
    EXPECT_TRUE(ok.problems.empty()) << FormatProblems("mamori.yaml", ok.problems);
    EXPECT_TRUE(ok.config.mail.require_tls);
    auto bad = ParseConfig("mail:\n  smtp_url: http://mail\n  username: mamori\n", "/data");
    std::set<std::string> keys;
    for (const auto& p : bad.problems) keys.insert(p.key);
    EXPECT_EQ(keys, (std::set<std::string>{"mail.smtp_url", "mail.from", "mail.password_file"}));
    auto missing = ParseConfig("mail:\n  password_file: /nonexistent/pw\n", "/data");
    ASSERT_EQ(missing.problems.size(), 1u);
    EXPECT_EQ(missing.problems[0].key, "mail.password_file");
}

TEST(ConfigTest, ListenNeedsAnIpAndAPort) {
    auto v4 = ParseListen("127.0.0.1:8080");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->host, "127.0.0.1");
    EXPECT_EQ(v4->port, 8080);
    auto v6 = ParseListen("[::1]:0");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "::1");
    for (const char* bad :
         {"8080", "localhost:8080", "127.0.0.1:", "127.0.0.1:99999", ":80", "127.0.0.1:8o8o"})
        EXPECT_FALSE(ParseListen(bad)) << bad;
}

TEST(ConfigTest, BrokenYamlNamesTheLine) {
    auto r = ParseConfig("server:\n  listen: [unclosed\n", "/data");
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_EQ(r.problems[0].key, "(file)");
    EXPECT_GT(r.problems[0].line, 0);
}

TEST(ConfigTest, PostgresqlNeedsUrl) {
    auto r = ParseConfig("database: postgresql\n", "/data");
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_EQ(r.problems[0].key, "postgresql.url");
}

TEST(ConfigTest, TlsNeedsBothFiles) {
    auto r = ParseConfig("server:\n  tls:\n    certificate: /nonexistent.pem\n", "/data");
    bool together = false, missing = false;
    for (const auto& p : r.problems) {
        together |= p.key == "server.tls";
        missing |= p.key == "server.tls.certificate";
    }
    EXPECT_TRUE(together);
    EXPECT_TRUE(missing);
}

TEST(ConfigTest, MissingFileIsAProblem) {
    auto r = ReadConfigFile("/nonexistent/mamori.yaml");
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_EQ(r.problems[0].key, "(file)");
}

}  // namespace
}  // namespace mamori
