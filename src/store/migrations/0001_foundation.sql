-- The installation itself: one row per setting that belongs to the data, not the config
-- (installation id, creation time, whether it holds demo data).
CREATE TABLE installation (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Accounts that can log in. The organisation issue links them to people and roles;
-- here there is only what the first administrator needs.
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 1 CHECK (must_change_password IN (0, 1)),
    is_platform_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_platform_admin IN (0, 1)),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'left')),
    created_at TEXT NOT NULL
);
