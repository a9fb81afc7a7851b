-- Applications and approvals (issue 8, src/workflow/). Request types are policy data
-- (requests/*.yaml of the catalog); a request keeps the catalog version it was made under.
CREATE TABLE request_counters (
    prefix TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,             -- 申請番号, e.g. EXC-2026-0007
    type TEXT NOT NULL,                      -- request type key
    catalog_version TEXT NOT NULL,
    title TEXT NOT NULL,
    applicant_id TEXT NOT NULL REFERENCES people(id),
    unit_id TEXT NOT NULL REFERENCES units(id), -- the applicant's unit when submitted
    state TEXT NOT NULL CHECK (state IN ('submitted', 'returned', 'approved', 'rejected',
                                         'withdrawn', 'expired')),
    form TEXT NOT NULL,                      -- the field values, JSON
    round INTEGER NOT NULL,                  -- 1, then +1 at every resubmission
    step INTEGER NOT NULL,                   -- the pending step of the round (submitted)
    valid_from TEXT,                         -- the validity field's period, when the type has one
    valid_until TEXT,
    submitted_at TEXT NOT NULL,
    decided_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX requests_applicant ON requests (applicant_id, number);
CREATE INDEX requests_type_number ON requests (type, number);
CREATE INDEX requests_state_until ON requests (state, valid_until);

-- The approval chain of each round: resolved when the round starts (which steps apply),
-- the approver of a step when it becomes pending (appointments valid that day).
CREATE TABLE request_steps (
    request_id TEXT NOT NULL REFERENCES requests(id),
    round INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    role TEXT NOT NULL,                      -- the role the chain asks for
    system_id TEXT,                          -- for a system role
    label TEXT NOT NULL,
    -- skipped: a role at or below one that already approved in the round
    state TEXT NOT NULL CHECK (state IN ('waiting', 'pending', 'approved', 'rejected',
                                         'returned', 'cancelled', 'skipped')),
    approver_id TEXT REFERENCES people(id),
    approver_role TEXT,                      -- after any escalation
    escalation TEXT NOT NULL,                -- JSON: why it left the role asked for
    decided_by TEXT REFERENCES people(id),
    decided_at TEXT,
    comment TEXT,
    PRIMARY KEY (request_id, round, seq)
);
CREATE INDEX request_steps_inbox ON request_steps (approver_id, state);
