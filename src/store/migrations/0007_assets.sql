-- Information systems and the classified information asset register (issue 7, 対策基準 4
-- and 5). Zones and classification levels are keys of the policy catalog in force
-- (zones.yaml, classification*.yaml); they are checked by the application against the
-- catalog, not by CHECK constraints, because a city may change its catalog.

CREATE TABLE systems (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    purpose TEXT NOT NULL DEFAULT '',
    owner_unit_id TEXT NOT NULL REFERENCES units(id),
    zone TEXT NOT NULL,
    hosting TEXT NOT NULL CHECK (hosting IN ('onprem', 'datacenter', 'cloud')),
    vendor TEXT NOT NULL DEFAULT '',
    highest_confidentiality TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('in_use', 'planned', 'retired')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX systems_unit_name ON systems (owner_unit_id, name);
CREATE INDEX systems_zone ON systems (zone, status);
CREATE INDEX systems_name ON systems (name);

CREATE TABLE assets (
    id TEXT PRIMARY KEY,
    asset_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    owner_unit_id TEXT NOT NULL REFERENCES units(id),
    manager_person_id TEXT REFERENCES people(id),
    form TEXT NOT NULL CHECK (form IN ('electronic', 'paper', 'both')),
    system_id TEXT REFERENCES systems(id),
    storage_location TEXT NOT NULL DEFAULT '',
    confidentiality TEXT NOT NULL,
    integrity TEXT NOT NULL DEFAULT '',
    availability TEXT NOT NULL DEFAULT '',
    personal_info INTEGER NOT NULL DEFAULT 0 CHECK (personal_info IN (0, 1)),
    specific_personal_info INTEGER NOT NULL DEFAULT 0
        CHECK (specific_personal_info IN (0, 1) AND specific_personal_info <= personal_info),
    retention TEXT NOT NULL DEFAULT '',
    copies INTEGER NOT NULL DEFAULT 1 CHECK (copies >= 0),
    label_text TEXT NOT NULL DEFAULT '',
    next_review_on TEXT,
    notes TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('active', 'disposed')),
    disposed_on TEXT,
    disposal_method TEXT,
    disposed_by TEXT REFERENCES people(id),
    disposal_witness TEXT,  -- a name: the witness may be a disposal contractor's staff
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- The register is paged by asset number; these serve the list filters without a sort.
CREATE INDEX assets_unit_number ON assets (owner_unit_id, asset_number);
CREATE INDEX assets_system_number ON assets (system_id, asset_number);
CREATE INDEX assets_confidentiality_number ON assets (confidentiality, asset_number);
CREATE INDEX assets_personal_number ON assets (personal_info, asset_number);
CREATE INDEX assets_review ON assets (status, next_review_on);
