-- Reviews of 例外措置 (対策基準 9-4(3), issue 8): the CISO or the general manager records
-- that an exception in force was looked at again, with the result and the next review date.
CREATE TABLE exception_reviews (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES requests(id),
    reviewed_on TEXT NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('continue', 'end')),
    note TEXT NOT NULL,
    next_review_on TEXT,
    reviewer_id TEXT NOT NULL REFERENCES people(id),
    created_at TEXT NOT NULL
);
CREATE INDEX exception_reviews_request ON exception_reviews (request_id, created_at);
