-- The tamper-evident ledger (issue 6, docs/ledger.md). Audit events, in seq order, are the
-- leaves of an RFC 9162 Merkle tree; every complete perfect subtree is stored once, keyed
-- by level << 56 | index, so proofs read O(log n) rows.
CREATE TABLE ledger_nodes (
    node_key {{key}},
    hash {{blob}} NOT NULL
);

-- Signed tree heads: C2SP tlog-checkpoint text signed as a C2SP signed note (Ed25519).
CREATE TABLE ledger_checkpoints (
    tree_size {{key}},
    root {{blob}} NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Each run of the verification (mamori ledger verify, or from the auditors' page).
CREATE TABLE ledger_verifications (
    id TEXT PRIMARY KEY,
    ran_at TEXT NOT NULL,
    tree_size BIGINT NOT NULL,
    ok INTEGER NOT NULL,
    first_bad_index BIGINT,
    message TEXT NOT NULL
);
