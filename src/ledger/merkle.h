#pragma once

// The Merkle tree of RFC 9162 §2.1 (the tree of Certificate Transparency), over SHA-256.
//
// A tree of `size` leaves is stored as its perfect subtrees: node (level, index) covers leaves
// [index << level, (index + 1) << level); level 0 holds the leaf hashes. Every such node is
// final once its last leaf is appended, so a store only ever inserts. Roots and proofs for any
// size up to the current one are computed from these stored nodes, never from the leaves.
//
// All functions here are pure and thread-safe; MemoryNodes and Frontier are not synchronised.

#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace mamori::ledger {

/// A SHA-256 digest.
using Hash = std::array<std::uint8_t, 32>;

/// SHA-256(0x00 ‖ leaf): the hash of one leaf (RFC 9162 §2.1.1).
Hash LeafHash(std::string_view leaf);

/// SHA-256(0x01 ‖ left ‖ right): the hash of an interior node.
Hash NodeHash(const Hash& left, const Hash& right);

/// SHA-256 of the empty string: the root of the tree of size 0.
Hash EmptyRoot();

/// A perfect subtree: covers leaves [index << level, (index + 1) << level). Level 0 is a leaf.
struct NodeId {
    int level = 0;
    std::uint64_t index = 0;

    friend bool operator==(const NodeId&, const NodeId&) = default;
    friend auto operator<=>(const NodeId&, const NodeId&) = default;
};

/// The stored nodes whose hashes AppendNodes needs to append leaf number `n` (0-based) to a
/// tree of `n` leaves: the left siblings of the nodes that leaf completes, from level 0 upward.
/// As many as `n` has trailing one bits (none for an even `n`).
std::vector<NodeId> AppendSiblings(std::uint64_t n);

/// Every node that becomes complete when leaf number `n` is appended: (0, n) with `leaf_hash`,
/// then each parent it completes, from level 1 upward. `siblings` are the hashes of
/// AppendSiblings(n), in that order. Throws std::invalid_argument if their count is wrong
/// (a bug in the caller).
std::vector<std::pair<NodeId, Hash>> AppendNodes(std::uint64_t n, const Hash& leaf_hash,
                                                 std::span<const Hash> siblings);

/// The perfect subtrees that make up a tree of `size` leaves, left to right (largest first):
/// one per one bit of `size`. Empty for size 0.
std::vector<NodeId> RootNodes(std::uint64_t size);

/// The root of a tree from the hashes of its RootNodes, in that order (MTH of RFC 9162:
/// folded from the right). EmptyRoot() for none.
Hash RootFrom(std::span<const Hash> root_nodes);

/// Where proofs read stored nodes from (the ledger's table, or MemoryNodes).
class NodeSource {
  public:
    virtual ~NodeSource() = default;

    /// The hashes of `ids`, in the order asked. Every proof calls this exactly once, so one
    /// query can answer it. An id that is not stored is an error (kNotFound, or the store's).
    [[nodiscard]] virtual Result<std::vector<Hash>> Get(std::span<const NodeId> ids) = 0;
};

/// The root of the tree of the first `size` leaves (RFC 9162 MTH); EmptyRoot() for 0 without
/// asking `nodes`.
[[nodiscard]] Result<Hash> RootAt(NodeSource& nodes, std::uint64_t size);

/// The inclusion proof of leaf `index` in the tree of the first `size` leaves (RFC 9162
/// §2.1.3.1 PATH), leaf side first. Invalid input (kInvalidInput) unless index < size.
[[nodiscard]] Result<std::vector<Hash>> InclusionProof(NodeSource& nodes, std::uint64_t index,
                                                       std::uint64_t size);

/// The consistency proof between the trees of the first `first` and `second` leaves (RFC 9162
/// §2.1.4.1 PROOF). Empty when first == second. Invalid input (kInvalidInput) when first is 0
/// or greater than second.
[[nodiscard]] Result<std::vector<Hash>> ConsistencyProof(NodeSource& nodes, std::uint64_t first,
                                                         std::uint64_t second);

/// True when `proof` shows that `leaf_hash` is leaf `index` of the tree of `size` leaves whose
/// root is `root` (RFC 9162 §2.1.3.2).
bool VerifyInclusion(const Hash& leaf_hash, std::uint64_t index, std::uint64_t size,
                     std::span<const Hash> proof, const Hash& root);

/// True when `proof` shows that the tree of `first` leaves with root `first_root` is a prefix
/// of the tree of `second` leaves with root `second_root` (RFC 9162 §2.1.4.2). For first ==
/// second the proof must be empty and the roots equal; for first == 0 the proof must be empty
/// and `first_root` the EmptyRoot().
bool VerifyConsistency(std::uint64_t first, std::uint64_t second, const Hash& first_root,
                       const Hash& second_root, std::span<const Hash> proof);

/// A tree kept as its RootNodes only (O(log n) memory): for recomputing a whole tree from its
/// leaves in order, and for a writer that keeps the right edge of the stored tree in memory.
class Frontier {
  public:
    Frontier() = default;

    /// The frontier of a tree of `size` leaves from the hashes of RootNodes(size), in order
    /// (e.g. read back from the store at start). Invalid input if the count does not match.
    [[nodiscard]] static Result<Frontier> Restore(std::uint64_t size,
                                                  std::span<const Hash> root_nodes);

    /// Appends one leaf hash.
    void Append(const Hash& leaf_hash);

    /// Appends one leaf hash and returns the nodes it completes, exactly as AppendNodes does
    /// (so a writer needs no reads to store them).
    std::vector<std::pair<NodeId, Hash>> AppendWithNodes(const Hash& leaf_hash);

    std::uint64_t size() const { return size_; }

    /// The hashes of RootNodes(size()), in order.
    std::span<const Hash> nodes() const { return nodes_; }

    /// The root of the tree so far (EmptyRoot() when empty).
    Hash Root() const { return RootFrom(nodes_); }

  private:
    std::uint64_t size_ = 0;
    std::vector<Hash> nodes_;
};

/// Every node of a tree kept in memory, one vector per level: for tests and benchmarks.
class MemoryNodes final : public NodeSource {
  public:
    /// Appends one leaf hash, storing the nodes it completes (through AppendNodes).
    void Append(const Hash& leaf_hash);

    std::uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }

    /// Reserves room for `leaves` leaves on every level.
    void Reserve(std::uint64_t leaves);

    /// kNotFound for a node that is not (yet) complete.
    [[nodiscard]] Result<std::vector<Hash>> Get(std::span<const NodeId> ids) override;

  private:
    std::vector<std::vector<Hash>> levels_;
};

}  // namespace mamori::ledger
