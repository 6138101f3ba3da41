-- MACP-6: the days an upgrade was postponed by, in a column of their own
-- rather than read out of the free-text remarks. Existing postponements
-- whose remarks are a whole number of days are carried over.
ALTER TABLE service_events ADD COLUMN postponement_days INTEGER
    CHECK (postponement_days IS NULL OR postponement_days >= 0);
UPDATE service_events
SET postponement_days = btrim(remarks)::integer
WHERE kind = 'postponement'
  AND btrim(remarks) ~ '^[0-9]{1,9}$';
