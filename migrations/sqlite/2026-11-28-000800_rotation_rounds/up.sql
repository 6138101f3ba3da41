-- ROT-1: rotation rounds DoPT announces (cadre, grades, the four dates, the
-- length of the lists), and each officer's ranked list of ministries.
CREATE TABLE rotation_rounds (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    cadre TEXT NOT NULL CHECK (cadre IN ('CSS','CSSS','CSCS')),
    -- JSON array of grade codes.
    grades TEXT NOT NULL,
    preferences_open DATE NOT NULL,
    preferences_close DATE NOT NULL,
    allocation_on DATE NOT NULL,
    orders_on DATE NOT NULL,
    min_preferences INTEGER NOT NULL CHECK (min_preferences >= 1),
    max_preferences INTEGER NOT NULL CHECK (max_preferences >= min_preferences),
    state TEXT NOT NULL CHECK (state IN ('announced','cancelled')),
    cancel_reason TEXT,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (preferences_close >= preferences_open),
    CHECK (allocation_on > preferences_close),
    CHECK (orders_on >= allocation_on)
);
CREATE TABLE rotation_preferences (
    round_id BIGINT NOT NULL REFERENCES rotation_rounds (id),
    employee_code TEXT NOT NULL REFERENCES employees (code),
    -- The officer's organisation when the list was given (scope of the nodal officer).
    org_id TEXT NOT NULL REFERENCES organisations (id),
    -- JSON array of ministry ids, most wanted first.
    ministries TEXT NOT NULL,
    version BIGINT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (round_id, employee_code)
);
-- A run of a round's allocation: its inputs as given to the engine and its
-- result, so a run can be replayed and checked (as empanelment runs are).
CREATE TABLE rotation_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    round_id BIGINT NOT NULL REFERENCES rotation_rounds (id),
    as_of DATE NOT NULL,
    inputs TEXT NOT NULL,
    result TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- Approval issues the transfer orders; one approved run per round.
    approved_by TEXT,
    approved_at TIMESTAMP,
    order_ref TEXT,
    CHECK ((approved_at IS NULL) = (order_ref IS NULL))
);
CREATE INDEX rotation_runs_round ON rotation_runs (round_id);

-- A transfer order (ROT-1) is an entry of the service history: its kind is allowed.
CREATE TABLE service_events_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    employee_code TEXT NOT NULL REFERENCES employees(code),
    kind TEXT NOT NULL CHECK (kind IN ('appointment','promotion','acp','macp','nfs','deputation','absorption','repatriation','postponement','transfer')),
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
INSERT INTO service_events_new SELECT * FROM service_events;
DROP TABLE service_events;
ALTER TABLE service_events_new RENAME TO service_events;
CREATE INDEX service_events_employee ON service_events(employee_code, effective_on);
