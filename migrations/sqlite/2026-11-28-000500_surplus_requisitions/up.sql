-- SUR-1: requisitions to DoPT's Surplus Cell for a NOC or NAC (OM
-- 1/1/2017-R&R and DC of 03.04.2019), and the surplus employees nominated
-- against their vacancies with the 3-month appointment clock.
CREATE TABLE surplus_requisitions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    state TEXT NOT NULL CHECK (state IN ('draft','submitted','forwarded','with_dopt','noc_issued','nac_issued','nominated','returned')),
    version BIGINT NOT NULL,
    designation TEXT NOT NULL,
    total_vacancies BIGINT NOT NULL CHECK (total_vacancies > 0),
    -- The proforma as a versioned document (its "schema" names the version).
    document TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX surplus_requisitions_queue ON surplus_requisitions(state, org_id, id);

CREATE TABLE surplus_nominations (
    requisition_id BIGINT NOT NULL REFERENCES surplus_requisitions(id),
    seq BIGINT NOT NULL,
    name TEXT NOT NULL,
    particulars TEXT NOT NULL,
    nominated_on DATE NOT NULL,
    -- Certificate 11: nominated_on plus three months.
    due_on DATE NOT NULL,
    appointed_on DATE,
    appointment_order TEXT,
    PRIMARY KEY (requisition_id, seq),
    CHECK (due_on > nominated_on),
    CHECK (appointed_on IS NULL OR appointed_on >= nominated_on)
);
CREATE INDEX surplus_nominations_open ON surplus_nominations(appointed_on, due_on);
