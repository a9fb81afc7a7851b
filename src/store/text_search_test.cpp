// Text search: the tokens, and the same searches answered by SQLite's FTS5 and by
// PostgreSQL's GIN index over a real database of each kind.
#include "store/text_search.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "store/migrate.h"
#include "store/postgres/pg_database.h"
#include "store/sqlite/sqlite_database.h"
#include "support/test_postgres.h"

namespace mamori::store {
namespace {

std::size_t CountTokens(const std::string& s) {
    if (s.empty()) return 0;
    return static_cast<std::size_t>(std::count(s.begin(), s.end(), ' ')) + 1;
}

TEST(SearchTokensTest, BigramsOfEachRunAndItsLastCharacter) {
    // 住民基本 → 住民 民基 基本 本; 台帳 → 台帳 帳
    EXPECT_EQ(CountTokens(SearchTokens("住民基本 台帳")), 6u);
    EXPECT_EQ(CountTokens(SearchTokens("税")), 1u);
    EXPECT_EQ(SearchTokens(""), "");
    EXPECT_EQ(SearchTokens("、。 「」-/"), "");
    // Tokens are letters a–p only, so every tokenizer keeps them whole.
    for (char c : SearchTokens("Ｍｙ番号（特定個人情報）ＡＢＣ abc 🙂"))
        EXPECT_TRUE(c == ' ' || (c >= 'a' && c <= 'p')) << c;
}

TEST(SearchTokensTest, FoldsCaseAndFullWidth) {
    EXPECT_EQ(SearchTokens("ＡＢＣ１２"), SearchTokens("abc12"));
    EXPECT_EQ(SearchTokens("ABC"), SearchTokens("abc"));
    EXPECT_EQ(SearchTokens("住民　記録"), SearchTokens("住民 記録"));
    EXPECT_NE(SearchTokens("住民"), SearchTokens("住所"));
}

TEST(SearchExpressionTest, PhrasesPrefixesAndNothing) {
    EXPECT_FALSE(SearchExpression(Backend::kSqlite, ""));
    EXPECT_FALSE(SearchExpression(Backend::kPostgresql, " 、。 "));
    const std::string jyu = "oelnip", min = "oglajb";  // 住 (E4 BD 8F), 民 (E6 B0 91)
    EXPECT_EQ(SearchExpression(Backend::kSqlite, "住民"), "\"" + jyu + min + "\"");
    EXPECT_EQ(SearchExpression(Backend::kSqlite, "住 民"), jyu + "* AND " + min + "*");
    EXPECT_EQ(SearchExpression(Backend::kPostgresql, "住 民"), jyu + ":* & " + min + ":*");
}

class TextSearchTest : public ::testing::TestWithParam<Backend> {
  protected:
    void SetUp() override {
        if (GetParam() == Backend::kSqlite) {
            dir_ = std::filesystem::temp_directory_path() /
                   ("mamori-search-" + std::to_string(::getpid()));
            std::filesystem::remove_all(dir_);
            std::filesystem::create_directories(dir_);
            auto db = OpenSqlite({dir_ / "test.db", 2, 5000});
            ASSERT_TRUE(db) << db.error().message;
            db_ = std::move(*db);
        } else {
            auto db = OpenPostgres({mamori::testing::NewPostgresDatabase(), 2});
            ASSERT_TRUE(db) << db.error().message;
            db_ = std::move(*db);
        }
        // The same shape as migration 0009 for assets.
        auto r = Migrate(*db_, {{1, "0001_docs",
                                 "CREATE TABLE docs (id TEXT PRIMARY KEY, n INTEGER);\n"
                                 "CREATE TABLE doc_text (id {{id}}, doc_id TEXT NOT NULL UNIQUE,"
                                 " search_tokens TEXT NOT NULL);\n"
                                 "-- @sqlite\n"
                                 "CREATE VIRTUAL TABLE doc_search USING fts5(search_tokens,"
                                 " content = 'doc_text', content_rowid = 'id',"
                                 " tokenize = 'ascii');\n"
                                 "CREATE TRIGGER doc_text_insert AFTER INSERT ON doc_text BEGIN"
                                 " INSERT INTO doc_search (rowid, search_tokens)"
                                 " VALUES (new.id, new.search_tokens); END;\n"
                                 "CREATE TRIGGER doc_text_update AFTER UPDATE ON doc_text BEGIN"
                                 " INSERT INTO doc_search (doc_search, rowid, search_tokens)"
                                 " VALUES ('delete', old.id, old.search_tokens);"
                                 " INSERT INTO doc_search (rowid, search_tokens)"
                                 " VALUES (new.id, new.search_tokens); END;\n"
                                 "-- @end\n"
                                 "-- @postgresql\n"
                                 "CREATE INDEX doc_search ON doc_text"
                                 " USING gin (to_tsvector('simple', search_tokens));\n"
                                 "-- @end\n"}});
        ASSERT_TRUE(r) << r.error().message;
        int n = 0;
        for (const auto& [id, body] : std::vector<std::pair<std::string, std::string>>{
                 {"d1", "住民基本台帳システムの利用者一覧"},
                 {"d2", "対象住民"},
                 {"d3", "税務課 課税台帳（固定資産税）"},
                 {"d4", "Backup of the LGWAN mail server"},
                 {"d5", "マイナンバー利用事務系 端末台帳"},
                 {"d6", "税"}}) {
            Index(id, body, ++n);
        }
    }
    void TearDown() override {
        if (db_) db_->Close();
        db_.reset();
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
    }

