-- Approval workflows (FV-1, DEP-1): foreign visit requests, deputation
-- advertisements with their versions, deputation applications, and the
-- decision record of every workflow step.
CREATE TABLE foreign_visits (
    id BIGSERIAL PRIMARY KEY,
    employee_code TEXT NOT NULL REFERENCES employees(code),
    org_id TEXT NOT NULL REFERENCES organisations(id),
    state TEXT NOT NULL CHECK (state IN ('submitted','granted','refused','withdrawn')),
    countries TEXT NOT NULL,
    from_date DATE NOT NULL,
    to_date DATE NOT NULL,
    purpose TEXT NOT NULL,
    funded_by TEXT NOT NULL,
    funding_details TEXT,
    leave_kind TEXT NOT NULL,
    leave_from DATE NOT NULL,
    leave_to DATE NOT NULL,
    contact_abroad TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (from_date <= to_date)
);
CREATE INDEX foreign_visits_employee ON foreign_visits(employee_code, id);
CREATE INDEX foreign_visits_queue ON foreign_visits(state, org_id, submitted_at);

CREATE TABLE deputation_adverts (
    id BIGSERIAL PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    state TEXT NOT NULL CHECK (state IN ('open','closed')),
    version BIGINT NOT NULL,
    last_date DATE NOT NULL,
    content TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX deputation_adverts_org ON deputation_adverts(org_id, id);
CREATE INDEX deputation_adverts_open ON deputation_adverts(state, last_date);

-- DEP-1: every version of an advertisement, the first as published.
CREATE TABLE deputation_advert_versions (
    advert_id BIGINT NOT NULL REFERENCES deputation_adverts(id),
    version BIGINT NOT NULL,
    content TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    by_sub TEXT NOT NULL,
    PRIMARY KEY (advert_id, version)
);

CREATE TABLE deputation_applications (
    id BIGSERIAL PRIMARY KEY,
    advert_id BIGINT NOT NULL REFERENCES deputation_adverts(id),
    employee_code TEXT NOT NULL REFERENCES employees(code),
    org_id TEXT NOT NULL REFERENCES organisations(id),
    state TEXT NOT NULL CHECK (state IN ('submitted','forwarded','refused','approved','rejected','withdrawn')),
    advert_version BIGINT NOT NULL,
    documents TEXT NOT NULL,
    remarks TEXT,
    eligibility TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- DEP-1: one application per employee per advertisement.
CREATE UNIQUE INDEX deputation_applications_once ON deputation_applications(advert_id, employee_code);
CREATE INDEX deputation_applications_queue ON deputation_applications(state, org_id, submitted_at);
CREATE INDEX deputation_applications_employee ON deputation_applications(employee_code, id);

-- The decision record of each step of each workflow.
CREATE TABLE workflow_steps (
    id BIGSERIAL PRIMARY KEY,
    workflow TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    actor_sub TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    reason TEXT,
    clearance TEXT
);
CREATE INDEX workflow_steps_record ON workflow_steps(workflow, record_id, id);
