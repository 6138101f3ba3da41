DELETE FROM service_events WHERE kind = 'transfer';
ALTER TABLE service_events DROP CONSTRAINT service_events_kind_check;
ALTER TABLE service_events ADD CONSTRAINT service_events_kind_check CHECK (kind IN ('appointment','promotion','acp','macp','nfs','deputation','absorption','repatriation','postponement'));
DROP TABLE rotation_runs;
DROP TABLE rotation_preferences;
DROP TABLE rotation_rounds;
