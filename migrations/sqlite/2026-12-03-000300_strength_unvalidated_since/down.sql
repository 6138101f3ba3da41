ALTER TABLE working_strength_sets DROP COLUMN unvalidated_since;
