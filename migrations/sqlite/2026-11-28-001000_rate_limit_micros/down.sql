UPDATE rate_limits SET tat_us = tat_us / 1000;
ALTER TABLE rate_limits RENAME COLUMN tat_us TO tat_ms;
