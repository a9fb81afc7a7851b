-- Text search over the asset register (issue 7). `asset_text` holds, per asset, the index
-- tokens of its name and description (store::SearchTokens), written by the service with the
-- asset; rows from before this migration are filled at server start. It is a table of its
-- own so that the assets rows stay narrow for the other filters' scans, and so that SQLite's
-- FTS5 index is keyed by a stable integer primary key. SQLite indexes the tokens with an
-- FTS5 table kept in step by triggers; PostgreSQL with a GIN index.
CREATE TABLE asset_text (
    id {{id}},
    asset_id TEXT NOT NULL UNIQUE REFERENCES assets(id),
    search_tokens TEXT NOT NULL
);
-- @sqlite
CREATE VIRTUAL TABLE asset_search USING fts5(
    search_tokens, content = 'asset_text', content_rowid = 'id', tokenize = 'ascii');
CREATE TRIGGER asset_text_insert AFTER INSERT ON asset_text BEGIN
    INSERT INTO asset_search (rowid, search_tokens) VALUES (new.id, new.search_tokens);
END;
CREATE TRIGGER asset_text_delete AFTER DELETE ON asset_text BEGIN
    INSERT INTO asset_search (asset_search, rowid, search_tokens)
        VALUES ('delete', old.id, old.search_tokens);
END;
CREATE TRIGGER asset_text_update AFTER UPDATE ON asset_text BEGIN
    INSERT INTO asset_search (asset_search, rowid, search_tokens)
        VALUES ('delete', old.id, old.search_tokens);
    INSERT INTO asset_search (rowid, search_tokens) VALUES (new.id, new.search_tokens);
END;
-- @end
-- @postgresql
CREATE INDEX asset_text_search ON asset_text USING gin (to_tsvector('simple', search_tokens));
-- @end
