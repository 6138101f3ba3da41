-- MACP-1: the upgrades not yet granted that the engine places for each
-- employee, kept so the MACP-due report reads an index range instead of
-- evaluating every history (issue 17). A row holds for the report as of a
-- date from known_from (inclusive) to known_until (exclusive), open where
-- NULL: cscms_store::macp_due explains. Filled in by the store after the
-- migrations run, and by `cscms recompute`.
CREATE TABLE macp_due (
    id INTEGER PRIMARY KEY,
    employee_code TEXT NOT NULL REFERENCES employees (code) ON DELETE CASCADE,
    due_on DATE NOT NULL,
    known_from DATE,
    known_until DATE,
    upgrade TEXT NOT NULL,
    CHECK (known_from IS NULL OR known_until IS NULL OR known_from < known_until)
);
CREATE INDEX macp_due_window ON macp_due (due_on, employee_code);
CREATE INDEX macp_due_employee ON macp_due (employee_code);
