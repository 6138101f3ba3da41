-- Organisations, employees, service history, nodal officers, and the
-- append-only audit trail with its change feed (PRF-4, INT-2).
CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('ministry','department','psu','autonomous_body','attached_office')),
    parent_id TEXT REFERENCES organisations(id),
    state TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((kind IN ('ministry','department')) = (parent_id IS NULL))
);
CREATE INDEX organisations_parent ON organisations(parent_id);

CREATE TABLE nodal_officers (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    sub TEXT NOT NULL,
    name TEXT NOT NULL,
    designation TEXT NOT NULL,
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('nodal_officer','sub_nodal_officer')),
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX nodal_officers_sub ON nodal_officers(sub);
CREATE INDEX nodal_officers_org ON nodal_officers(org_id);

CREATE TABLE employees (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    cadre TEXT NOT NULL CHECK (cadre IN ('CSS','CSSS','CSCS')),
    grade TEXT NOT NULL,
    service_group TEXT NOT NULL,
    pay_level TEXT NOT NULL,
    pay_cell INTEGER NOT NULL CHECK (pay_cell BETWEEN 1 AND 40),
    date_of_birth DATE NOT NULL,
    joined_government_on DATE NOT NULL,
    joined_entry_grade_on DATE NOT NULL,
    joined_present_grade_on DATE NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    station TEXT NOT NULL,
    station_state TEXT NOT NULL,
    gender TEXT NOT NULL CHECK (gender IN ('female','male','other')),
    category TEXT NOT NULL CHECK (category IN ('UR','SC','ST','OBC','EWS')),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX employees_org ON employees(org_id, code);
CREATE INDEX employees_cadre_grade ON employees(cadre, grade, code);
CREATE INDEX employees_name ON employees(lower(name));

CREATE TABLE service_events (
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
CREATE INDEX service_events_employee ON service_events(employee_code, effective_on);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_sub TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    org_id TEXT,
    before_json TEXT,
    after_json TEXT,
    request_id TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id, id);
CREATE INDEX audit_log_org ON audit_log(org_id, id);

-- PRF-4: the trail is append-only, whatever path tries to change it.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE change_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at TIMESTAMP NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    org_id TEXT,
    audit_id BIGINT NOT NULL REFERENCES audit_log(id)
);
