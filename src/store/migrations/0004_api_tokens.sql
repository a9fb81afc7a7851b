-- API tokens for automation (issue 3). Only the SHA-256 of a token is stored; the token is
-- shown once at creation. `permissions` is a JSON array, a subset of the creator's.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    permissions TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_used_at TEXT
);
CREATE INDEX api_tokens_person ON api_tokens (person_id);
