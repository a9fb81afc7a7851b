#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "store/database.h"

namespace mamori::store {

/// A bounded pool of connections, shared by both backends. Connections are opened lazily
/// by the factory, up to `max_size`; a broken connection (Healthy() == false) is dropped
/// when given back, so the next Take opens a fresh one — this is how the server recovers
/// when a PostgreSQL server comes back. Thread-safe.
class ConnectionPool {
  public:
    using Factory = std::function<Result<std::unique_ptr<Connection>>()>;

    ConnectionPool(Factory factory, int max_size, std::chrono::milliseconds acquire_timeout);
    ~ConnectionPool();

    /// A connection for the caller's exclusive use until Give. Waits for a free one up to the
    /// acquire timeout (kUnavailable after that, or when the factory fails).
    [[nodiscard]] Result<Connection*> Take();
    void Give(Connection* c);
    /// Closes idle connections now and the others as they come back; Take then fails.
    void Close();

  private:
    Factory factory_;
    const int max_size_;
    const std::chrono::milliseconds acquire_timeout_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<Connection>> idle_;  // GUARDED_BY(mu_)
    int open_ = 0;                                   // GUARDED_BY(mu_)
    bool closed_ = false;                            // GUARDED_BY(mu_)
};

/// A Database whose connections come from a ConnectionPool; backends derive from it.
class PooledDatabase : public Database {
  public:
    PooledDatabase(ConnectionPool::Factory factory, int max_size)
        : pool_(std::move(factory), max_size, std::chrono::seconds(10)) {}

    Result<Lease> Acquire() override;
    void Close() override { pool_.Close(); }

  protected:
    void Release(Connection* c) override { pool_.Give(c); }

  private:
    ConnectionPool pool_;
};

}  // namespace mamori::store
