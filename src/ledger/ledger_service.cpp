#include "ledger/ledger_service.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "core/crypto.h"
#include "ledger/ledger_store.h"

namespace mamori::ledger {

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kVerifyBatch = 5000;
constexpr std::string_view kEventColumns =
    "SELECT seq, occurred_at, actor_id, actor_name, action, object_type, object_id, summary, "
    "request_id, client_address FROM audit_events";

Hash HashOf(const std::string& bytes) {
    Hash h{};
    std::copy_n(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                std::min(bytes.size(), h.size()), h.begin());
    return h;
}

store::Value BlobOf(const Hash& h) {
    return store::Value(
        store::Blob{std::string(reinterpret_cast<const char*>(h.data()), h.size())});
}

CheckpointRecord RecordFrom(const store::Row& r) {
    return {static_cast<std::uint64_t>(r.Int(0)), HashOf(r.Bytes(1)), r.Text(2), r.Text(3)};
}

// Appends `text` to the file and flushes it to disk (a WORM volume or a mount elsewhere).
Result<void> AppendDurably(const fs::path& file, const std::string& text) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) return Fail(Error::Unavailable("cannot open " + file.string()));
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n <= 0) {
            ::close(fd);
            return Fail(Error::Unavailable("cannot write " + file.string()));
        }
        done += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced) return Fail(Error::Unavailable("cannot sync " + file.string()));
    return {};
}

}  // namespace

fs::path KeyFile(const fs::path& data_dir) { return data_dir / "keys" / "ledger.key"; }

Result<Signer> CreateKey(const fs::path& data_dir, const std::string& origin) {
    auto signer = GenerateSigner(origin);
    if (!signer) return Fail(signer.error());
    const fs::path file = KeyFile(data_dir);
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    // O_EXCL: never overwrite a key (its checkpoints would no longer verify).
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return Fail(Error::Conflict("key_exists", "台帳の鍵は既にあります: " + file.string()));
    const std::string text = signer->Format() + "\n";
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!written || !synced) return Fail(Error::Unavailable("cannot write " + file.string()));
    return signer;
}

Result<Signer> LoadKey(const fs::path& data_dir) {
    const fs::path file = KeyFile(data_dir);
    std::ifstream in(file);
    if (!in) return Fail(Error::NotFound("台帳の鍵がありません: " + file.string()));
    std::string line;
    std::getline(in, line);
    auto signer = Signer::Parse(line);
    if (!signer)
        return Fail(Error::Invalid("invalid_key", file.string() + ": " + signer.error().message));
    return signer;
}

LedgerService::LedgerService(store::Database& db, const Clock& clock, Signer signer,
                             LedgerOptions options)
    : db_(db),
      clock_(clock),
      signer_(std::move(signer)),
      verifier_(signer_.verifier()),
      options_(std::move(options)),
      nodes_(db) {}

Result<std::uint64_t> LedgerService::Size() { return StoredSize(db_); }

Result<std::uint64_t> CatchUp(store::Database& db) {
    auto stored = StoredSize(db);
    if (!stored) return Fail(stored.error());
    std::uint64_t added = 0;
    for (;;) {
        // One transaction per batch; audit::Record is not running yet (before serving), but
        // the write lock of each transaction keeps the order even if it were.
        auto batch = db.Transact([&](store::Tx& tx) -> Result<std::uint64_t> {
            auto rs = tx.Query(std::string(kEventColumns) + " WHERE seq > ? ORDER BY seq LIMIT ?",
                               {static_cast<std::int64_t>(*stored + added), kVerifyBatch});
            if (!rs) return Fail(rs.error());
            std::uint64_t n = 0;
            for (const auto& row : rs->rows) {
                const audit::Event e = audit::EventFromRow(row);
                const std::uint64_t index = *stored + added + n;
                if (static_cast<std::uint64_t>(e.seq) != index + 1)
                    return Fail(Error::Internal(
                        fmt::format("ledger catch-up: audit event {} is missing (found {})",
                                    index + 1, e.seq)));
                if (auto a = AppendLeaf(tx, index, LeafHash(audit::Canonical(e))); !a)
                    return Fail(a.error());
                ++n;
            }
            return n;
        });
        if (!batch) return Fail(batch.error());
        if (*batch == 0) break;
        added += *batch;
    }
    return added;
}

