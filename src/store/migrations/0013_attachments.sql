-- Files attached to applications (issue 8): PDF, images and office files. The content is a
-- file under the data directory's attachments/ folder; the row keeps what identifies it,
-- above all its SHA-256, which the upload's audit event also records. An upload belongs to
-- its uploader until a request names it; unattached uploads are discarded after a day.
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES people(id),
    uploaded_at TEXT NOT NULL,
    request_id TEXT REFERENCES requests(id)
);
CREATE INDEX attachments_request ON attachments (request_id);
CREATE INDEX attachments_unattached ON attachments (uploaded_by, uploaded_at) WHERE request_id IS NULL;
