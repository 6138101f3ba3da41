-- The GCRA state in microseconds: a quota of up to a million a second is
-- counted exactly (milliseconds floored the interval of such a quota).
ALTER TABLE rate_limits RENAME COLUMN tat_ms TO tat_us;
UPDATE rate_limits SET tat_us = tat_us * 1000;
