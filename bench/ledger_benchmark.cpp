// The ledger core: how fast the Merkle tree takes leaves, and what a proof costs on a tree of
// ten million leaves held in memory (the floor under the stored-node proofs of the server).
#include <benchmark/benchmark.h>

#include <boost/json.hpp>
#include <cstring>
#include <optional>
#include <random>
#include <string>

#include "ledger/jcs.h"
#include "ledger/merkle.h"
#include "ledger/note.h"

namespace {

using mamori::ledger::Frontier;
using mamori::ledger::Hash;
using mamori::ledger::MemoryNodes;

constexpr std::size_t kLeafBytes = 256;
constexpr std::uint64_t kBigTree = 10'000'000;

/// A 256-byte leaf whose first bytes are the counter, so that every leaf differs.
class Leaf {
  public:
    Leaf() : bytes_(kLeafBytes, 'x') {}
    std::string_view Next() {
        ++counter_;
        std::memcpy(bytes_.data(), &counter_, sizeof counter_);
        return bytes_;
    }

  private:
    std::string bytes_;
    std::uint64_t counter_ = 0;
};

void BM_LeafHash256(benchmark::State& state) {
    Leaf leaf;
    for (auto _ : state) benchmark::DoNotOptimize(mamori::ledger::LeafHash(leaf.Next()));
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kLeafBytes));
}
BENCHMARK(BM_LeafHash256);

