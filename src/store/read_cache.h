#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "store/database.h"

namespace mamori::store {

/// A bounded cache of values read from the database, keyed by string. An entry is valid
/// while the database's Generation() is the one taken before it was read — so any change
/// committed through this process invalidates every entry at once — and for at most
/// `max_age`, which bounds how long a change made by another process sharing the same
/// PostgreSQL database can go unseen. `max_age` zero turns the cache off.
///
/// Use: take `Generation()` before reading, then Put the value with it:
///
///     if (auto hit = cache.Get(key)) return *hit;
///     const auto generation = cache.Generation();
///     auto value = ReadFromDatabase();
///     cache.Put(key, value, generation);
///
/// Thread-safe. When full, the whole cache is dropped (entries are cheap to rebuild and
/// most become stale together anyway).
template <typename V>
class ReadCache {
  public:
    ReadCache(const Database& db, std::chrono::milliseconds max_age, std::size_t max_entries)
        : db_(db), max_age_(max_age), max_entries_(max_entries) {}

    std::uint64_t Generation() const { return db_.Generation(); }

    std::shared_ptr<const V> Get(const std::string& key) {
        if (max_age_.count() <= 0) return nullptr;
        const auto generation = db_.Generation();
        std::lock_guard lock(mu_);
        if (generation != generation_) {
            entries_.clear();
            generation_ = generation;
            return nullptr;
        }
        auto it = entries_.find(key);
        if (it == entries_.end()) return nullptr;
        if (std::chrono::steady_clock::now() - it->second.stored > max_age_) {
            entries_.erase(it);
            return nullptr;
        }
        return it->second.value;
    }

    void Put(std::string key, V value, std::uint64_t read_generation) {
        if (max_age_.count() <= 0) return;
        std::lock_guard lock(mu_);
        if (read_generation != db_.Generation()) return;  // changed while it was read
        if (read_generation != generation_) {
            entries_.clear();
            generation_ = read_generation;
        }
        if (entries_.size() >= max_entries_) entries_.clear();
        entries_.insert_or_assign(std::move(key), Entry{std::make_shared<const V>(std::move(value)),
                                                        std::chrono::steady_clock::now()});
    }

  private:
    struct Entry {
        std::shared_ptr<const V> value;
        std::chrono::steady_clock::time_point stored;
    };

    const Database& db_;
    const std::chrono::milliseconds max_age_;
    const std::size_t max_entries_;
    std::mutex mu_;
    std::uint64_t generation_ = 0;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace mamori::store
