-- 棚卸し (対策基準 4(2)): who last confirmed an asset as reviewed, and when; and the
-- appointments of system_manager / system_staff for one information system (issue 7).
ALTER TABLE assets ADD COLUMN last_reviewed_on TEXT;
ALTER TABLE assets ADD COLUMN last_reviewed_by TEXT REFERENCES people(id);
CREATE INDEX appointments_system ON appointments (system_id);
-- The register sorted by name or by its next review date, page by page.
CREATE INDEX assets_name_number ON assets (name, asset_number);
