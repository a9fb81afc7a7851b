#include "store/database.h"

#include "store/pool.h"

namespace mamori::store {

namespace {

// A statement that cannot change anything: it starts with SELECT (any case, after
// blanks). Anything else — including WITH, which may end in an INSERT — counts as a write.
bool ReadOnly(std::string_view sql) {
    while (!sql.empty() && (sql.front() == ' ' || sql.front() == '\n' || sql.front() == '\t'))
        sql.remove_prefix(1);
    constexpr std::string_view kSelect = "select";
    if (sql.size() < kSelect.size()) return false;
    for (std::size_t i = 0; i < kSelect.size(); ++i)
        if ((sql[i] | 0x20) != kSelect[i]) return false;
    return true;
}

}  // namespace

Result<ResultSet> Database::Query(std::string_view sql, Params params) {
    return Run(sql, std::span<const Value>(params.begin(), params.size()));
}

Result<ResultSet> Database::Query(std::string_view sql, const std::vector<Value>& params) {
    return Run(sql, params);
}

Result<ResultSet> Database::Run(std::string_view sql, std::span<const Value> params) {
    auto conn = Acquire();
    if (!conn) return Fail(conn.error());
    auto r = (*conn)->Run(sql, params);
    if (!ReadOnly(sql)) generation_.fetch_add(1, std::memory_order_acq_rel);
    return r;
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