void BM_NodeHash(benchmark::State& state) {
    Hash h = mamori::ledger::LeafHash("a");
    const Hash other = mamori::ledger::LeafHash("b");
    for (auto _ : state) {
        h = mamori::ledger::NodeHash(h, other);
        benchmark::DoNotOptimize(h);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NodeHash);

// The tree update the issue measures: leaf hash of a 256-byte leaf, then the incremental
// update (on average one node hash per leaf). Target: 1,000,000 leaves/s on one core.
void BM_TreeUpdate256(benchmark::State& state) {
    Leaf leaf;
    Frontier frontier;
    for (auto _ : state) frontier.Append(mamori::ledger::LeafHash(leaf.Next()));
    benchmark::DoNotOptimize(frontier.Root());
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TreeUpdate256);

// The same, also returning the nodes to store (what the server's writer does).
void BM_TreeUpdateWithNodes256(benchmark::State& state) {
    Leaf leaf;
    Frontier frontier;
    for (auto _ : state) {
        benchmark::DoNotOptimize(frontier.AppendWithNodes(mamori::ledger::LeafHash(leaf.Next())));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TreeUpdateWithNodes256);

/// A MemoryNodes of kBigTree leaves of 256 bytes.
MemoryNodes BuildBigTree() {
    MemoryNodes built;
    built.Reserve(kBigTree);
    Leaf leaf;
    for (std::uint64_t i = 0; i < kBigTree; ++i)
        built.Append(mamori::ledger::LeafHash(leaf.Next()));
    return built;
}

/// The tree the proof benchmarks share: the first one BM_BuildMemoryNodes10M built, or built
/// on first use when that benchmark is filtered out.
std::optional<MemoryNodes>& SharedTree() {
    static std::optional<MemoryNodes> tree;
    return tree;
}

MemoryNodes& BigTree() {
    if (!SharedTree()) SharedTree().emplace(BuildBigTree());
    return *SharedTree();
}

void BM_BuildMemoryNodes10M(benchmark::State& state) {
    for (auto _ : state) {
        std::optional<MemoryNodes> built(BuildBigTree());
        state.PauseTiming();
        if (!SharedTree()) SharedTree() = std::move(built);
        built.reset();
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kBigTree));
}
BENCHMARK(BM_BuildMemoryNodes10M)->Iterations(1)->Unit(benchmark::kSecond);

void BM_InclusionProof10M(benchmark::State& state) {
    MemoryNodes& nodes = BigTree();
    std::mt19937_64 rng(1);
    for (auto _ : state) {
        auto proof = mamori::ledger::InclusionProof(nodes, rng() % kBigTree, kBigTree);
        benchmark::DoNotOptimize(proof);
    }
}
BENCHMARK(BM_InclusionProof10M)->Unit(benchmark::kMicrosecond);

void BM_InclusionProofAndVerify10M(benchmark::State& state) {
    MemoryNodes& nodes = BigTree();
    const Hash root = *mamori::ledger::RootAt(nodes, kBigTree);
    std::mt19937_64 rng(2);
    for (auto _ : state) {
        const std::uint64_t index = rng() % kBigTree;
        const mamori::ledger::NodeId leaf{0, index};
        const Hash leaf_hash = nodes.Get(std::span(&leaf, 1))->front();
        auto proof = mamori::ledger::InclusionProof(nodes, index, kBigTree);
        if (!mamori::ledger::VerifyInclusion(leaf_hash, index, kBigTree, *proof, root)) {
            state.SkipWithError("inclusion proof did not verify");
        }
    }
}
BENCHMARK(BM_InclusionProofAndVerify10M)->Unit(benchmark::kMicrosecond);

void BM_ConsistencyProof10M(benchmark::State& state) {
    MemoryNodes& nodes = BigTree();
    std::mt19937_64 rng(3);
    for (auto _ : state) {
        auto proof = mamori::ledger::ConsistencyProof(nodes, 1 + rng() % kBigTree, kBigTree);
        benchmark::DoNotOptimize(proof);
    }
}
BENCHMARK(BM_ConsistencyProof10M)->Unit(benchmark::kMicrosecond);

void BM_RootAt10M(benchmark::State& state) {
    MemoryNodes& nodes = BigTree();
    std::mt19937_64 rng(4);
    for (auto _ : state)
        benchmark::DoNotOptimize(mamori::ledger::RootAt(nodes, 1 + rng() % kBigTree));
}
BENCHMARK(BM_RootAt10M)->Unit(benchmark::kMicrosecond);

const mamori::ledger::Signer& BenchSigner() {
    static const mamori::ledger::Signer signer =
        *mamori::ledger::GenerateSigner("mamori.example/bench");
    return signer;
}

std::string CheckpointText() {
    return mamori::ledger::FormatCheckpoint(
        {"mamori.example/bench", kBigTree, mamori::ledger::LeafHash("root"), {}});
}

void BM_SignCheckpoint(benchmark::State& state) {
    const std::string text = CheckpointText();
    for (auto _ : state) benchmark::DoNotOptimize(mamori::ledger::Sign(text, BenchSigner()));
}
BENCHMARK(BM_SignCheckpoint)->Unit(benchmark::kMicrosecond);

void BM_OpenCheckpoint(benchmark::State& state) {
    const std::string note = *mamori::ledger::Sign(CheckpointText(), BenchSigner());
    const mamori::ledger::Verifier verifier = BenchSigner().verifier();
    for (auto _ : state) {
        benchmark::DoNotOptimize(mamori::ledger::Open(note, std::span(&verifier, 1)));
    }
}
BENCHMARK(BM_OpenCheckpoint)->Unit(benchmark::kMicrosecond);

// RFC 8785 canonicalisation of an event shaped like an audit event.
void BM_CanonicalizeEvent(benchmark::State& state) {
    const boost::json::value event = {
        {"seq", 1234567},
        {"occurred_at", "2026-11-27T02:00:00Z"},
        {"actor_id", "p-0001"},
        {"actor_name", "平川 太郎"},
        {"action", "org.appointment.create"},
        {"object_type", "appointment"},
        {"object_id", "a-000123"},
        {"summary", "総務課 課長に任命"},
        {"request_id", "r1-00042"},
        {"client_address", "192.0.2.10"},
        {"elevated", true},
    };
    for (auto _ : state) benchmark::DoNotOptimize(mamori::ledger::Canonicalize(event));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CanonicalizeEvent);

}  // namespace
