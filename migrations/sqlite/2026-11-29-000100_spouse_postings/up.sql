-- SPO-1: an employee's request to be posted with their spouse, with the
-- case of para 4 and the whole decision taken when it was filed. Its steps
-- are in workflow_steps (workflow 'spouse_posting').
CREATE TABLE spouse_postings (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    employee_code TEXT NOT NULL REFERENCES employees(code),
    org_id TEXT NOT NULL REFERENCES organisations(id),
    state TEXT NOT NULL CHECK (state IN ('submitted','granted','refused','represented','representation_allowed','representation_dismissed','withdrawn')),
    spouse TEXT NOT NULL,
    spouse_case TEXT NOT NULL,
    mandatory BOOLEAN NOT NULL,
    decision TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX spouse_postings_employee ON spouse_postings(employee_code, id);
CREATE INDEX spouse_postings_queue ON spouse_postings(state, org_id, submitted_at);
