-- Employee services of seed 000 §3.6 and seed 002: ex-gratia cases (EXG-1),
-- the register of RTI requests (RTI-1), the competency catalogue and the
-- employees' areas of interest (AOI-1).

-- EXG-1: a death in service, the amounts from every Government source and
-- the engine's decision as taken when the case was recorded.
CREATE TABLE exgratia_cases (
    id BIGSERIAL PRIMARY KEY,
    deceased_name TEXT NOT NULL,
    employee_code TEXT REFERENCES employees(code),
    org_id TEXT NOT NULL REFERENCES organisations(id),
    date_of_death DATE NOT NULL,
    amounts TEXT NOT NULL,
    total BIGINT NOT NULL CHECK (total >= 0),
    admissible BIGINT,
    regime TEXT NOT NULL CHECK (regime IN ('order_1998','no_ceiling')),
    decision TEXT NOT NULL,
    remarks TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX exgratia_cases_death ON exgratia_cases(date_of_death, id);

-- RTI-1: the cadre division's register. The fee is recorded as accepted or
-- refused; an IPO is never refused (checked in the domain and here).
CREATE TABLE rti_requests (
    id BIGSERIAL PRIMARY KEY,
    received_on DATE NOT NULL,
    applicant_name TEXT NOT NULL,
    applicant_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    fee_amount BIGINT NOT NULL CHECK (fee_amount >= 0),
    fee_mode TEXT NOT NULL CHECK (fee_mode IN ('cash','demand_draft','bankers_cheque','indian_postal_order')),
    fee_reference TEXT,
    fee_accepted BOOLEAN NOT NULL,
    fee_refusal_reason TEXT,
    reply_due_on DATE NOT NULL,
    replied_on DATE,
    reply_summary TEXT,
    version BIGINT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (fee_accepted OR fee_mode <> 'indian_postal_order'),
    CHECK (reply_due_on >= received_on)
);
CREATE INDEX rti_requests_open ON rti_requests(replied_on, reply_due_on);

-- AOI-1: the competency catalogue DoPT maintains, in iGOT's shape
-- (area -> theme -> sub-theme), each node linked to iGOT course ids.
CREATE TABLE competency_areas (
    id TEXT PRIMARY KEY NOT NULL,
    parent_id TEXT REFERENCES competency_areas(id),
    level TEXT NOT NULL CHECK (level IN ('area','theme','sub_theme')),
    kind TEXT NOT NULL CHECK (kind IN ('behavioural','functional','domain')),
    name TEXT NOT NULL,
    description TEXT,
    course_ids TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX competency_areas_parent ON competency_areas(parent_id);

-- AOI-1: an employee's ranked choice; one version per employee.
CREATE TABLE interest_sets (
    employee_code TEXT PRIMARY KEY NOT NULL REFERENCES employees(code),
    version BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE employee_interests (
    employee_code TEXT NOT NULL REFERENCES interest_sets(employee_code),
    area_id TEXT NOT NULL REFERENCES competency_areas(id),
    rank INTEGER NOT NULL CHECK (rank >= 1),
    note TEXT,
    PRIMARY KEY (employee_code, area_id),
    UNIQUE (employee_code, rank)
);
CREATE INDEX employee_interests_area ON employee_interests(area_id);

-- TRN-1: DELPGE programmes notified by DoPT, enrolments (50 seats, first
-- come first served; open until a claim is filed) and reimbursement claims
-- with the engine's decision, approved for payment by the nodal officer.
CREATE TABLE delpge_programmes (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('A','B','C','D')),
    units BIGINT NOT NULL,
    session TEXT NOT NULL,
    seats BIGINT NOT NULL CHECK (seats > 0),
    eligible_levels TEXT NOT NULL,
    eligible_ministries TEXT NOT NULL,
    complete_by DATE NOT NULL,
    minimum_grade TEXT NOT NULL CHECK (minimum_grade IN ('A','B','C','D','E')),
    notified_by TEXT NOT NULL,
    notified_at TIMESTAMP NOT NULL
);

CREATE TABLE delpge_enrolments (
    id BIGSERIAL PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES delpge_programmes(id),
    employee_code TEXT NOT NULL REFERENCES employees(code),
    org_id TEXT NOT NULL REFERENCES organisations(id),
    enrolled_on DATE NOT NULL,
    enrolled_at TIMESTAMP NOT NULL,
    claimed BOOLEAN NOT NULL,
    UNIQUE (programme_id, employee_code)
);
CREATE INDEX delpge_enrolments_employee ON delpge_enrolments(employee_code, claimed);

CREATE TABLE delpge_claims (
    id BIGSERIAL PRIMARY KEY,
    enrolment_id BIGINT NOT NULL UNIQUE REFERENCES delpge_enrolments(id),
    employee_code TEXT NOT NULL REFERENCES employees(code),
    org_id TEXT NOT NULL REFERENCES organisations(id),
    category TEXT NOT NULL CHECK (category IN ('A','B','C','D')),
    fee_paid BIGINT NOT NULL CHECK (fee_paid >= 0),
    receipt_ref TEXT NOT NULL,
    completed_on DATE NOT NULL,
    grade TEXT NOT NULL CHECK (grade IN ('A','B','C','D','E')),
    units BIGINT NOT NULL,
    admissible BOOLEAN NOT NULL,
    amount BIGINT NOT NULL,
    decision TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('submitted','not_admissible','approved','rejected')),
    decided_by TEXT,
    decided_at TIMESTAMP,
    reason TEXT,
    filed_at TIMESTAMP NOT NULL
);
CREATE INDEX delpge_claims_employee ON delpge_claims(employee_code, completed_on);
CREATE INDEX delpge_claims_queue ON delpge_claims(state, org_id);
