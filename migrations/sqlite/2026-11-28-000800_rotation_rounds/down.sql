DELETE FROM service_events WHERE kind = 'transfer';
CREATE TABLE service_events_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    employee_code TEXT NOT NULL REFERENCES employees(code),
    kind TEXT NOT NULL CHECK (kind IN ('appointment','promotion','acp','macp','nfs','deputation','absorption','repatriation','postponement')),
    effective_on DATE NOT NULL,
    from_grade TEXT,
    to_grade TEXT,
    from_level TEXT,
    to_level TEXT,
    from_grade_pay INTEGER,
    to_grade_pay INTEGER,
    order_ref TEXT NOT NULL,
    remarks TEXT
);
INSERT INTO service_events_old SELECT * FROM service_events;
DROP TABLE service_events;
ALTER TABLE service_events_old RENAME TO service_events;
CREATE INDEX service_events_employee ON service_events(employee_code, effective_on);
DROP TABLE rotation_runs;
DROP TABLE rotation_preferences;
DROP TABLE rotation_rounds;
