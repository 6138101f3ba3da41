-- Vigilance status history (VIG-1) and annual immovable property returns
-- (IPR-1). Both are append-only: a status is superseded by a later record,
-- a filed return by a revision; neither is edited or removed in place.
CREATE TABLE vigilance_statuses (
    id BIGSERIAL PRIMARY KEY,
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
    id BIGSERIAL PRIMARY KEY,
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

CREATE FUNCTION vigilance_ipr_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER vigilance_statuses_no_change BEFORE UPDATE OR DELETE ON vigilance_statuses
FOR EACH ROW EXECUTE FUNCTION vigilance_ipr_append_only();
CREATE TRIGGER vigilance_statuses_no_truncate BEFORE TRUNCATE ON vigilance_statuses
FOR EACH STATEMENT EXECUTE FUNCTION vigilance_ipr_append_only();
CREATE TRIGGER ipr_returns_no_change BEFORE UPDATE OR DELETE ON ipr_returns
FOR EACH ROW EXECUTE FUNCTION vigilance_ipr_append_only();
CREATE TRIGGER ipr_returns_no_truncate BEFORE TRUNCATE ON ipr_returns
FOR EACH STATEMENT EXECUTE FUNCTION vigilance_ipr_append_only();
