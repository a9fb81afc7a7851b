#include "store/database.h"

#include "store/pool.h"

namespace mamori::store {

Result<ResultSet> Database::Query(std::string_view sql, Params params) {
    auto conn = Acquire();
    if (!conn) return Fail(conn.error());
    return (*conn)->Run(sql, std::span<const Value>(params.begin(), params.size()));
}

Result<ResultSet> Database::Query(std::string_view sql, const std::vector<Value>& params) {
    auto conn = Acquire();
    if (!conn) return Fail(conn.error());
    return (*conn)->Run(sql, params);
}

Result<void> Database::Ping() {
    auto r = Query("SELECT 1");
    if (!r) return Fail(r.error());
    return {};
}

ConnectionPool::ConnectionPool(Factory factory, int max_size,
                               std::chrono::milliseconds acquire_timeout)
    : factory_(std::move(factory)), max_size_(max_size), acquire_timeout_(acquire_timeout) {}

ConnectionPool::~ConnectionPool() { Close(); }

Result<Connection*> ConnectionPool::Take() {
    std::unique_lock lock(mu_);
    const auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
    for (;;) {
        if (closed_) return Fail(Error::Unavailable("the database is closed"));
        if (!idle_.empty()) {
            Connection* c = idle_.back().release();
            idle_.pop_back();
            return c;
        }
        if (open_ < max_size_) {
            ++open_;
            lock.unlock();  // opening may take a while (network); do not block others
            auto made = factory_();
            if (!made) {
                lock.lock();
                --open_;
                cv_.notify_one();
                return Fail(made.error());
            }
            return made->release();
        }
        if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
            open_ >= max_size_)
            return Fail(Error::Unavailable("no database connection free within the timeout"));
    }
}

void ConnectionPool::Give(Connection* c) {
    std::unique_ptr<Connection> owned(c);
    std::lock_guard lock(mu_);
    if (closed_ || !owned->Healthy()) {
        --open_;
        owned.reset();
    } else {
        idle_.push_back(std::move(owned));
    }
    cv_.notify_one();
}

void ConnectionPool::Close() {
    std::vector<std::unique_ptr<Connection>> doomed;
    {
        std::lock_guard lock(mu_);
        closed_ = true;
        open_ -= static_cast<int>(idle_.size());
        doomed.swap(idle_);
    }
    cv_.notify_all();
}

Result<Database::Lease> PooledDatabase::Acquire() {
    auto c = pool_.Take();
    if (!c) return Fail(c.error());
    return Lease(*c, Returner{this});
}

}  // namespace mamori::store
