-- APAR records (CSS-2) and Central Staffing Scheme batches, proposals and
-- stored runs (CSS-3, CSS-4, CSS-8, CSS-10).

-- One APAR per employee and reporting period. The grade is a grading or a
-- 1-10 score (kept as its decimal text); the Experts Panel's grading and a
-- representation's outcome are optional (CSS-8 special review).
CREATE TABLE apars (
    id BIGSERIAL PRIMARY KEY,
    employee_code TEXT NOT NULL REFERENCES employees(code),
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    grading TEXT CHECK (grading IN ('outstanding','very_good','good','average')),
    numeric_grade TEXT,
    expert_grading TEXT CHECK (expert_grading IN ('outstanding','very_good','good','average')),
    expert_note TEXT,
    rep_decided_on DATE,
    rep_grading_before TEXT CHECK (rep_grading_before IN ('outstanding','very_good','good','average')),
    rep_numeric_before TEXT,
    rep_adverse_remarks_expunged BOOLEAN NOT NULL DEFAULT FALSE,
    source TEXT NOT NULL CHECK (source IN ('sparrow','dopt')),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (period_from <= period_to),
    CHECK ((grading IS NULL) <> (numeric_grade IS NULL)),
    CHECK ((expert_grading IS NULL) OR (expert_note IS NOT NULL))
);
CREATE UNIQUE INDEX apars_employee_period ON apars(employee_code, period_from, period_to);

-- A batch of one service taken up for JS-level empanelment.
CREATE TABLE empanelment_batches (
    id BIGSERIAL PRIMARY KEY,
    service TEXT NOT NULL,
    batch_year INTEGER NOT NULL,
    empanelment_year INTEGER NOT NULL,
    -- The first calendar year of the cut-off reporting year (2022 for 2022-23).
    cut_off_year INTEGER NOT NULL,
    panel_size INTEGER NOT NULL CHECK (panel_size >= 1),
    ais_first_sag_on DATE,
    relaxed_min_score TEXT,
    shares_json TEXT NOT NULL,
    preceding_json TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX empanelment_batches_key
    ON empanelment_batches(service, batch_year, empanelment_year);

-- Proposals of the cadre controlling authority (CSS-10). For an employee on
-- record the APARs may be left to the store (apars_from_store).
CREATE TABLE empanelment_proposals (
    id BIGSERIAL PRIMARY KEY,
    batch_id BIGINT NOT NULL REFERENCES empanelment_batches(id),
    officer_id TEXT NOT NULL,
    employee_code TEXT REFERENCES employees(code),
    apars_from_store BOOLEAN NOT NULL,
    proposal_json TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (employee_code IS NOT NULL OR NOT apars_from_store)
);
CREATE UNIQUE INDEX empanelment_proposals_officer ON empanelment_proposals(batch_id, officer_id);

-- Runs, numbered within their batch: what went in, what came out, and what
-- moved since the previous run. Never updated.
CREATE TABLE empanelment_runs (
    id BIGSERIAL PRIMARY KEY,
    batch_id BIGINT NOT NULL REFERENCES empanelment_batches(id),
    seq INTEGER NOT NULL,
    as_of DATE NOT NULL,
    officers INTEGER NOT NULL,
    empanelled_initial INTEGER NOT NULL,
    pulled_up INTEGER NOT NULL,
    cut_off TEXT,
    cut_off_officer TEXT,
    inputs_json TEXT NOT NULL,
    result_json TEXT NOT NULL,
    changes_json TEXT,
    run_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX empanelment_runs_seq ON empanelment_runs(batch_id, seq);
