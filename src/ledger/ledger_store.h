#pragma once

#include <cstdint>
#include <shared_mutex>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "ledger/merkle.h"
#include "store/database.h"

namespace mamori::ledger {

// The ledger's nodes in the database (table ledger_nodes, migration 0006): every complete
// perfect subtree of the Merkle tree over the audit events, stored once when it completes,
// so proofs and roots read O(log n) rows and never recompute.

/// The row key of a node: level in the top byte, index below (levels < 64, index < 2^56).
std::int64_t NodeKey(const NodeId& id);

/// Nodes read from the database (outside a transaction), one query per Get.
class DbNodes final : public NodeSource {
  public:
    explicit DbNodes(store::Database& db) : db_(db) {}
    [[nodiscard]] Result<std::vector<Hash>> Get(std::span<const NodeId> ids) override;

  private:
    store::Database& db_;
};

/// DbNodes that keep the nodes of the upper levels in memory once read: a stored node never
/// changes, and every proof of a large tree needs the few upper ones, so a proof reads only
/// its lower nodes (at most `min_level`) from the database. Thread-safe; bounded.
class CachedDbNodes final : public NodeSource {
  public:
    explicit CachedDbNodes(store::Database& db, int min_level = 8)
        : db_(db), min_level_(min_level) {}
    [[nodiscard]] Result<std::vector<Hash>> Get(std::span<const NodeId> ids) override;

  private:
    static constexpr std::size_t kMaxEntries = 1 << 20;  // 32 MiB of hashes at most
    store::Database& db_;
    const int min_level_;
    std::shared_mutex mu_;
    std::unordered_map<std::int64_t, Hash> cache_;  // GUARDED_BY(mu_)
};

/// Appends leaf number `index` (0-based; the tree holds exactly `index` leaves) inside `tx`:
/// reads the left siblings it completes (one query, none for an even index) and inserts the
/// leaf and every node that completes (one statement). Audit events call this in the
/// transaction that records them.
[[nodiscard]] Result<void> AppendLeaf(store::Tx& tx, std::uint64_t index, const Hash& leaf_hash);

/// The number of leaves stored (level-0 nodes; one index seek).
[[nodiscard]] Result<std::uint64_t> StoredSize(store::Database& db);

}  // namespace mamori::ledger
