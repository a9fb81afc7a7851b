#include "ledger/merkle.h"

#include <openssl/evp.h>

#include <bit>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace mamori::ledger {

namespace {

constexpr std::uint8_t kLeafPrefix = 0x00;
constexpr std::uint8_t kNodePrefix = 0x01;

[[noreturn]] void DigestFailed() {
    std::fputs("fatal: OpenSSL SHA-256 failed\n", stderr);
    std::abort();
}

/// SHA-256 fetched once from the default provider (EVP_sha256() would look it up on every
/// digest). Kept for the life of the process.
const EVP_MD* Sha256Md() {
    static const EVP_MD* const md = [] {
        EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
        if (fetched == nullptr) DigestFailed();
        return fetched;
    }();
    return md;
}

/// One digest context per thread, reused for every hash: the tree hashes millions of short
/// inputs, and allocating a context each time would cost more than the hashing.
class ThreadDigest {
  public:
    ThreadDigest() : ctx_(EVP_MD_CTX_new()) {
        if (ctx_ == nullptr) DigestFailed();
    }
    ~ThreadDigest() { EVP_MD_CTX_free(ctx_); }
    ThreadDigest(const ThreadDigest&) = delete;
    ThreadDigest& operator=(const ThreadDigest&) = delete;

    /// SHA-256(prefix ‖ a ‖ b).
    Hash Digest(std::uint8_t prefix, const void* a, std::size_t a_size, const void* b,
                std::size_t b_size) {
        Hash out;
        unsigned int len = 0;
        if (EVP_DigestInit_ex2(ctx_, Sha256Md(), nullptr) != 1 ||
            EVP_DigestUpdate(ctx_, &prefix, 1) != 1 ||
            (a_size > 0 && EVP_DigestUpdate(ctx_, a, a_size) != 1) ||
            (b_size > 0 && EVP_DigestUpdate(ctx_, b, b_size) != 1) ||
            EVP_DigestFinal_ex(ctx_, out.data(), &len) != 1 || len != out.size()) {
            DigestFailed();
        }
        return out;
    }

  private:
    EVP_MD_CTX* ctx_;
};

ThreadDigest& Digester() {
    thread_local ThreadDigest digest;
    return digest;
}

/// The largest power of two strictly less than n (the RFC's k). REQUIRES: n >= 2.
std::uint64_t SplitPoint(std::uint64_t n) { return std::bit_floor(n - 1); }

/// The perfect subtrees covering leaves [begin, end), left to right. REQUIRES: begin is a
/// multiple of the largest power of two not above end - begin, which holds for every range
/// the RFC's recursions visit.
void AppendRangeNodes(std::uint64_t begin, std::uint64_t end, std::vector<NodeId>& out) {
    while (begin < end) {
        const int level = std::bit_width(end - begin) - 1;
        out.push_back({level, begin >> level});
        begin += std::uint64_t{1} << level;
    }
}

/// A proof as planned before any node is read: for each proof element, in proof order, the
/// number of stored nodes whose fold is that element's MTH.
struct Plan {
    std::vector<NodeId> ids;
    std::vector<std::size_t> counts;