Result<std::optional<CheckpointRecord>> LedgerService::Latest() {
    auto rs = db_.Query(
        "SELECT tree_size, root, note, created_at FROM ledger_checkpoints ORDER BY tree_size DESC "
        "LIMIT 1");
    if (!rs) return Fail(rs.error());
    if (rs->rows.empty()) return std::optional<CheckpointRecord>();
    return std::optional<CheckpointRecord>(RecordFrom(rs->rows[0]));
}

Result<std::vector<CheckpointRecord>> LedgerService::Checkpoints(std::uint64_t before_size,
                                                                 int limit) {
    auto rs = db_.Query(
        "SELECT tree_size, root, note, created_at FROM ledger_checkpoints WHERE tree_size < ? "
        "ORDER BY tree_size DESC LIMIT ?",
        {before_size == 0 ? INT64_MAX : static_cast<std::int64_t>(before_size),
         std::clamp(limit, 1, 500)});
    if (!rs) return Fail(rs.error());
    std::vector<CheckpointRecord> out;
    for (const auto& row : rs->rows) out.push_back(RecordFrom(row));
    return out;
}

Result<std::optional<CheckpointRecord>> LedgerService::CheckpointIfDue(bool force) {
    std::lock_guard lock(mu_);
    auto size = StoredSize(db_);
    if (!size) return Fail(size.error());
    auto latest = Latest();
    if (!latest) return Fail(latest.error());
    const std::uint64_t last = *latest ? (*latest)->tree_size : 0;
    if (*size == 0 || *size <= last) return std::optional<CheckpointRecord>();
    const auto now = std::chrono::steady_clock::now();
    const bool by_count =
        *size - last >= static_cast<std::uint64_t>(options_.checkpoint_every_events);
    const bool by_time =
        now - last_checkpoint_time_ >= std::chrono::seconds(options_.checkpoint_every_seconds);
    if (!force && !by_count && !by_time) return std::optional<CheckpointRecord>();

    auto root = RootAt(nodes_, *size);
    if (!root) return Fail(root.error());
    auto note = Sign(FormatCheckpoint({signer_.name, *size, *root, {}}), signer_);
    if (!note) return Fail(note.error());
    CheckpointRecord rec{*size, *root, *note, FormatRfc3339(clock_.Now())};
    auto ins = db_.Query(
        "INSERT INTO ledger_checkpoints (tree_size, root, note, created_at) VALUES (?, ?, ?, ?)",
        {static_cast<std::int64_t>(rec.tree_size), BlobOf(rec.root), rec.note, rec.created_at});
    if (!ins) return Fail(ins.error());
    last_checkpoint_time_ = now;
    if (!options_.external_file.empty())
        // A blank line after each note separates them (verify-checkpoint reads the file).
        if (auto a = AppendDurably(options_.external_file, rec.note + "\n"); !a)
            return Fail(a.error());
    return std::optional<CheckpointRecord>(rec);
}

Result<Entry> LedgerService::EntryAt(std::uint64_t index) {
    auto rs = db_.Query(std::string(kEventColumns) + " WHERE seq = ?",
                        {static_cast<std::int64_t>(index + 1)});
    if (!rs) return Fail(rs.error());
    if (rs->rows.empty()) return Fail(Error::NotFound("その番号の記録はありません"));
    Entry e;
    e.index = index;
    e.event = audit::EventFromRow(rs->rows[0]);
    e.leaf = audit::Canonical(e.event);
    e.leaf_hash = LeafHash(e.leaf);
    return e;
}

Result<std::vector<Hash>> LedgerService::Inclusion(std::uint64_t index, std::uint64_t size) {
    auto current = StoredSize(db_);
    if (!current) return Fail(current.error());
    if (size > *current)
        return Fail(Error::Invalid("invalid_field",
                                   fmt::format("tree_size は現在の大きさ {} 以下です", *current),
                                   "tree_size"));
    if (index >= size)
        return Fail(
            Error::Invalid("invalid_field", "index は tree_size より小さくします", "index"));
    return InclusionProof(nodes_, index, size);
}

