-- Every print issued, by its verification code (PRF-5, IPR-1): an office
-- holding a paper copy asks GET /v1/prints/{code} whether it is genuine.
CREATE TABLE prints (
    code TEXT PRIMARY KEY NOT NULL,
    document TEXT NOT NULL,
    reference TEXT NOT NULL,
    version BIGINT NOT NULL,
    printed_at TIMESTAMP NOT NULL,
    printed_by TEXT NOT NULL
);
CREATE INDEX prints_reference ON prints (document, reference);