    void AddRange(std::uint64_t begin, std::uint64_t end) {
        const std::size_t before = ids.size();
        AppendRangeNodes(begin, end, ids);
        counts.push_back(ids.size() - before);
    }
};

/// Reads every node of `plan` with one Get and folds each element.
Result<std::vector<Hash>> Execute(NodeSource& nodes, const Plan& plan) {
    std::vector<Hash> proof;
    if (plan.ids.empty()) return proof;
    auto hashes = nodes.Get(plan.ids);
    if (!hashes) return Fail(std::move(hashes.error()));
    if (hashes->size() != plan.ids.size()) {
        return Fail(Error::Internal("the node source answered a different number of nodes"));
    }
    proof.reserve(plan.counts.size());
    std::span<const Hash> rest(*hashes);
    for (std::size_t count : plan.counts) {
        proof.push_back(RootFrom(rest.first(count)));
        rest = rest.subspan(count);
    }
    return proof;
}

/// Right-shifts fn and sn together until fn's lowest bit is set or fn is 0 (RFC 9162
/// §2.1.3.2 step 4.b.ii and §2.1.4.2 step 6.b.ii).
void ShiftWhileEven(std::uint64_t& fn, std::uint64_t& sn) {
    if (fn == 0) return;
    const int shift = std::countr_zero(fn);
    fn >>= shift;
    sn >>= shift;
}

/// The loop shared by RFC 9162's two verifications (§2.1.3.2 step 4, §2.1.4.2 step 6): walks
/// `path` with the node numbers fn and sn, calling on_left(p) where p is the left sibling of
/// the node computed so far and on_right(p) where it is the right one. True when the path
/// had exactly the right length (sn reaches 0 at its end, never before).
template <typename OnLeft, typename OnRight>
bool WalkPath(std::uint64_t fn, std::uint64_t sn, std::span<const Hash> path, OnLeft on_left,
              OnRight on_right) {
    for (const Hash& p : path) {
        if (sn == 0) return false;
        if ((fn & 1) != 0 || fn == sn) {
            on_left(p);
            if ((fn & 1) == 0) ShiftWhileEven(fn, sn);
        } else {
            on_right(p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0;
}

}  // namespace

Hash LeafHash(std::string_view leaf) {
    return Digester().Digest(kLeafPrefix, leaf.data(), leaf.size(), nullptr, 0);
}

Hash NodeHash(const Hash& left, const Hash& right) {
    return Digester().Digest(kNodePrefix, left.data(), left.size(), right.data(), right.size());
}

Hash EmptyRoot() {
    static const Hash empty = [] {
        Hash out;
        unsigned int len = 0;
        if (EVP_Digest(nullptr, 0, out.data(), &len, Sha256Md(), nullptr) != 1) DigestFailed();
        return out;
    }();
    return empty;
}

std::vector<NodeId> AppendSiblings(std::uint64_t n) {
    std::vector<NodeId> out;
    for (int level = 0; ((n >> level) & 1) != 0; ++level) {
        out.push_back({level, (n >> level) - 1});
    }
    return out;
}

std::vector<std::pair<NodeId, Hash>> AppendNodes(std::uint64_t n, const Hash& leaf_hash,
                                                 std::span<const Hash> siblings) {
    if (siblings.size() != static_cast<std::size_t>(std::countr_one(n))) {
        throw std::invalid_argument("AppendNodes: wrong number of siblings");
    }
    std::vector<std::pair<NodeId, Hash>> out;
    out.reserve(siblings.size() + 1);
    out.push_back({{0, n}, leaf_hash});
    Hash h = leaf_hash;
    for (std::size_t i = 0; i < siblings.size(); ++i) {
        const int level = static_cast<int>(i) + 1;
        h = NodeHash(siblings[i], h);
        out.push_back({{level, n >> level}, h});
    }
    return out;
}

std::vector<NodeId> RootNodes(std::uint64_t size) {
    std::vector<NodeId> out;
    AppendRangeNodes(0, size, out);
    return out;
}

Hash RootFrom(std::span<const Hash> root_nodes) {
    if (root_nodes.empty()) return EmptyRoot();
    Hash h = root_nodes.back();
    for (std::size_t i = root_nodes.size() - 1; i-- > 0;) h = NodeHash(root_nodes[i], h);
    return h;
}

Result<Hash> RootAt(NodeSource& nodes, std::uint64_t size) {
    if (size == 0) return EmptyRoot();
    Plan plan;
    plan.AddRange(0, size);
    auto folded = Execute(nodes, plan);
    if (!folded) return Fail(std::move(folded.error()));
    return folded->front();
}

Result<std::vector<Hash>> InclusionProof(NodeSource& nodes, std::uint64_t index,
                                         std::uint64_t size) {
    if (index >= size) {
        return Fail(
            Error::Invalid("invalid_index", "the leaf index must be below the tree size", "index"));
    }
    // PATH(m, D[lo:hi]) descends towards the leaf; each step adds the other half's MTH. The
    // proof lists them from the leaf up, so the plan is built top-down and reversed.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    std::uint64_t lo = 0;
    std::uint64_t hi = size;
    while (hi - lo > 1) {
        const std::uint64_t k = SplitPoint(hi - lo);
        if (index - lo < k) {
            ranges.emplace_back(lo + k, hi);
            hi = lo + k;
        } else {
            ranges.emplace_back(lo, lo + k);
            lo += k;
        }
    }
    Plan plan;
    for (auto it = ranges.rbegin(); it != ranges.rend(); ++it) plan.AddRange(it->first, it->second);
    return Execute(nodes, plan);
}

Result<std::vector<Hash>> ConsistencyProof(NodeSource& nodes, std::uint64_t first,
                                           std::uint64_t second) {
    if (first == 0 || first > second) {
        return Fail(
            Error::Invalid("invalid_range", "consistency needs 0 < first <= second", "first"));
    }
    // SUBPROOF(m, D[lo:hi], b) with m kept as the absolute size `first`; invariant
    // lo < first <= hi. Built top-down, listed deepest first.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    std::uint64_t lo = 0;
    std::uint64_t hi = second;
    bool whole = true;  // the RFC's b: the subtree is a subtree of the first tree as a whole
    while (first != hi) {
        const std::uint64_t k = SplitPoint(hi - lo);
        if (first <= lo + k) {
            ranges.emplace_back(lo + k, hi);
            hi = lo + k;
        } else {
            ranges.emplace_back(lo, lo + k);
            lo += k;
            whole = false;
        }
    }
    if (!whole) ranges.emplace_back(lo, hi);
    Plan plan;
    for (auto it = ranges.rbegin(); it != ranges.rend(); ++it) plan.AddRange(it->first, it->second);
    return Execute(nodes, plan);
}

bool VerifyInclusion(const Hash& leaf_hash, std::uint64_t index, std::uint64_t size,
                     std::span<const Hash> proof, const Hash& root) {
    if (index >= size) return false;
    Hash r = leaf_hash;
    const bool complete = WalkPath(
        index, size - 1, proof, [&](const Hash& p) { r = NodeHash(p, r); },
        [&](const Hash& p) { r = NodeHash(r, p); });
    return complete && r == root;
}

bool VerifyConsistency(std::uint64_t first, std::uint64_t second, const Hash& first_root,
                       const Hash& second_root, std::span<const Hash> proof) {
    if (first > second) return false;
    if (first == 0) return proof.empty() && first_root == EmptyRoot();
    if (first == second) return proof.empty() && first_root == second_root;
    if (proof.empty()) return false;

    // Step 2: when first is a power of two, its root is the first node of the path.
    std::size_t next = 0;
    Hash fr;
    if (std::has_single_bit(first)) {
        fr = first_root;
    } else {
        fr = proof[0];
        next = 1;
    }
    Hash sr = fr;
    const std::uint64_t fn = first - 1;
    const int ones = std::countr_one(fn);  // step 4
    const bool complete = WalkPath(
        fn >> ones, (second - 1) >> ones, proof.subspan(next),
        [&](const Hash& c) {
            fr = NodeHash(c, fr);
            sr = NodeHash(c, sr);
        },
        [&](const Hash& c) { sr = NodeHash(sr, c); });
    return complete && fr == first_root && sr == second_root;
}

Result<Frontier> Frontier::Restore(std::uint64_t size, std::span<const Hash> root_nodes) {
    if (root_nodes.size() != static_cast<std::size_t>(std::popcount(size))) {
        return Fail(
            Error::Invalid("invalid_frontier", "the number of nodes does not match the tree size"));
    }
    Frontier f;
    f.size_ = size;
    f.nodes_.assign(root_nodes.begin(), root_nodes.end());
    return f;
}

void Frontier::Append(const Hash& leaf_hash) {
    Hash h = leaf_hash;
    for (std::uint64_t n = size_; (n & 1) != 0; n >>= 1) {
        h = NodeHash(nodes_.back(), h);
        nodes_.pop_back();
    }
    nodes_.push_back(h);
    ++size_;
}

std::vector<std::pair<NodeId, Hash>> Frontier::AppendWithNodes(const Hash& leaf_hash) {
    // The siblings AppendNodes needs are the last RootNodes, smallest (rightmost) first.
    const auto count = static_cast<std::size_t>(std::countr_one(size_));
    std::vector<Hash> siblings(nodes_.rbegin(),
                               nodes_.rbegin() + static_cast<std::ptrdiff_t>(count));
    auto completed = AppendNodes(size_, leaf_hash, siblings);
    nodes_.resize(nodes_.size() - count);
    nodes_.push_back(completed.back().second);
    ++size_;
    return completed;
}

void MemoryNodes::Append(const Hash& leaf_hash) {
    const std::uint64_t n = size();
    std::vector<Hash> siblings;
    for (const NodeId& id : AppendSiblings(n)) siblings.push_back(levels_[id.level][id.index]);
    for (auto& [id, hash] : AppendNodes(n, leaf_hash, siblings)) {
        if (levels_.size() <= static_cast<std::size_t>(id.level)) levels_.resize(id.level + 1);
        levels_[id.level].push_back(hash);
    }
}

void MemoryNodes::Reserve(std::uint64_t leaves) {
    const int levels = std::bit_width(leaves);
    if (levels_.size() < static_cast<std::size_t>(levels)) levels_.resize(levels);
    for (int level = 0; level < levels; ++level) levels_[level].reserve(leaves >> level);
}

Result<std::vector<Hash>> MemoryNodes::Get(std::span<const NodeId> ids) {
    std::vector<Hash> out;
    out.reserve(ids.size());
    for (const NodeId& id : ids) {
        if (id.level < 0 || static_cast<std::size_t>(id.level) >= levels_.size() ||
            id.index >= levels_[id.level].size()) {
            return Fail(Error::NotFound("no such node in the tree"));
        }
        out.push_back(levels_[id.level][id.index]);
    }
    return out;
}

}  // namespace mamori::ledger