Result<std::vector<Hash>> LedgerService::Consistency(std::uint64_t first, std::uint64_t second) {
    auto current = StoredSize(db_);
    if (!current) return Fail(current.error());
    if (second > *current)
        return Fail(Error::Invalid(
            "invalid_field", fmt::format("second は現在の大きさ {} 以下です", *current), "second"));
    if (first == 0 || first > second)
        return Fail(Error::Invalid("invalid_field", "first は 1 以上 second 以下です", "first"));
    return ConsistencyProof(nodes_, first, second);
}

Result<Hash> LedgerService::Root(std::uint64_t size) { return RootAt(nodes_, size); }

Result<VerifyReport> LedgerService::Verify(bool record) {
    VerifyReport report;
    report.ran_at = FormatRfc3339(clock_.Now());
    // Problems found at an exact leaf (an event missing, altered or out of place, a node
    // missing) name that leaf; a checkpoint whose root differs only bounds a range, so it is
    // reported (by the range's start) when nothing exact was found.
    // An altered event also changes every node above it, so leaves come first, then nodes
    // above the leaves (tampered directly), then checkpoint ranges.
    std::optional<std::pair<std::uint64_t, std::string>> exact, interior, ranged;
    auto keep_first = [](auto& slot, std::uint64_t index, std::string message) {
        if (!slot || index < slot->first) slot = std::make_pair(index, std::move(message));
    };
    auto fail = [&](std::uint64_t index, std::string message) {
        keep_first(exact, index, std::move(message));
    };
    auto fail_interior = [&](std::uint64_t index, std::string message) {
        keep_first(interior, index, std::move(message));
    };
    auto fail_range = [&](std::uint64_t index, std::string message) {
        keep_first(ranged, index, std::move(message));
    };

    auto cps = db_.Query(
        "SELECT tree_size, root, note, created_at FROM ledger_checkpoints ORDER BY tree_size");
    if (!cps) return Fail(cps.error());
    std::vector<CheckpointRecord> checkpoints;
    for (const auto& row : cps->rows) checkpoints.push_back(RecordFrom(row));
    std::size_t next_cp = 0;
    std::uint64_t previous_cp = 0;
    const std::vector<Verifier> known{verifier_};

    Frontier tree;
    bool stop = false;
    while (!stop) {
        auto rs = db_.Query(std::string(kEventColumns) + " WHERE seq > ? ORDER BY seq LIMIT ?",
                            {static_cast<std::int64_t>(tree.size()), kVerifyBatch});
        if (!rs) return Fail(rs.error());
        if (rs->rows.empty()) break;
        // What the stored nodes of this batch must be, read back in one query per level.
        std::map<std::int64_t, std::pair<NodeId, Hash>> expected;
        for (const auto& row : rs->rows) {
            const audit::Event e = audit::EventFromRow(row);
            const std::uint64_t index = tree.size();
            if (static_cast<std::uint64_t>(e.seq) != index + 1) {
                fail(index, fmt::format("監査記録 {} がありません (削除されたか、番号が変えられて"
                                        "います)",
                                        index + 1));
                stop = true;
                break;
            }
            for (auto& [id, hash] : tree.AppendWithNodes(LeafHash(audit::Canonical(e))))
                expected.emplace(NodeKey(id), std::make_pair(id, hash));
            while (next_cp < checkpoints.size() && checkpoints[next_cp].tree_size == tree.size()) {
                const CheckpointRecord& cp = checkpoints[next_cp++];
                ++report.checkpoints_checked;
                auto text = Open(cp.note, known);
                auto parsed =
                    text ? ParseCheckpoint(*text) : Result<Checkpoint>(Fail(text.error()));
                if (!parsed || parsed->size != cp.tree_size || parsed->root != cp.root ||
                    parsed->origin != signer_.name) {
                    fail(previous_cp,
                         fmt::format("チェックポイント {} の署名が正しくありません", cp.tree_size));
                } else if (cp.root != tree.Root()) {
                    fail_range(
                        previous_cp,
                        fmt::format("チェックポイント {} の根が一致しません: 記録 {} から {} の"
                                    "間が変えられています",
                                    cp.tree_size, previous_cp + 1, cp.tree_size));
                }
                previous_cp = cp.tree_size;
            }
        }
        // Compare the stored nodes with the recomputed ones, level by level (key ranges).
        std::vector<std::int64_t> keys;
        for (const auto& [key, node] : expected) keys.push_back(key);
        for (std::size_t at = 0; at < keys.size();) {
            const std::int64_t level_base = keys[at] & ~((std::int64_t{1} << 56) - 1);
            std::size_t end = at;
            while (end < keys.size() && (keys[end] & ~((std::int64_t{1} << 56) - 1)) == level_base)
                ++end;
            auto stored = db_.Query(
                "SELECT node_key, hash FROM ledger_nodes WHERE node_key >= ? AND node_key <= ?",
                {keys[at], keys[end - 1]});
            if (!stored) return Fail(stored.error());
            std::map<std::int64_t, std::string> have;
            for (const auto& row : stored->rows) have.emplace(row.Int(0), row.Bytes(1));
            for (std::size_t i = at; i < end; ++i) {
                const auto& [id, hash] = expected[keys[i]];
                const std::uint64_t first_leaf = id.index << id.level;
                auto it = have.find(keys[i]);
                if (it != have.end() && HashOf(it->second) == hash) continue;
                const bool missing = it == have.end();
                if (id.level == 0)
                    fail(first_leaf,
                         missing ? fmt::format("台帳に記録 {} の葉がありません", first_leaf + 1)
                                 : fmt::format("監査記録 {} が台帳と一致しません (書き換えられて"
                                               "います)",
                                               first_leaf + 1));
                else
                    fail_interior(first_leaf, fmt::format("台帳の節点 (段 {}, 記録 {} から) が{}",
                                                          id.level, first_leaf + 1,
                                                          missing ? "ありません" : "一致しません"));
            }
            at = end;
        }
    }
    report.tree_size = tree.size();
    report.root = tree.Root();
    auto stored_size = StoredSize(db_);
    if (!stored_size) return Fail(stored_size.error());
    if (*stored_size > tree.size())
        fail(tree.size(), fmt::format("記録 {} より後の監査記録が失われています (台帳には {} 件)",
                                      tree.size() + 1, *stored_size));
    for (; next_cp < checkpoints.size(); ++next_cp)
        fail(std::min<std::uint64_t>(tree.size(), checkpoints[next_cp].tree_size),
             fmt::format("チェックポイント {} より前の監査記録が失われています (記録は {} 件)",
                         checkpoints[next_cp].tree_size, tree.size()));
    for (auto* found : {&exact, &interior, &ranged})
        if (*found) {
            report.first_bad_index = (*found)->first;
            report.message = (*found)->second;
            break;
        }
    report.ok = !report.first_bad_index;
    if (report.ok)
        report.message = fmt::format(
            "監査記録 {} 件、チェックポイント {} 件を確かめました。改ざんは"
            "見つかりません",
            report.tree_size, report.checkpoints_checked);
    if (record) {
        auto ins = db_.Query(
            "INSERT INTO ledger_verifications (id, ran_at, tree_size, ok, first_bad_index, "
            "message) VALUES (?, ?, ?, ?, ?, ?)",
            {crypto::Hex(crypto::RandomBytes(16)), report.ran_at,
             static_cast<std::int64_t>(report.tree_size), report.ok,
             report.first_bad_index
                 ? store::Value(static_cast<std::int64_t>(*report.first_bad_index))
                 : store::Value(),
             report.message});
        if (!ins) return Fail(ins.error());
    }
    return report;
}

Result<std::optional<VerifyReport>> LedgerService::LastVerification() {
    auto rs = db_.Query(
        "SELECT ran_at, tree_size, ok, first_bad_index, message FROM ledger_verifications ORDER "
        "BY ran_at DESC LIMIT 1");
    if (!rs) return Fail(rs.error());
    if (rs->rows.empty()) return std::optional<VerifyReport>();
    const auto& r = rs->rows[0];
    VerifyReport v;
    v.ran_at = r.Text(0);
    v.tree_size = static_cast<std::uint64_t>(r.Int(1));
    v.ok = r.Bool(2);
    if (auto i = r.OptInt(3)) v.first_bad_index = static_cast<std::uint64_t>(*i);
    v.message = r.Text(4);
    return std::optional<VerifyReport>(v);
}

}  // namespace mamori::ledger
