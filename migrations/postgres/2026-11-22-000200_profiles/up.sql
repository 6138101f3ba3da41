-- Profiles (PRF-1, PRF-2, PRF-4), validation rounds (PRF-2) and working
-- strength (PRF-3).
CREATE TABLE profiles (
    employee_code TEXT PRIMARY KEY NOT NULL REFERENCES employees(code),
    status TEXT NOT NULL CHECK (status IN ('draft','submitted','returned','validated')),
    data TEXT NOT NULL,
    version BIGINT NOT NULL,
    submitted_at TIMESTAMP,
    first_submitted_at TIMESTAMP,
    validated_at TIMESTAMP,
    validated_by TEXT,
    returned_reasons TEXT,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE INDEX profiles_pending ON profiles(status, submitted_at);

-- Every employee has a profile, starting as an empty draft.
INSERT INTO profiles (employee_code, status, data, version, updated_at, updated_by)
SELECT code, 'draft', '{}', 1, created_at, 'system' FROM employees;

CREATE TABLE validation_rounds (
    id BIGSERIAL PRIMARY KEY,
    opened_by TEXT NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    deadline TIMESTAMP NOT NULL,
    orgs TEXT,
    note TEXT
);

CREATE TABLE working_strength_sets (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organisations(id),
    version BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    validated_at TIMESTAMP,
    validated_by TEXT
);

CREATE TABLE working_strength (
    org_id TEXT NOT NULL REFERENCES working_strength_sets(org_id),
    cadre TEXT NOT NULL,
    grade TEXT NOT NULL,
    sanctioned INTEGER NOT NULL CHECK (sanctioned >= 0),
    PRIMARY KEY (org_id, cadre, grade)
);
