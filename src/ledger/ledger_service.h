#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/error.h"
#include "ledger/ledger_store.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "store/database.h"

namespace mamori::ledger {

/// When to sign a tree head (config `ledger.*`).
struct LedgerOptions {
    int checkpoint_every_events = 1000;
    int checkpoint_every_seconds = 60;
    std::filesystem::path external_file;  ///< each checkpoint is also appended here, if set
};

/// A stored signed tree head.
struct CheckpointRecord {
    std::uint64_t tree_size = 0;
    Hash root{};
    std::string note;  ///< the C2SP signed note
    std::string created_at;
};

/// The outcome of recomputing the whole tree from the stored events.
struct VerifyReport {
    bool ok = false;
    std::uint64_t tree_size = 0;  ///< events read
    Hash root{};                  ///< recomputed root of those events
    int checkpoints_checked = 0;
    std::optional<std::uint64_t> first_bad_index;  ///< leaf index (event seq - 1)
    std::string message;                           ///< Japanese, for people
    std::string ran_at;
};

/// One leaf: the event and the exact bytes hashed.
struct Entry {
    std::uint64_t index = 0;
    audit::Event event;
    std::string leaf;  ///< RFC 8785 bytes
    Hash leaf_hash{};
};

/// The key file in a data directory: DIR/keys/ledger.key (owner-only), the signer key text.
std::filesystem::path KeyFile(const std::filesystem::path& data_dir);

/// Writes a new Ed25519 key named `origin` to KeyFile(data_dir) with mode 0600. Refuses to
/// overwrite an existing key.
[[nodiscard]] Result<Signer> CreateKey(const std::filesystem::path& data_dir,
                                       const std::string& origin);

/// Reads KeyFile(data_dir).
[[nodiscard]] Result<Signer> LoadKey(const std::filesystem::path& data_dir);

/// Appends leaves for audit events that have none yet (an installation older than the
/// ledger): returns how many. Run when the database is opened, before anything records.
[[nodiscard]] Result<std::uint64_t> CatchUp(store::Database& db);

/// The ledger over the audit events: checkpoints, proofs, entries and verification.
/// Thread-safe. Appending leaves happens in audit::Record, not here.
class LedgerService {
  public:
    LedgerService(store::Database& db, const Clock& clock, Signer signer, LedgerOptions options);

    /// Signs and stores a checkpoint of the current tree when it has grown since the last
    /// one and either `force` is set, checkpoint_every_events events were added, or
    /// checkpoint_every_seconds passed. Returns the new checkpoint, or nullopt.
    [[nodiscard]] Result<std::optional<CheckpointRecord>> CheckpointIfDue(bool force);

    [[nodiscard]] Result<std::optional<CheckpointRecord>> Latest();
    /// Newest first; `before_size` > 0 pages (only checkpoints of smaller trees).
    [[nodiscard]] Result<std::vector<CheckpointRecord>> Checkpoints(std::uint64_t before_size,
                                                                    int limit);

    /// The number of leaves (= audit events recorded).
    [[nodiscard]] Result<std::uint64_t> Size();
    [[nodiscard]] Result<Entry> EntryAt(std::uint64_t index);
    /// Proofs against a tree size no larger than the current one.
    [[nodiscard]] Result<std::vector<Hash>> Inclusion(std::uint64_t index, std::uint64_t size);
    [[nodiscard]] Result<std::vector<Hash>> Consistency(std::uint64_t first, std::uint64_t second);
    [[nodiscard]] Result<Hash> Root(std::uint64_t size);

    /// Recomputes the whole tree from the stored events, compares every stored node and
    /// every checkpoint (signature and root), and names the first leaf index where anything
    /// differs. Reads in batches: bounded by hashing and reading. With `record`, the result
    /// is stored (ledger_verifications).
    [[nodiscard]] Result<VerifyReport> Verify(bool record);
    [[nodiscard]] Result<std::optional<VerifyReport>> LastVerification();

    const Verifier& verifier() const { return verifier_; }
    const std::string& origin() const { return signer_.name; }

  private:
    store::Database& db_;
    const Clock& clock_;
    Signer signer_;
    Verifier verifier_;
    LedgerOptions options_;
    CachedDbNodes nodes_;
    std::mutex mu_;  // one checkpoint at a time
    std::chrono::steady_clock::time_point last_checkpoint_time_ = std::chrono::steady_clock::now();
};

}  // namespace mamori::ledger
