-- The policy catalog as versions (issue 5). Each loaded version keeps its files verbatim
-- (a JSON object path → text) so it stays citable and can be parsed again exactly; the
-- SHA-256 over them names the content.
CREATE TABLE policy_versions (
    id TEXT PRIMARY KEY,
    version TEXT NOT NULL UNIQUE,
    city TEXT NOT NULL,
    title TEXT NOT NULL,
    effective_date TEXT NOT NULL,
    content_sha256 TEXT NOT NULL UNIQUE,
    files TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by TEXT REFERENCES people(id)
);
CREATE INDEX policy_versions_effective ON policy_versions (effective_date, loaded_at);

-- 遵守の誓約: a person confirms they have read a version (基本方針 5, 対策基準 7-1).
CREATE TABLE policy_acknowledgements (
    person_id TEXT NOT NULL REFERENCES people(id),
    version_id TEXT NOT NULL REFERENCES policy_versions(id),
    acknowledged_at TEXT NOT NULL,
    PRIMARY KEY (person_id, version_id)
);
CREATE INDEX policy_acknowledgements_version ON policy_acknowledgements (version_id);
