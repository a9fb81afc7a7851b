#include "store/text_search.h"

#include <fmt/format.h>

#include <vector>

#include "core/text.h"

namespace mamori::store {

namespace {

// What separates runs: ASCII other than letters and digits, Latin-1 punctuation, general
// punctuation, the CJK symbols that are not part of words (、。「」【】〜 but not 々 〆),
// the katakana middle dot and the half-width brackets.
bool Separates(char32_t c) {
    if (c < 0x80) return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'));
    return (c >= 0xA0 && c <= 0xBF) || (c >= 0x2000 && c <= 0x206F) ||
           (c >= 0x3000 && c <= 0x3004) || (c >= 0x3008 && c <= 0x3011) ||
           (c >= 0x3014 && c <= 0x301F) || c == 0x30FB || (c >= 0xFF5F && c <= 0xFF65) ||
           c == 0xFFFD;
}

// Full-width ASCII (Ｕ+FF01–FF5E) becomes ASCII, then ASCII letters lower case.
char32_t Fold(char32_t c) {
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    return c;
}

// A character as index letters: each byte of its UTF-8 form as two letters a–p.
void AppendLetters(std::string& out, char32_t c) {
    unsigned char bytes[4];
    int n = 0;
    if (c < 0x80) {
        bytes[n++] = static_cast<unsigned char>(c);
    } else if (c < 0x800) {
        bytes[n++] = static_cast<unsigned char>(0xC0 | (c >> 6));
        bytes[n++] = static_cast<unsigned char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        bytes[n++] = static_cast<unsigned char>(0xE0 | (c >> 12));
        bytes[n++] = static_cast<unsigned char>(0x80 | ((c >> 6) & 0x3F));
        bytes[n++] = static_cast<unsigned char>(0x80 | (c & 0x3F));
    } else {
        bytes[n++] = static_cast<unsigned char>(0xF0 | (c >> 18));
        bytes[n++] = static_cast<unsigned char>(0x80 | ((c >> 12) & 0x3F));
        bytes[n++] = static_cast<unsigned char>(0x80 | ((c >> 6) & 0x3F));
        bytes[n++] = static_cast<unsigned char>(0x80 | (c & 0x3F));
    }
    for (int i = 0; i < n; ++i) {
        out += static_cast<char>('a' + (bytes[i] >> 4));
        out += static_cast<char>('a' + (bytes[i] & 0x0F));
    }
}

// The folded runs of `text`.
std::vector<std::u32string> Runs(std::string_view text) {
    std::vector<std::u32string> runs;
    std::u32string run;
    for (std::size_t i = 0; i < text.size();) {
        const char32_t c = Fold(core::DecodeUtf8(text, i));
        if (Separates(c)) {
            if (!run.empty()) runs.push_back(std::move(run));
            run.clear();
        } else {
            run += c;
        }
    }
    if (!run.empty()) runs.push_back(std::move(run));
    return runs;
}

std::string Bigram(const std::u32string& run, std::size_t i) {
    std::string token;
    AppendLetters(token, run[i]);
    AppendLetters(token, run[i + 1]);
    return token;
}

}  // namespace

std::string SearchTokens(std::string_view text) {
    std::string out;
    for (const auto& run : Runs(text)) {
        for (std::size_t i = 0; i + 1 < run.size(); ++i) {
            if (!out.empty()) out += ' ';
            out += Bigram(run, i);
        }
        if (!out.empty()) out += ' ';
        AppendLetters(out, run.back());  // the last character alone, for one-character terms
    }
    return out;
}

std::optional<std::string> SearchExpression(Backend backend, std::string_view query) {
    const bool pg = backend == Backend::kPostgresql;
    std::string expr;
    for (const auto& run : Runs(query)) {
        if (!expr.empty()) expr += pg ? " & " : " AND ";
        if (run.size() == 1) {  // any token that starts with the character
            AppendLetters(expr, run[0]);
            expr += pg ? ":*" : "*";
            continue;
        }
        if (!pg) expr += '"';
        for (std::size_t i = 0; i + 1 < run.size(); ++i) {
            if (i > 0) expr += pg ? " <-> " : " ";
            expr += Bigram(run, i);
        }
        if (!pg) expr += '"';
    }
    if (expr.empty()) return std::nullopt;
    return expr;
}

Result<void> IndexText(Tx& tx, const SearchIndex& index, const std::string& key,
                       std::string_view text) {
    TextBatch one(index);
    if (auto r = one.Add(tx, key, text); !r) return r;
    return one.Flush(tx);
}

Result<void> TextBatch::Add(Tx& tx, const std::string& key, std::string_view text) {
    // PostgreSQL refuses an upsert that names one key twice; the last text is the one.
    if (auto it = queued_.find(key); it != queued_.end()) {
        rows_[it->second].second = SearchTokens(text);
        return {};
    }
    queued_.emplace(key, rows_.size());
    rows_.emplace_back(key, SearchTokens(text));
    if (rows_.size() >= 500) return Flush(tx);
    return {};
}

Result<void> TextBatch::Flush(Tx& tx) {
    if (rows_.empty()) return {};
    std::string values;
    std::vector<Value> params;
    params.reserve(rows_.size() * 2);
    for (auto& [key, tokens] : rows_) {
        values += values.empty() ? "(?, ?)" : ", (?, ?)";
        params.emplace_back(std::move(key));
        params.emplace_back(std::move(tokens));
    }
    rows_.clear();
    queued_.clear();
    auto r = tx.Query(fmt::format("INSERT INTO {0} ({1}, search_tokens) VALUES {2} "
                                  "ON CONFLICT ({1}) DO UPDATE SET search_tokens = "
                                  "excluded.search_tokens",
                                  index_.text_table, index_.owner, values),
                      params);
    if (!r) return Fail(r.error());
    return {};
}

Result<bool> AddSearch(Database& db, Where& where, const SearchIndex& index, std::string_view key,
                       const std::string& expression, std::string_view filtered_from) {
    constexpr int kMaxKeys = 2000;    // matches listed by key
    constexpr int kMaxChecks = 1000;  // rows checked one by one (about 7 ms on SQLite)
    const bool pg = db.backend() == Backend::kPostgresql;
    // The rows that match, as the engine finds them (no sort), up to one more than listed.
    const std::string matching =
        pg ? fmt::format(
                 "SELECT t.{1} FROM {0} t WHERE to_tsvector('simple', t.search_tokens) "
                 "@@ to_tsquery('simple', ?)",
                 index.text_table, index.owner)
           : fmt::format(
                 "SELECT t.{1} FROM {2} JOIN {0} t ON t.id = {2}.rowid "
                 "WHERE {2} MATCH ?",
                 index.text_table, index.owner, index.fts_table);
    auto found = db.Query(matching + " LIMIT ?", {expression, kMaxKeys + 1});
    if (!found) return Fail(found.error());
    if (found->rows.empty()) return false;
    auto keys_of = [](const ResultSet& rs) {
        std::vector<std::string> keys;
        keys.reserve(rs.rows.size());
        for (const auto& r : rs.rows) keys.push_back(r.Text(0));
        return keys;
    };
    if (static_cast<int>(found->rows.size()) <= kMaxKeys) {
        where.AddIn(std::string(key), keys_of(*found));
        return true;
    }
    if (pg) {
        where.Add(fmt::format("{} IN ({})", key, matching), {expression});
        return true;
    }
    // A broad search. Each row can be checked by a look-up in the index (a few
    // microseconds), or against all the matches read once (some milliseconds for 100,000).
    const std::string each_row = fmt::format(
        "EXISTS (SELECT 1 FROM {0} t WHERE t.{1} = {2} AND EXISTS "
        "(SELECT 1 FROM {3} WHERE {3} MATCH ? AND rowid = t.id))",
        index.text_table, index.owner, key, index.fts_table);
    if (filtered_from.empty()) {
        // Rows are visited in sort order until the page is full: a broad search fills it
        // within a few rows.
        where.Add(each_row, {expression});
        return true;
    }
    // Other filters may pass over many rows that do not match. When they leave few rows,
    // check just those; otherwise check each row against the matches read once.
    auto left =
        db.Query(fmt::format("SELECT {} FROM {}{} LIMIT ?", key, filtered_from, where.Sql()),
                 where.With({kMaxChecks + 1}));
    if (!left) return Fail(left.error());
    if (left->rows.empty()) return false;
    if (static_cast<int>(left->rows.size()) <= kMaxChecks) {
        where.AddIn(std::string(key), keys_of(*left));
        where.Add(each_row, {expression});
        return true;
    }
    // Many rows left: if at least one in 20 of a sample of them matches, a page fills
    // within about 1,000 rows checked one by one.
    constexpr std::size_t kSample = 100;
    std::string marks;
    std::vector<Value> sample;
    for (std::size_t i = 0; i < kSample && i < left->rows.size(); ++i) {
        marks += i ? ", ?" : "?";
        sample.emplace_back(left->rows[i].Text(0));
    }
    sample.emplace_back(expression);
    auto hits =
        db.Query(fmt::format("SELECT COUNT(*) FROM {0} t WHERE t.{1} IN ({2}) AND "
                             "EXISTS (SELECT 1 FROM {3} WHERE {3} MATCH ? AND rowid = t.id)",
                             index.text_table, index.owner, marks, index.fts_table),
                 sample);
    if (!hits) return Fail(hits.error());
    if (hits->rows[0].Int(0) * 20 >= static_cast<std::int64_t>(sample.size() - 1)) {
        where.Add(each_row, {expression});
        return true;
    }
    where.Add(fmt::format("EXISTS (SELECT 1 FROM {0} t WHERE t.{1} = {2} AND t.id IN "
                          "(SELECT rowid FROM {3} WHERE {3} MATCH ?))",
                          index.text_table, index.owner, key, index.fts_table),
              {expression});
    return true;
}

}  // namespace mamori::store
