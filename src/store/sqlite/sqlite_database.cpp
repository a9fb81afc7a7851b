#include "store/sqlite/sqlite_database.h"

#include <sqlite3.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "store/pool.h"

namespace mamori::store {

namespace {

Error SqliteError(sqlite3* db, int rc, std::string_view what) {
    const int ext = db ? sqlite3_extended_errcode(db) : rc;
    std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    switch (ext) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
            return Error::Conflict("duplicate", "a record with the same key already exists");
        case SQLITE_CONSTRAINT_FOREIGNKEY:
            return Error::Conflict("reference",
                                   "the record refers to, or is referred to by, "
                                   "another record");
        default:
            break;
    }
    switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
        case SQLITE_CANTOPEN:
        case SQLITE_READONLY:
        case SQLITE_IOERR:
        case SQLITE_FULL:
            return Error::Unavailable(msg);
        default:
            return Error::Internal(msg);
    }
}

// One writer at a time per database in this process. SQLite lets one connection write at a
// time; the others' BEGIN IMMEDIATE would wait in its busy handler, which sleeps 1, 2, 5, …
// up to 100 ms between tries, so under load most of a writer's wait was sleeping after the
// lock had been freed (1,000 applications at once: p99 about 0.9 s, 20 at once: 0.5 s). The
// writers of this process queue on this mutex instead and start the moment it is free; the
// busy timeout still covers other processes (a backup, the command line). Waiting is bounded
// by the busy timeout, as before.
struct WriterLock {
    std::timed_mutex mu;
    std::chrono::milliseconds timeout;
};

std::shared_ptr<WriterLock> NewWriterLock(const SqliteOptions& o) {
    auto w = std::make_shared<WriterLock>();
    w->timeout = std::chrono::milliseconds(o.busy_timeout_ms);
    return w;
}

class SqliteConnection final : public Connection {
  public:
    SqliteConnection(sqlite3* db, std::shared_ptr<WriterLock> writer)
        : db_(db), writer_(std::move(writer)) {}
    ~SqliteConnection() override {
        for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
        sqlite3_close_v2(db_);
    }

    Result<ResultSet> Run(std::string_view sql, std::span<const Value> params) override {
        auto stmt = Prepare(sql);
        if (!stmt) return Fail(stmt.error());
        sqlite3_stmt* s = *stmt;
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        if (static_cast<std::size_t>(sqlite3_bind_parameter_count(s)) != params.size())
            return Fail(Error::Internal("statement expects " +
                                        std::to_string(sqlite3_bind_parameter_count(s)) +
                                        " parameters, got " + std::to_string(params.size())));
        for (std::size_t i = 0; i < params.size(); ++i) {
            const int idx = static_cast<int>(i + 1);
            int rc = std::visit(
                [&](const auto& v) -> int {
                    using T = std::decay_t<decltype(v)>;
                    if constexpr (std::is_same_v<T, std::monostate>) {
                        return sqlite3_bind_null(s, idx);
                    } else if constexpr (std::is_same_v<T, std::int64_t>) {
                        return sqlite3_bind_int64(s, idx, v);
                    } else if constexpr (std::is_same_v<T, double>) {
                        return sqlite3_bind_double(s, idx, v);
                    } else if constexpr (std::is_same_v<T, std::string>) {
                        return sqlite3_bind_text64(s, idx, v.data(), v.size(), SQLITE_STATIC,
                                                   SQLITE_UTF8);
                    } else {
                        return sqlite3_bind_blob64(s, idx, v.bytes.data(), v.bytes.size(),
                                                   SQLITE_STATIC);
                    }
                },
                params[i].variant());
            if (rc != SQLITE_OK) return Fail(SqliteError(db_, rc, "bind"));
        }
        ResultSet rs;
        const int ncol = sqlite3_column_count(s);
        for (int c = 0; c < ncol; ++c) rs.columns.emplace_back(sqlite3_column_name(s, c));
        for (;;) {
            int rc = sqlite3_step(s);
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) {
                Error e = SqliteError(db_, rc, "step");
                sqlite3_reset(s);
                return Fail(std::move(e));
            }
            std::vector<Value> row;
            row.reserve(static_cast<std::size_t>(ncol));
            for (int c = 0; c < ncol; ++c) {
                switch (sqlite3_column_type(s, c)) {
                    case SQLITE_INTEGER:
                        row.emplace_back(static_cast<long long>(sqlite3_column_int64(s, c)));
                        break;
                    case SQLITE_FLOAT:
                        row.emplace_back(sqlite3_column_double(s, c));
                        break;
                    case SQLITE_TEXT:
                        row.emplace_back(
                            std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, c)),
                                        static_cast<std::size_t>(sqlite3_column_bytes(s, c))));
                        break;
                    case SQLITE_BLOB: {
                        const void* p = sqlite3_column_blob(s, c);
                        row.emplace_back(Blob{
                            std::string(static_cast<const char*>(p),
                                        static_cast<std::size_t>(sqlite3_column_bytes(s, c)))});
                        break;
                    }
                    default:
                        row.emplace_back(nullptr);
                }
            }
            rs.rows.emplace_back(std::move(row));
        }
        rs.affected = sqlite3_stmt_readonly(s) ? 0 : sqlite3_changes64(db_);
        sqlite3_reset(s);
        return rs;
    }

    Result<void> RunScript(std::string_view sql) override {
        char* err = nullptr;
        std::string text(sql);
        int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
        if (rc != SQLITE_OK) {
            Error e = SqliteError(db_, rc, "script");
            sqlite3_free(err);
            return Fail(std::move(e));
        }
        return {};
    }

    Result<void> Begin() override {
        if (writer_) {
            if (!writer_->mu.try_lock_for(writer_->timeout))
                return Fail(Error::Unavailable("the database is busy (another write is running)"));
            holds_writer_ = true;
        }
        auto r = RunScript("BEGIN IMMEDIATE");
        if (!r) ReleaseWriter();
        return r;
    }
    Result<void> Commit() override {
        auto r = RunScript("COMMIT");
        if (r) ReleaseWriter();  // on failure the caller rolls back, which releases it
        return r;
    }
    void Rollback() override {
        if (!sqlite3_get_autocommit(db_)) (void)RunScript("ROLLBACK");
        ReleaseWriter();
    }
    bool Healthy() const override { return true; }

    sqlite3* handle() { return db_; }

  private:
    Result<sqlite3_stmt*> Prepare(std::string_view sql) {
        std::string key(sql);
        if (auto it = cache_.find(key); it != cache_.end()) return it->second;
        sqlite3_stmt* s = nullptr;
        int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                                    SQLITE_PREPARE_PERSISTENT, &s, nullptr);
        if (rc != SQLITE_OK) return Fail(SqliteError(db_, rc, "prepare"));
        cache_.emplace(std::move(key), s);
        return s;
    }

    void ReleaseWriter() {
        if (holds_writer_) {
            holds_writer_ = false;
            writer_->mu.unlock();
        }
    }

    sqlite3* db_;
    std::shared_ptr<WriterLock> writer_;  // null: no in-process queue (a lone connection)
    bool holds_writer_ = false;
    std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

