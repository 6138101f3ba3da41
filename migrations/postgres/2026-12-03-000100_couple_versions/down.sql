ALTER TABLE rotation_rounds DROP COLUMN couple_versions;
