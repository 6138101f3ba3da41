-- ROT-2: the two groups of ministries officers rotate between, kept by DoPT
-- as dated sets: a set is in force from its date until the next one. Sets
-- are never changed once made; a new order makes a new set.
CREATE TABLE ministry_group_sets (
    effective_from DATE PRIMARY KEY NOT NULL,
    order_ref TEXT NOT NULL,
    set_at TIMESTAMP NOT NULL,
    set_by TEXT NOT NULL
);
CREATE TABLE ministry_groups (
    effective_from DATE NOT NULL REFERENCES ministry_group_sets (effective_from),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    grp TEXT NOT NULL CHECK (grp IN ('A','B')),
    PRIMARY KEY (effective_from, org_id)
);
