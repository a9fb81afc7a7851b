#include "ledger/merkle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <stdexcept>
#include <string>

#include "core/crypto.h"

namespace mamori::ledger {
namespace {

std::string Hex(const Hash& h) {
    return crypto::Hex(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

/// The RFC 9162 §2.1 definitions, recursively and from the leaves (no stored nodes), with the
/// MTH of each range memoised so that every pair of sizes stays affordable.
class Reference {
  public:
    explicit Reference(std::vector<Hash> leaf_hashes) : leaves_(std::move(leaf_hashes)) {}

    /// MTH(D[begin:end]).
    Hash Mth(std::uint64_t begin, std::uint64_t end) {
        const std::uint64_t n = end - begin;
        if (n == 0) return crypto::Sha256("");
        if (n == 1) return leaves_[begin];
        auto [it, inserted] = memo_.try_emplace({begin, end});
        if (inserted) {
            const std::uint64_t k = LargestPowerOfTwoBelow(n);
            it->second = NodeHash(Mth(begin, begin + k), Mth(begin + k, end));
        }
        return it->second;
    }

    /// PATH(m, D[begin:end]).
    std::vector<Hash> Path(std::uint64_t m, std::uint64_t begin, std::uint64_t end) {
        const std::uint64_t n = end - begin;
        if (n == 1) return {};
        const std::uint64_t k = LargestPowerOfTwoBelow(n);
        std::vector<Hash> out;
        if (m < k) {
            out = Path(m, begin, begin + k);
            out.push_back(Mth(begin + k, end));
        } else {
            out = Path(m - k, begin + k, end);
            out.push_back(Mth(begin, begin + k));
        }
        return out;
    }

    /// PROOF(m, D[n]) = SUBPROOF(m, D[0:n], true).
    std::vector<Hash> Proof(std::uint64_t m, std::uint64_t n) { return Subproof(m, 0, n, true); }

  private:
    static std::uint64_t LargestPowerOfTwoBelow(std::uint64_t n) {
        std::uint64_t k = 1;
        while (k * 2 < n) k *= 2;
        return k;
    }

    std::vector<Hash> Subproof(std::uint64_t m, std::uint64_t begin, std::uint64_t end, bool b) {
        const std::uint64_t n = end - begin;
        if (m == n) {
            if (b) return {};
            return {Mth(begin, end)};
        }
        const std::uint64_t k = LargestPowerOfTwoBelow(n);
        std::vector<Hash> out;
        if (m <= k) {
            out = Subproof(m, begin, begin + k, b);
            out.push_back(Mth(begin + k, end));
        } else {
            out = Subproof(m - k, begin + k, end, false);
            out.push_back(Mth(begin, begin + k));
        }
        return out;
    }

    std::vector<Hash> leaves_;
    std::map<std::pair<std::uint64_t, std::uint64_t>, Hash> memo_;
};

/// Counts Get calls, to check that every proof reads its nodes in one batch.
class CountingSource final : public NodeSource {
  public:
    explicit CountingSource(NodeSource& inner) : inner_(inner) {}
    Result<std::vector<Hash>> Get(std::span<const NodeId> ids) override {
        ++calls;
        return inner_.Get(ids);
    }
    int calls = 0;

  private:
    NodeSource& inner_;
};

std::vector<Hash> LeafHashes(std::uint64_t n) {
    std::vector<Hash> out;
    out.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) out.push_back(LeafHash("event " + std::to_string(i)));
    return out;
}

MemoryNodes Build(const std::vector<Hash>& leaves) {
    MemoryNodes nodes;
    for (const Hash& h : leaves) nodes.Append(h);
    return nodes;
}

constexpr std::uint64_t kExhaustiveSize = 300;

class MerkleTest : public ::testing::Test {
  protected:
    MerkleTest() : leaves_(LeafHashes(kExhaustiveSize)), ref_(leaves_), nodes_(Build(leaves_)) {}

    std::vector<Hash> leaves_;
    Reference ref_;
    MemoryNodes nodes_;
};

TEST(MerkleHashTest, KnownAnswers) {
    EXPECT_EQ(Hex(EmptyRoot()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(Hex(LeafHash("")),
              "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

// The roots of the RFC 6962 test tree (the eight leaves used by Certificate Transparency's
// tests), computed independently with Python's hashlib.
TEST(MerkleHashTest, RootsOfTheCertificateTransparencyTestTree) {
    const std::vector<std::string> leaves = {
        std::string(""),
        std::string(1, '\x00'),
        "\x10",
        "\x20\x21",
        "\x30\x31",
        "\x40\x41\x42\x43",
        "\x50\x51\x52\x53\x54\x55\x56\x57",
        "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
    const char* const roots[] = {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    };
    MemoryNodes nodes;
    Frontier frontier;
    for (std::size_t i = 0; i < leaves.size(); ++i) {
        nodes.Append(LeafHash(leaves[i]));
        frontier.Append(LeafHash(leaves[i]));
        EXPECT_EQ(Hex(frontier.Root()), roots[i]) << "size " << i + 1;
        auto root = RootAt(nodes, i + 1);
        ASSERT_TRUE(root.has_value());
        EXPECT_EQ(Hex(*root), roots[i]) << "size " << i + 1;
    }
}

TEST(MerkleShapeTest, AppendSiblingsAndRootNodes) {
    EXPECT_TRUE(AppendSiblings(0).empty());
    EXPECT_TRUE(AppendSiblings(4).empty());
    EXPECT_EQ(AppendSiblings(1), (std::vector<NodeId>{{0, 0}}));
    EXPECT_EQ(AppendSiblings(7), (std::vector<NodeId>{{0, 6}, {1, 2}, {2, 0}}));
    EXPECT_EQ(AppendSiblings(11), (std::vector<NodeId>{{0, 10}, {1, 4}}));
    EXPECT_TRUE(RootNodes(0).empty());
    EXPECT_EQ(RootNodes(1), (std::vector<NodeId>{{0, 0}}));
    EXPECT_EQ(RootNodes(8), (std::vector<NodeId>{{3, 0}}));
    EXPECT_EQ(RootNodes(13), (std::vector<NodeId>{{3, 0}, {2, 2}, {0, 12}}));
    EXPECT_EQ(RootNodes(~std::uint64_t{0}).size(), 64u);
}

TEST(MerkleShapeTest, AppendNodesRefusesTheWrongNumberOfSiblings) {
    const Hash h = LeafHash("x");
    EXPECT_THROW(AppendNodes(1, h, {}), std::invalid_argument);
    const std::vector<Hash> one{h};
    EXPECT_THROW(AppendNodes(2, h, one), std::invalid_argument);
    EXPECT_EQ(AppendNodes(2, h, {}).size(), 1u);
}

TEST_F(MerkleTest, StoredNodesAreTheMthOfTheirRanges) {
    for (int level = 0; (std::uint64_t{1} << level) <= kExhaustiveSize; ++level) {
        const std::uint64_t width = std::uint64_t{1} << level;
        for (std::uint64_t index = 0; (index + 1) * width <= kExhaustiveSize; ++index) {
            const NodeId id{level, index};
            auto got = nodes_.Get(std::span(&id, 1));
            ASSERT_TRUE(got.has_value()) << level << "," << index;
            EXPECT_EQ(got->at(0), ref_.Mth(index * width, (index + 1) * width));
        }
    }
    const NodeId incomplete{2, kExhaustiveSize / 4};  // leaves 300..303: not all appended
    EXPECT_FALSE(nodes_.Get(std::span(&incomplete, 1)).has_value());
}

TEST_F(MerkleTest, AppendNodesFromStoredSiblingsBuildsTheSameTree) {
    // What the writer does: read the siblings, store what AppendNodes returns.
    std::map<NodeId, Hash> stored;
    Frontier frontier;
    for (std::uint64_t n = 0; n < kExhaustiveSize; ++n) {
        std::vector<Hash> siblings;
        for (const NodeId& id : AppendSiblings(n)) siblings.push_back(stored.at(id));
        auto completed = AppendNodes(n, leaves_[n], siblings);
        EXPECT_EQ(frontier.AppendWithNodes(leaves_[n]), completed);
        for (auto& [id, hash] : completed) {
            EXPECT_TRUE(stored.emplace(id, hash).second);
            EXPECT_EQ(hash, ref_.Mth(id.index << id.level, (id.index + 1) << id.level));
        }
    }
    EXPECT_EQ(frontier.Root(), ref_.Mth(0, kExhaustiveSize));
}

TEST_F(MerkleTest, RootAtEveryPrefixMatchesMth) {
    for (std::uint64_t size = 0; size <= kExhaustiveSize; ++size) {
        CountingSource counting(nodes_);
        auto root = RootAt(counting, size);
        ASSERT_TRUE(root.has_value());
        EXPECT_EQ(*root, ref_.Mth(0, size)) << size;
        EXPECT_EQ(counting.calls, size == 0 ? 0 : 1);
    }
}

TEST_F(MerkleTest, InclusionProofsForEverySizeAndIndex) {
    for (std::uint64_t size = 1; size <= kExhaustiveSize; ++size) {
        const Hash root = ref_.Mth(0, size);
        for (std::uint64_t index = 0; index < size; ++index) {
            CountingSource counting(nodes_);
            auto proof = InclusionProof(counting, index, size);
            ASSERT_TRUE(proof.has_value()) << index << "/" << size;
            ASSERT_EQ(*proof, ref_.Path(index, 0, size)) << index << "/" << size;
            EXPECT_LE(counting.calls, 1);
            EXPECT_TRUE(VerifyInclusion(leaves_[index], index, size, *proof, root))
                << index << "/" << size;
            // The same proof must not prove anything else.
            if (size > 1) {
                EXPECT_FALSE(
                    VerifyInclusion(leaves_[(index + 1) % size], index, size, *proof, root));
            }
            if (index + 1 < size) {
                EXPECT_FALSE(VerifyInclusion(leaves_[index], index + 1, size, *proof, root));
            }
            if (!proof->empty()) {
                auto bad = *proof;
                bad.back()[0] ^= 1;
                EXPECT_FALSE(VerifyInclusion(leaves_[index], index, size, bad, root));
                bad = *proof;
                bad.pop_back();
                EXPECT_FALSE(VerifyInclusion(leaves_[index], index, size, bad, root));
            }
            auto longer = *proof;
            longer.push_back(root);
            EXPECT_FALSE(VerifyInclusion(leaves_[index], index, size, longer, root));
        }
    }
}

TEST_F(MerkleTest, ConsistencyProofsForEveryPairOfSizes) {
    for (std::uint64_t second = 1; second <= kExhaustiveSize; ++second) {
        const Hash second_root = ref_.Mth(0, second);
        for (std::uint64_t first = 1; first <= second; ++first) {
            const Hash first_root = ref_.Mth(0, first);
            CountingSource counting(nodes_);
            auto proof = ConsistencyProof(counting, first, second);
            ASSERT_TRUE(proof.has_value()) << first << "->" << second;
            ASSERT_EQ(*proof, ref_.Proof(first, second)) << first << "->" << second;
            EXPECT_EQ(counting.calls, first == second ? 0 : 1);
            EXPECT_TRUE(VerifyConsistency(first, second, first_root, second_root, *proof))
                << first << "->" << second;
            if (first == second) {
                EXPECT_TRUE(proof->empty());
                continue;
            }
            EXPECT_FALSE(VerifyConsistency(first, second, second_root, second_root, *proof));
            EXPECT_FALSE(VerifyConsistency(first, second, first_root, first_root, *proof));
            auto bad = *proof;
            bad.front()[31] ^= 0x80;
            EXPECT_FALSE(VerifyConsistency(first, second, first_root, second_root, bad));
            bad = *proof;
            bad.pop_back();
            EXPECT_FALSE(VerifyConsistency(first, second, first_root, second_root, bad));
            bad = *proof;
            bad.push_back(first_root);
            EXPECT_FALSE(VerifyConsistency(first, second, first_root, second_root, bad));
        }
    }
}

TEST_F(MerkleTest, EdgeCasesAndBadArguments) {
    // Size 1: the proof is empty and the root is the leaf hash.
    auto single = InclusionProof(nodes_, 0, 1);
    ASSERT_TRUE(single.has_value());
    EXPECT_TRUE(single->empty());
    EXPECT_TRUE(VerifyInclusion(leaves_[0], 0, 1, {}, leaves_[0]));
    EXPECT_FALSE(VerifyInclusion(leaves_[0], 1, 1, {}, leaves_[0]));
    EXPECT_FALSE(VerifyInclusion(leaves_[0], 0, 0, {}, leaves_[0]));

    // Powers of two: the first root is the first node of the path, so it is not sent.
    for (std::uint64_t first : {1, 2, 4, 8, 16, 32, 64, 128, 256}) {
        auto proof = ConsistencyProof(nodes_, first, kExhaustiveSize);
        ASSERT_TRUE(proof.has_value());
        EXPECT_EQ(std::count(proof->begin(), proof->end(), ref_.Mth(0, first)), 0);
    }

    auto bad_index = InclusionProof(nodes_, 5, 5);
    ASSERT_FALSE(bad_index.has_value());
    EXPECT_EQ(bad_index.error().kind, ErrorKind::kInvalidInput);
    EXPECT_FALSE(InclusionProof(nodes_, 0, 0).has_value());
    auto zero = ConsistencyProof(nodes_, 0, 5);
    ASSERT_FALSE(zero.has_value());
    EXPECT_EQ(zero.error().kind, ErrorKind::kInvalidInput);
    auto backwards = ConsistencyProof(nodes_, 6, 5);
    ASSERT_FALSE(backwards.has_value());
    EXPECT_EQ(backwards.error().kind, ErrorKind::kInvalidInput);
    auto same = ConsistencyProof(nodes_, 7, 7);
    ASSERT_TRUE(same.has_value());
    EXPECT_TRUE(same->empty());

    // Beyond the stored tree: the source's error comes back.
    auto missing = InclusionProof(nodes_, 3, kExhaustiveSize + 1);
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);

    const Hash r5 = ref_.Mth(0, 5);
    const Hash r9 = ref_.Mth(0, 9);
    EXPECT_TRUE(VerifyConsistency(5, 5, r5, r5, {}));
    EXPECT_FALSE(VerifyConsistency(5, 5, r5, r9, {}));
    const std::vector<Hash> one{r5};
    EXPECT_FALSE(VerifyConsistency(5, 5, r5, r5, one));
    EXPECT_FALSE(VerifyConsistency(5, 9, r5, r9, {}));
    EXPECT_FALSE(VerifyConsistency(9, 5, r9, r5, {}));
    EXPECT_TRUE(VerifyConsistency(0, 9, EmptyRoot(), r9, {}));
    EXPECT_FALSE(VerifyConsistency(0, 9, r5, r9, {}));
    EXPECT_FALSE(VerifyConsistency(0, 9, EmptyRoot(), r9, one));
}

/// A source that answers wrongly, to check that proofs do not trust its count.
class ShortSource final : public NodeSource {
  public:
    Result<std::vector<Hash>> Get(std::span<const NodeId>) override { return std::vector<Hash>{}; }
};

TEST(MerkleSourceTest, AShortAnswerIsAnInternalError) {
    ShortSource source;
    auto proof = InclusionProof(source, 3, 10);
    ASSERT_FALSE(proof.has_value());
    EXPECT_EQ(proof.error().kind, ErrorKind::kInternal);
}

TEST(FrontierTest, RootEqualsRootAtForEverySizeUpTo1000) {
    constexpr std::uint64_t kMax = 1000;
    const auto leaves = LeafHashes(kMax);
    MemoryNodes nodes;
    Frontier frontier;
    for (std::uint64_t size = 0;; ++size) {
        auto root = RootAt(nodes, size);
        ASSERT_TRUE(root.has_value());
        EXPECT_EQ(frontier.Root(), *root) << size;
        EXPECT_EQ(frontier.size(), size);
        if (size == kMax) break;
        nodes.Append(leaves[size]);
        frontier.Append(leaves[size]);
    }
}

TEST(FrontierTest, RestoreFromStoredRootNodesAndContinue) {
    const auto leaves = LeafHashes(100);
    MemoryNodes nodes;
    for (std::uint64_t i = 0; i < 37; ++i) nodes.Append(leaves[i]);
    auto stored = nodes.Get(RootNodes(37));
    ASSERT_TRUE(stored.has_value());
    auto frontier = Frontier::Restore(37, *stored);
    ASSERT_TRUE(frontier.has_value());
    for (std::uint64_t i = 37; i < 100; ++i) {
        nodes.Append(leaves[i]);
        frontier->Append(leaves[i]);
    }
    EXPECT_EQ(frontier->Root(), *RootAt(nodes, 100));
    EXPECT_FALSE(Frontier::Restore(39, *stored).has_value());  // 39 has four one bits
}

TEST(MerkleLargeTest, RandomSizesUpTo100000) {
    constexpr std::uint64_t kMax = 100'000;
    const auto leaves = LeafHashes(kMax);
    MemoryNodes nodes = Build(leaves);
    Reference ref(leaves);
    std::mt19937_64 rng(20261127);
    std::vector<std::uint64_t> sizes = {kMax, 65'536, 65'537};
    while (sizes.size() < 10) sizes.push_back(1 + rng() % kMax);
    for (std::uint64_t size : sizes) {
        const Hash root = ref.Mth(0, size);
        auto stored_root = RootAt(nodes, size);
        ASSERT_TRUE(stored_root.has_value());
        ASSERT_EQ(*stored_root, root) << size;
        for (int i = 0; i < 20; ++i) {
            const std::uint64_t index = i == 0 ? size - 1 : rng() % size;
            auto proof = InclusionProof(nodes, index, size);
            ASSERT_TRUE(proof.has_value());
            EXPECT_EQ(*proof, ref.Path(index, 0, size)) << index << "/" << size;
            EXPECT_TRUE(VerifyInclusion(leaves[index], index, size, *proof, root));

            const std::uint64_t first = i == 0 ? size : 1 + rng() % size;
            auto consistency = ConsistencyProof(nodes, first, size);
            ASSERT_TRUE(consistency.has_value());
            EXPECT_EQ(*consistency, ref.Proof(first, size)) << first << "->" << size;
            EXPECT_TRUE(VerifyConsistency(first, size, ref.Mth(0, first), root, *consistency));
        }
    }
}

}  // namespace
}  // namespace mamori::ledger
