#include "ledger/ledger_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>

namespace mamori::ledger {

namespace {

constexpr int kLevelShift = 56;

// "?, ?, …" for n parameters.
std::string Placeholders(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += i == 0 ? "?" : ", ?";
    return s;
}

Hash ToHash(const std::string& bytes) {
    Hash h{};
    std::copy_n(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                std::min(bytes.size(), h.size()), h.begin());
    return h;
}

store::Value ToValue(const Hash& h) {
    return store::Value(
        store::Blob{std::string(reinterpret_cast<const char*>(h.data()), h.size())});
}

// Reads `ids` with one query through `query` (a Database or a Tx), in the order asked.
template <typename Q>
Result<std::vector<Hash>> Read(Q& q, std::span<const NodeId> ids) {
    if (ids.empty()) return std::vector<Hash>{};
    std::vector<store::Value> params;
    params.reserve(ids.size());
    for (const auto& id : ids) params.emplace_back(NodeKey(id));
    auto rs = q.Query("SELECT node_key, hash FROM ledger_nodes WHERE node_key IN (" +
                          Placeholders(ids.size()) + ")",
                      params);
    if (!rs) return Fail(rs.error());
    std::map<std::int64_t, Hash> found;
    for (const auto& row : rs->rows) {
        const std::string& bytes = row.Bytes(1);
        if (bytes.size() != 32)
            return Fail(Error::Internal(fmt::format("ledger node {} is not 32 bytes", row.Int(0))));
        found.emplace(row.Int(0), ToHash(bytes));
    }
    std::vector<Hash> out;
    out.reserve(ids.size());
    for (const auto& id : ids) {
        auto it = found.find(NodeKey(id));
        if (it == found.end())
            return Fail(Error::NotFound(
                fmt::format("ledger node (level {}, index {}) is missing", id.level, id.index)));
        out.push_back(it->second);
    }
    return out;
}

}  // namespace

std::int64_t NodeKey(const NodeId& id) {
    return (static_cast<std::int64_t>(id.level) << kLevelShift) |
           static_cast<std::int64_t>(id.index);
}

Result<std::vector<Hash>> DbNodes::Get(std::span<const NodeId> ids) { return Read(db_, ids); }

Result<std::vector<Hash>> CachedDbNodes::Get(std::span<const NodeId> ids) {
    std::vector<Hash> out(ids.size());
    std::vector<NodeId> missing;
    std::vector<std::size_t> where;
    {
        std::shared_lock lock(mu_);
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (ids[i].level >= min_level_)
                if (auto it = cache_.find(NodeKey(ids[i])); it != cache_.end()) {
                    out[i] = it->second;
                    continue;
                }
            missing.push_back(ids[i]);
            where.push_back(i);
        }
    }
    if (missing.empty()) return out;
    auto read = Read(db_, missing);
    if (!read) return Fail(read.error());
    std::unique_lock lock(mu_);
    if (cache_.size() >= kMaxEntries) cache_.clear();
    for (std::size_t j = 0; j < missing.size(); ++j) {
        out[where[j]] = (*read)[j];
        if (missing[j].level >= min_level_) cache_.emplace(NodeKey(missing[j]), (*read)[j]);
    }
    return out;
}

Result<void> AppendLeaf(store::Tx& tx, std::uint64_t index, const Hash& leaf_hash) {
    const auto sibling_ids = AppendSiblings(index);
    auto siblings = Read(tx, sibling_ids);
    if (!siblings)
        return Fail(Error::Internal("ledger: cannot append leaf " + std::to_string(index) + ": " +
                                    siblings.error().message));
    const auto nodes = AppendNodes(index, leaf_hash, *siblings);
    std::vector<store::Value> params;
    params.reserve(nodes.size() * 2);
    std::string values;
    for (const auto& [id, hash] : nodes) {
        values += values.empty() ? "(?, ?)" : ", (?, ?)";
        params.emplace_back(NodeKey(id));
        params.push_back(ToValue(hash));
    }
    auto r = tx.Query("INSERT INTO ledger_nodes (node_key, hash) VALUES " + values, params);
    if (!r) return Fail(r.error());
    return {};
}

Result<std::uint64_t> StoredSize(store::Database& db) {
    // Leaves are stored densely (leaf i only after leaves 0..i-1, in commit order), so the
    // largest level-0 key gives the size with one index seek, however large the tree.
    auto rs = db.Query("SELECT MAX(node_key) FROM ledger_nodes WHERE node_key < ?",
                       {static_cast<std::int64_t>(1) << kLevelShift});
    if (!rs) return Fail(rs.error());
    const auto last = rs->rows[0].OptInt(0);
    return last ? static_cast<std::uint64_t>(*last) + 1 : std::uint64_t{0};
}

}  // namespace mamori::ledger
