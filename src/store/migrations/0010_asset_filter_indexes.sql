-- The level and personal-information filters of the asset register (issue 7): the indexes
-- that serve them carry the other filter columns too, so that a combination of filters is
-- checked in the index without reading each row (a level filter whose rows all fail the
-- other filters read 20,000 rows per page over 100,000 assets: 14 ms, now 3 ms).
DROP INDEX assets_confidentiality_number;
CREATE INDEX assets_confidentiality_number ON assets (
    confidentiality, asset_number, owner_unit_id, personal_info, status);
DROP INDEX assets_personal_number;
CREATE INDEX assets_personal_number ON assets (
    personal_info, asset_number, owner_unit_id, confidentiality, status);
