-- Incidents (issue 9, src/incidents/; 対策基準 7-3, 9-3). An incident is never deleted: it is
-- closed or marked as a duplicate. Its timeline is append-only, which the database itself
-- enforces (the triggers below): a correction is a new entry citing the one it corrects.
CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,             -- e.g. INC-2026-0007 (request_counters, prefix INC)
    serial BIGINT NOT NULL UNIQUE,           -- year * 1000000 + the number's counter: the order
                                             -- of numbers (INC-2026-10000 after INC-2026-9999)
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL,                  -- incidents.yaml category key
    state TEXT NOT NULL CHECK (state IN ('reported', 'accepted', 'responding', 'investigating',
                                         'preventing', 'closed', 'duplicate')),
    severity TEXT,                           -- incidents.yaml severity key; set at triage
    severity_rank INTEGER,                   -- its position, lowest 0 (for filters and order)
    discovered_at TEXT NOT NULL,             -- RFC 3339 UTC
    discovered_on TEXT NOT NULL,             -- the city's date (JST): deadlines count from it
    occurred_at TEXT,
    unit_id TEXT NOT NULL REFERENCES units(id),
    personal_information INTEGER NOT NULL,   -- 0/1: any personal information involved
    specific_personal_information INTEGER NOT NULL, -- 特定個人情報 (マイナンバー)
    malicious INTEGER NOT NULL,              -- may have been done on purpose (不正の目的)
    scope_estimate TEXT NOT NULL,
    links TEXT NOT NULL,                     -- JSON {system_ids, asset_ids, control_refs}
    source TEXT NOT NULL CHECK (source IN ('staff', 'outside')),
    outside_reporter TEXT,                   -- JSON {name, organisation, contact} (7-3(2))
    reporter_id TEXT NOT NULL REFERENCES people(id), -- who reported it or entered the report
    handler_id TEXT REFERENCES people(id),
    containment TEXT NOT NULL,
    cause TEXT NOT NULL,
    recurrence_prevention TEXT NOT NULL,
    exception_request_id TEXT REFERENCES requests(id),
    review_note TEXT NOT NULL,
    duplicate_of TEXT REFERENCES incidents(id),
    catalog_version TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX incidents_state ON incidents (state, serial);
CREATE INDEX incidents_unit ON incidents (unit_id, serial);
CREATE INDEX incidents_category ON incidents (category, serial);
CREATE INDEX incidents_severity ON incidents (severity, serial);
CREATE INDEX incidents_reporter ON incidents (reporter_id, serial);
CREATE INDEX incidents_personal ON incidents (personal_information, serial);
-- `q` (part of the number or the title) is matched on this narrow index: a scan of it reads
-- a few pages, where a scan of the rows would read their long texts too.
CREATE INDEX incidents_search ON incidents (serial, number, title);
CREATE INDEX incidents_discovered ON incidents (discovered_on);

-- What happened, oldest first. kind: reported, state, severity, change, notified (written by
-- mamori); note, action, decision, contact, outside_report, correction (written by people).
CREATE TABLE incident_entries (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    author_id TEXT REFERENCES people(id),
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    outside_body TEXT,                       -- outside_report: the body reported to
    reported_on TEXT,                        -- outside_report: the date of the report
    deadline TEXT,                           -- outside_report: the deadline key it meets
    corrects INTEGER,                        -- correction: the seq corrected
    UNIQUE (incident_id, seq)
);

-- Who was told, when, how, and when they first opened the incident.
CREATE TABLE incident_notifications (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    role TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('reported', 'escalated', 'assigned')),
    sent_at TEXT NOT NULL,
    email TEXT NOT NULL CHECK (email IN ('sent', 'failed', 'not_configured', 'no_address',
                                         'pending')),
    opened_at TEXT,
    UNIQUE (incident_id, person_id, reason)
);
CREATE INDEX incident_notifications_unopened ON incident_notifications (person_id, opened_at);

-- Files on the timeline: the attachments of workflow (same store, same hash checks).
ALTER TABLE attachments ADD COLUMN incident_entry_id TEXT REFERENCES incident_entries(id);
CREATE INDEX attachments_incident_entry ON attachments (incident_entry_id);

-- @sqlite
CREATE TRIGGER incident_entries_no_update BEFORE UPDATE ON incident_entries BEGIN
    SELECT RAISE(ABORT, 'incident timeline entries are append-only');
END;
CREATE TRIGGER incident_entries_no_delete BEFORE DELETE ON incident_entries BEGIN
    SELECT RAISE(ABORT, 'incident timeline entries are append-only');
END;
CREATE TRIGGER incidents_no_delete BEFORE DELETE ON incidents BEGIN
    SELECT RAISE(ABORT, 'incidents are never deleted');
END;
-- @postgresql
CREATE FUNCTION mamori_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER incident_entries_no_update BEFORE UPDATE OR DELETE ON incident_entries
    FOR EACH ROW EXECUTE FUNCTION mamori_append_only();
CREATE TRIGGER incidents_no_delete BEFORE DELETE ON incidents
    FOR EACH ROW EXECUTE FUNCTION mamori_append_only();
-- @end
