-- Organisation (issue 3): indexes for the queries of src/org/.

-- People lists are paged by username (the UNIQUE index of 0002 serves the default list);
-- these serve the filtered ones without a sort.
CREATE INDEX people_status_username ON people (status, username);
CREATE INDEX people_unit_username ON people (unit_id, username);

-- Current holders of a role (approver resolution, auditor checks, login grants).
CREATE INDEX appointments_role ON appointments (role, unit_id);
CREATE INDEX appointments_person_period ON appointments (person_id, starts_on, ends_on);

-- Unit look-up by name (CSV import) and children listing.
CREATE INDEX units_name ON units (name);