    static constexpr SearchIndex kIndex{"doc_text", "doc_id", "doc_search"};

    void Index(const std::string& id, const std::string& body, int n) {
        auto r = db_->Transact([&](Tx& tx) -> Result<void> {
            if (n > 0)
                if (auto ins = tx.Exec("INSERT INTO docs (id, n) VALUES (?, ?)", {id, n}); !ins)
                    return Fail(ins.error());
            return IndexText(tx, kIndex, id, body);
        });
        ASSERT_TRUE(r) << r.error().message;
    }

    std::set<std::string> Find(std::string_view q) {
        auto expr = SearchExpression(db_->backend(), q);
        if (!expr) return {"(nothing to search)"};
        Where where;
        auto any = AddSearch(*db_, where, kIndex, "d.id", *expr, "");
        EXPECT_TRUE(any) << any.error().message;
        if (!any || !*any) return {};
        auto rs = db_->Query("SELECT d.id FROM docs d" + where.Sql(), where.With());
        EXPECT_TRUE(rs) << rs.error().message;
        std::set<std::string> ids;
        if (rs)
            for (const auto& r : rs->rows) ids.insert(r.Text(0));
        return ids;
    }

    std::unique_ptr<Database> db_;
    std::filesystem::path dir_;
};

using Ids = std::set<std::string>;

TEST_P(TextSearchTest, FindsSubstringsOfAnyLength) {
    EXPECT_EQ(Find("住民"), (Ids{"d1", "d2"}));  // two characters, also at the end
    EXPECT_EQ(Find("民基本台"), (Ids{"d1"}));    // a phrase of bigrams
    EXPECT_EQ(Find("台帳"), (Ids{"d1", "d3", "d5"}));
    EXPECT_EQ(Find("税"), (Ids{"d3", "d6"}));        // one character: start, middle, alone
    EXPECT_EQ(Find("帳"), (Ids{"d1", "d3", "d5"}));  // one character at a run's end
    EXPECT_EQ(Find("住民台帳"), Ids{});              // not contiguous
    EXPECT_EQ(Find("課税台帳"), (Ids{"d3"}));
    EXPECT_EQ(Find("マイナンバー"), (Ids{"d5"}));
}

TEST_P(TextSearchTest, TermsAreAndedAndFolded) {
    EXPECT_EQ(Find("住民 一覧"), (Ids{"d1"}));
    EXPECT_EQ(Find("住民　対象"), (Ids{"d2"}));  // ideographic space
    EXPECT_EQ(Find("lgwan"), (Ids{"d4"}));
    EXPECT_EQ(Find("ＬＧＷＡＮ　Mail"), (Ids{"d4"}));  // full-width and case
    EXPECT_EQ(Find("固定資産税）"), (Ids{"d3"}));      // punctuation in the term
    EXPECT_EQ(Find("、"), (Ids{"(nothing to search)"}));
}

TEST_P(TextSearchTest, FollowsUpdates) {
    Index("d2", "転出者一覧", 0);
    EXPECT_EQ(Find("住民"), (Ids{"d1"}));
    EXPECT_EQ(Find("転出"), (Ids{"d2"}));
}

TEST_P(TextSearchTest, BroadSearchesCheckEachRow) {
    // More matches than AddSearch lists by key: the per-row check answers instead.
    for (int i = 0; i < 2100; ++i)
        Index("m" + std::to_string(i), "会議録 第" + std::to_string(i) + "回", 100 + i);
    auto expr = SearchExpression(db_->backend(), "会議録");
    ASSERT_TRUE(expr);
    // No filter; filters that leave many rows, most of them matching or few (3 of 1,503);
    // one that leaves few rows; one that leaves none.
    for (int i = 0; i < 1500; ++i) Index("x" + std::to_string(i), "議事録", 5000 + i);
    for (const char* filter : {"", "d.n % 2 = 0", "d.n >= 5000 OR d.n IN (100, 102, 104)",
                               "d.n IN (100, 102, 104, 7)", "d.n < 0"}) {
        const bool filtered = *filter != '\0';
        Where where;
        if (filtered) where.Add(std::string("(") + filter + ")");
        auto any = AddSearch(*db_, where, kIndex, "d.id", *expr, filtered ? "docs d" : "");
        ASSERT_TRUE(any) << any.error().message;
        const bool none = std::string_view(filter) == "d.n < 0";
        if (!*any) {
            EXPECT_TRUE(none) << filter;
            continue;
        }
        EXPECT_LE(where.With().size(), 5u);  // not 2,100 keys
        auto rs = db_->Query("SELECT d.id FROM docs d" + where.Sql() + " ORDER BY d.n LIMIT 3",
                             where.With());
        ASSERT_TRUE(rs) << rs.error().message;
        if (none) {
            EXPECT_TRUE(rs->rows.empty());
            continue;
        }
        ASSERT_EQ(rs->rows.size(), 3u);
        EXPECT_EQ(rs->rows[0].Text(0), "m0");  // n = 100
        EXPECT_EQ(rs->rows[1].Text(0), filtered ? "m2" : "m1") << filter;
    }
    EXPECT_EQ(Find("会議録 第2099回"), (Ids{"m2099"}));
    EXPECT_EQ(Find("第20").size(), 111u);  // 第20回, 第200–209回, 第2000–2099回
}

INSTANTIATE_TEST_SUITE_P(Backends, TextSearchTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         [](const auto& info) {
                             return info.param == Backend::kSqlite ? "Sqlite" : "Postgresql";
                         });

}  // namespace
}  // namespace mamori::store
