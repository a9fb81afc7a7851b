#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/database.h"
#include "store/value.h"
#include "store/where.h"

namespace mamori::store {

/// Substring search for Japanese text, indexed by the database on both backends.
///
/// Neither SQLite's FTS5 nor PostgreSQL's full-text search splits Japanese into words, and
/// their trigram indexes cannot find the two-character words Japanese uses most (住民, 税務).
/// So mamori supplies the tokens and lets the database index them: a text is cut into runs
/// at spaces and punctuation, each run into overlapping two-character tokens plus its last
/// character alone (「住民基本」→ 住民 民基 基本 本). A search term is then a phrase of its
/// bigrams (「民基本」→ "民基 基本"), or for one character a prefix of any token. Each token
/// is written as lowercase letters (two per UTF-8 byte) so that both engines' tokenizers
/// keep it whole; the index is an FTS5 table (SQLite) or a GIN index over
/// `to_tsvector('simple', …)` (PostgreSQL). Letters are folded so that case and full-width
/// forms do not matter (「ＡＢＣ」 finds "abc"). See docs/architecture.md, "Text search".

/// The index tokens of `text`, space-separated, for the column the index is built on.
std::string SearchTokens(std::string_view text);

/// Where a text-search index lives: a table with columns `id` (an integer key), the
/// owner's key (e.g. `asset_id`, unique) and `search_tokens`; on SQLite also an FTS5 table
/// over it, keyed by `id` (see migration 0009 for the pattern).
struct SearchIndex {
    std::string_view text_table;  // e.g. "asset_text"
    std::string_view owner;       // e.g. "asset_id"
    std::string_view fts_table;   // e.g. "asset_search" (SQLite only)
};

/// The engine's query for `query`: every space-separated term must occur (a phrase of its
/// bigrams, or for one character a token prefix). nullopt when the query has nothing to
/// search for (only spaces or punctuation).
std::optional<std::string> SearchExpression(Backend backend, std::string_view query);

/// Writes (or replaces) the tokens of `text` for the row owned by `key`, inside the
/// caller's transaction.
Result<void> IndexText(Tx& tx, const SearchIndex& index, const std::string& key,
                       std::string_view text);

/// The same for many rows in one transaction (an import): rows are written 500 to a
/// statement. SQLite's FTS5 writes its pending index at the end of every statement, so
/// one row per statement costs about five times as much.
class TextBatch {
  public:
    explicit TextBatch(const SearchIndex& index) : index_(index) {}
    /// Queues the row (a key queued twice keeps its last text); writes once 500 wait.
    Result<void> Add(Tx& tx, const std::string& key, std::string_view text);
    /// Writes what waits. Call before the transaction commits.
    Result<void> Flush(Tx& tx);

  private:
    SearchIndex index_;
    std::vector<std::pair<std::string, std::string>> rows_;  // key, tokens
    std::unordered_map<std::string, std::size_t> queued_;    // key → index in rows_
};

/// Narrows `where` to rows whose key column (`key`, e.g. "a.id") owns text matching
/// `expression` (from SearchExpression). Add the other filters to `where` first, and pass
/// `filtered_from` — the FROM clause they apply to, e.g. "assets a" — when any of them may
/// pass over many rows (a paging cursor or a section's own index does not count); "" when
/// none does. Returns false when nothing can match (the caller answers an empty page).
///
/// A search matching at most 2,000 rows becomes a list of keys, so the database looks up
/// just those rows. A broader one is checked row by row, so a page in sort order fills
/// without reading every match; with filters that leave more than 1,000 rows of which
/// fewer than one in 20 (in a sample of 100) match, each row is instead checked against the
/// matches read once (SQLite; PostgreSQL plans it itself).
Result<bool> AddSearch(Database& db, Where& where, const SearchIndex& index, std::string_view key,
                       const std::string& expression, std::string_view filtered_from);

}  // namespace mamori::store
