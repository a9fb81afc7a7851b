-- Organisation, accounts and audit events (issue 3).

-- 部 / 課 / 係 as a tree. A closed unit keeps its records and history.
CREATE TABLE units (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('department', 'section', 'team')),
    parent_id TEXT REFERENCES units(id),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
    closed_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX units_parent ON units (parent_id);

-- A person is also their login account.
CREATE TABLE people (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    reading TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    unit_id TEXT REFERENCES units(id),
    employment_type TEXT NOT NULL DEFAULT 'regular'
        CHECK (employment_type IN ('regular', 'fiscal_year', 'contractor', 'other')),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'left')),
    left_on TEXT,
    is_platform_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_platform_admin IN (0, 1)),
    password_hash TEXT NOT NULL,
    password_changed_at TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 1 CHECK (must_change_password IN (0, 1)),
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    mfa_secret TEXT,
    mfa_pending_secret TEXT,
    mfa_last_step BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX people_unit ON people (unit_id);

INSERT INTO people (id, username, display_name, is_platform_admin, password_hash,
                    password_changed_at, must_change_password, status, created_at, updated_at)
    SELECT id, username, display_name, is_platform_admin, password_hash, created_at,
           must_change_password, status, created_at, created_at
    FROM accounts;
DROP TABLE accounts;

CREATE TABLE password_history (
    person_id TEXT NOT NULL REFERENCES people(id),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX password_history_person ON password_history (person_id, created_at);

CREATE TABLE recovery_codes (
    person_id TEXT NOT NULL REFERENCES people(id),
    code_hash TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX recovery_codes_person ON recovery_codes (person_id);

-- A person holds a role for a unit (or, later, an information system) for a period.
CREATE TABLE appointments (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    role TEXT NOT NULL,
    unit_id TEXT REFERENCES units(id),
    system_id TEXT,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX appointments_person ON appointments (person_id);
CREATE INDEX appointments_unit ON appointments (unit_id);

-- Sessions: only the SHA-256 of the token is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    csrf_token TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('full', 'password_change_required',
                                         'mfa_enrollment_required', 'mfa_required')),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    elevated_until TEXT,
    client_address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_person ON sessions (person_id);

-- Every state change and every login attempt. `seq` is dense and ordered by commit, so the
-- ledger (a later issue) can make the sequence tamper-evident. `summary` is canonical JSON.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    occurred_at TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    summary TEXT NOT NULL,
    request_id TEXT NOT NULL,
    client_address TEXT NOT NULL
);
CREATE INDEX audit_events_actor ON audit_events (actor_id, action, seq);
CREATE INDEX audit_events_object ON audit_events (object_type, object_id);
CREATE INDEX audit_events_time ON audit_events (occurred_at);
