-- PRF-2, PRF-3: since when an organisation's working strength has stood
-- not validated (null: since it was first entered, or before any
-- validation), kept across a validation so that a read as of an earlier
-- day, and a round's deadline in that time, see it as it stood then.
ALTER TABLE working_strength_sets ADD COLUMN unvalidated_since TIMESTAMP;
