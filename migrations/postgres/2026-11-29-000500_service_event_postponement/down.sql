ALTER TABLE service_events DROP COLUMN postponement_days;
