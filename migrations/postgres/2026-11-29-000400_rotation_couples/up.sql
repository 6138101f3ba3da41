-- SPO-1 in a rotation round (ROT-1): two officers of the round register as
-- spouses; the first gives the joint list, the second confirms it. Only a
-- confirmed couple is allocated together. An officer is in at most one
-- couple of a round (the store checks across the two columns).
CREATE TABLE rotation_couples (
    round_id BIGINT NOT NULL REFERENCES rotation_rounds (id),
    first_code TEXT NOT NULL REFERENCES employees (code),
    second_code TEXT NOT NULL REFERENCES employees (code),
    -- Each spouse's organisation when registered (scope of their nodal officers).
    first_org TEXT NOT NULL REFERENCES organisations (id),
    second_org TEXT NOT NULL REFERENCES organisations (id),
    -- JSON array of {"first": ministry, "second": ministry}, most wanted first.
    joint TEXT NOT NULL,
    version BIGINT NOT NULL,
    proposed_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (round_id, first_code),
    UNIQUE (round_id, second_code),
    CHECK (first_code <> second_code)
);
