-- ROT-1: an officer's representation against their result in a round's
-- approved run, heard by a DoPT officer other than the approver. Steps
-- are in workflow_steps (workflow 'rotation_representation').
CREATE TABLE rotation_representations (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    round_id BIGINT NOT NULL REFERENCES rotation_rounds(id),
    run_id BIGINT NOT NULL REFERENCES rotation_runs(id),
    employee_code TEXT NOT NULL REFERENCES employees(code),
    org_id TEXT NOT NULL REFERENCES organisations(id),
    state TEXT NOT NULL CHECK (state IN ('submitted','allowed','dismissed')),
    approved_by TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (round_id, employee_code)
);
CREATE INDEX rotation_representations_queue ON rotation_representations(state, submitted_at);
