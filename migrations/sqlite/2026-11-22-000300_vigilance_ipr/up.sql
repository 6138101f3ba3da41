-- Vigilance status history (VIG-1) and annual immovable property returns
-- (IPR-1). Both are append-only: a status is superseded by a later record,
-- a filed return by a revision; neither is edited or removed in place.
CREATE TABLE vigilance_statuses (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    employee_code TEXT NOT NULL REFERENCES employees(code),
    status TEXT NOT NULL CHECK (status IN ('clear','not_clear','awaited')),
    reason TEXT CHECK (reason IN ('penalty_in_force','charge_sheet_issued','prosecution_sanctioned','under_suspension','other')),
    reason_text TEXT,
    effective_from DATE NOT NULL,
    order_ref TEXT,
    recorded_by TEXT NOT NULL,
    recorded_role TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    CHECK ((status = 'not_clear') = (reason IS NOT NULL)),
    CHECK ((reason IS NOT NULL AND reason = 'other') = (reason_text IS NOT NULL))
);
-- Recording order (id) breaks ties between records of the same date (VIG-1).
CREATE INDEX vigilance_statuses_employee ON vigilance_statuses(employee_code, id);

CREATE TABLE ipr_returns (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    employee_code TEXT NOT NULL REFERENCES employees(code),
    year INTEGER NOT NULL,
    revision INTEGER NOT NULL CHECK (revision >= 0),
    revises INTEGER,
    filed_on DATE NOT NULL,
    due_on DATE NOT NULL,
    late BOOLEAN NOT NULL,
    nil BOOLEAN NOT NULL,
    properties_json TEXT NOT NULL,
    filed_by TEXT NOT NULL,
    filed_at TIMESTAMP NOT NULL,
    CHECK ((revision = 0) = (revises IS NULL)),
    CHECK (revises IS NULL OR revises = revision - 1)
);
-- One version per number: two revisions of the same version cannot both land.
CREATE UNIQUE INDEX ipr_returns_version ON ipr_returns(employee_code, year, revision);
CREATE INDEX ipr_returns_year ON ipr_returns(year, employee_code);

CREATE TRIGGER vigilance_statuses_no_update BEFORE UPDATE ON vigilance_statuses
BEGIN SELECT RAISE(ABORT, 'vigilance_statuses is append-only'); END;
CREATE TRIGGER vigilance_statuses_no_delete BEFORE DELETE ON vigilance_statuses
BEGIN SELECT RAISE(ABORT, 'vigilance_statuses is append-only'); END;
CREATE TRIGGER ipr_returns_no_update BEFORE UPDATE ON ipr_returns
BEGIN SELECT RAISE(ABORT, 'ipr_returns is append-only'); END;
CREATE TRIGGER ipr_returns_no_delete BEFORE DELETE ON ipr_returns
BEGIN SELECT RAISE(ABORT, 'ipr_returns is append-only'); END;
