-- 棚卸し (対策基準 4(2)): who last confirmed an asset as reviewed, and when; and the
-- appointments of system_manager / system_staff for one information system (issue 7).
ALTER TABLE assets ADD COLUMN last_reviewed_on TEXT;
ALTER TABLE assets ADD COLUMN last_reviewed_by TEXT REFERENCES people(id);
CREATE INDEX appointments_system ON appointments (system_id);
-- The register sorted by name or by its next review date, page by page.
CREATE INDEX assets_name_number ON assets (name, asset_number);
-- The register lists page by asset number; an index on the review date led SQLite's planner
-- to read every due asset and sort them rather than walk the asset numbers and stop after a
-- page. The 棚卸し lists filter by unit first, which assets_unit_number serves.
DROP INDEX assets_review;
