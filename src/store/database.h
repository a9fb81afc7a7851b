#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/error.h"
#include "store/value.h"

namespace mamori::store {

enum class Backend { kSqlite, kPostgresql };

/// Parameters of one statement. SQL is written with `?` placeholders in both backends;
/// the PostgreSQL backend rewrites them to `$1…$n` (see dialect.h).
using Params = std::initializer_list<Value>;

/// One open connection. Not thread-safe: used by one thread at a time, as handed out by
/// the Database's pool. Statements are prepared once per connection and cached.
class Connection {
  public:
    virtual ~Connection() = default;

    /// Runs one statement with bound parameters and returns all its rows.
    /// Errors: kConflict "duplicate" (unique key), kConflict "reference" (foreign key),
    /// kUnavailable (connection lost), kInternal (anything else; message for the log only).
    [[nodiscard]] virtual Result<ResultSet> Run(std::string_view sql,
                                                std::span<const Value> params) = 0;
    /// Runs statements without parameters (migrations); may contain several statements.
    [[nodiscard]] virtual Result<void> RunScript(std::string_view sql) = 0;
    [[nodiscard]] virtual Result<void> Begin() = 0;
    [[nodiscard]] virtual Result<void> Commit() = 0;
    virtual void Rollback() = 0;
    /// False once the connection is known to be broken; the pool then drops it.
    virtual bool Healthy() const = 0;
};

/// The statements of one transaction. Obtained only from Database::Transact.
class Tx {
  public:
    Tx(Connection& c, Backend backend) : c_(c), backend_(backend) {}

    [[nodiscard]] Result<ResultSet> Query(std::string_view sql, Params params = {}) {
        return c_.Run(sql, std::span<const Value>(params.begin(), params.size()));
    }
    [[nodiscard]] Result<ResultSet> Query(std::string_view sql, const std::vector<Value>& params) {
        return c_.Run(sql, params);
    }
    /// Runs a statement and returns the number of rows it changed.
    [[nodiscard]] Result<std::int64_t> Exec(std::string_view sql, Params params = {}) {
        auto r = Query(sql, params);
        if (!r) return Fail(r.error());
        return r->affected;
    }
    Connection& connection() { return c_; }
    Backend backend() const { return backend_; }

  private:
    Connection& c_;
    Backend backend_;
};

/// The one store interface, with a SQLite and a PostgreSQL implementation. Thread-safe:
/// every call takes a connection from a bounded pool (waiting up to the acquire timeout)
/// and gives it back. Calls block; never call them on an I/O thread.
class Database {
  public:
    virtual ~Database() = default;

    virtual Backend backend() const = 0;

    /// Runs `fn(Tx&)` in one transaction: committed when fn returns a value, rolled back
    /// when it returns an error or throws. `fn` returns Result<T>; so does Transact.
    template <typename F>
    auto Transact(F&& fn) -> std::invoke_result_t<F, Tx&> {
        using R = std::invoke_result_t<F, Tx&>;
        auto conn = Acquire();
        if (!conn) return Fail(conn.error());
        Connection& c = **conn;
        if (auto b = c.Begin(); !b) return Fail(b.error());
        struct Guard {
            Connection& c;
            bool done = false;
            ~Guard() {
                if (!done) c.Rollback();
            }
        } guard{c};
        Tx tx(c, backend());
        R result = fn(tx);
        if (!result) return result;
        guard.done = true;
        if (auto cm = c.Commit(); !cm) {
            c.Rollback();
            return Fail(cm.error());
        }
        generation_.fetch_add(1, std::memory_order_acq_rel);
        return result;
    }

    /// A number that grows after every committed transaction and every statement run
    /// through Query that is not a plain SELECT. Caches of what was read (ReadCache) take
    /// it before reading and are valid while it is unchanged: a change made through this
    /// process invalidates them at once.
    std::uint64_t Generation() const { return generation_.load(std::memory_order_acquire); }

    /// One statement outside an explicit transaction (reads take no write lock).
    [[nodiscard]] Result<ResultSet> Query(std::string_view sql, Params params = {});
    [[nodiscard]] Result<ResultSet> Query(std::string_view sql, const std::vector<Value>& params);

    /// Answers whether the database responds (`SELECT 1`).
    [[nodiscard]] Result<void> Ping();

    /// Writes a consistent copy of the whole database to `file` while others keep using it:
    /// SQLite's online backup API, or pg_dump for PostgreSQL.
    [[nodiscard]] virtual Result<void> DumpTo(const std::filesystem::path& file) = 0;

    /// Closes every pooled connection; later calls fail with kUnavailable.
    virtual void Close() = 0;

    /// Deleter that gives a connection back to its pool.
    struct Returner {
        Database* db;
        void operator()(Connection* c) const { db->Release(c); }
    };
    using Lease = std::unique_ptr<Connection, Returner>;

    /// Takes a connection from the pool (opening one if the pool is not full).
    [[nodiscard]] virtual Result<Lease> Acquire() = 0;

  protected:
    virtual void Release(Connection* c) = 0;

  private:
    Result<ResultSet> Run(std::string_view sql, std::span<const Value> params);

    std::atomic<std::uint64_t> generation_{0};
};

}  // namespace mamori::store