Result<std::unique_ptr<Connection>> OpenConnection(const SqliteOptions& o,
                                                   std::shared_ptr<WriterLock> writer) {
    sqlite3* db = nullptr;
    int rc =
        sqlite3_open_v2(o.file.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        Error e = Error::Unavailable("cannot open the database file " + o.file.string() + ": " +
                                     (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
        sqlite3_close_v2(db);
        return Fail(std::move(e));
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, o.busy_timeout_ms);
    auto conn = std::make_unique<SqliteConnection>(db, std::move(writer));
    // WAL: readers never block the writer; FULL sync: a commit survives power loss. A page
    // cache of up to 32 MiB per connection (the default is 2 MiB): a large transaction such
    // as a register import otherwise spills pages to the WAL mid-way and then reads them
    // back through it, which made a 100,000-row import ten times slower.
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON",
                               "PRAGMA synchronous=FULL", "PRAGMA cache_size=-32768"}) {
        if (auto r = conn->RunScript(pragma); !r) return Fail(r.error());
    }
    return std::unique_ptr<Connection>(std::move(conn));
}

class SqliteDatabase final : public PooledDatabase {
  public:
    explicit SqliteDatabase(SqliteOptions o)
        : PooledDatabase([o, writer = NewWriterLock(o)] { return OpenConnection(o, writer); },
                         o.pool_size),
          options_(std::move(o)) {}

    Backend backend() const override { return Backend::kSqlite; }

    Result<void> DumpTo(const std::filesystem::path& file) override {
        auto lease = Acquire();
        if (!lease) return Fail(lease.error());
        auto* src = static_cast<SqliteConnection*>(lease->get())->handle();
        sqlite3* dst = nullptr;
        int rc = sqlite3_open_v2(file.c_str(), &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                 nullptr);
        if (rc != SQLITE_OK) {
            sqlite3_close_v2(dst);
            return Fail(Error::Unavailable("cannot create the backup file " + file.string()));
        }
        sqlite3_backup* b = sqlite3_backup_init(dst, "main", src, "main");
        if (!b) {
            Error e = SqliteError(dst, sqlite3_errcode(dst), "backup");
            sqlite3_close_v2(dst);
            return Fail(std::move(e));
        }
        // Copy in steps so writers are not shut out for long; a write by another connection
        // restarts the copy, which the loop simply continues.
        do {
            rc = sqlite3_backup_step(b, 1024);
            if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
        } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
        sqlite3_backup_finish(b);
        Result<void> out;
        if (rc != SQLITE_DONE) out = Fail(SqliteError(dst, rc, "backup"));
        sqlite3_close_v2(dst);
        return out;
    }

  private:
    SqliteOptions options_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const SqliteOptions& options) {
    auto db = std::make_unique<SqliteDatabase>(options);
    // Open one connection now so that a bad path is reported at start, not at first use.
    if (auto p = db->Ping(); !p) return Fail(p.error());
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace mamori::store
