-- Integration clients (INT-1, INT-2): the portals DoPT admits, how each
-- proves who it is at POST /oauth2/token, and whether it may.
CREATE TABLE oauth_clients (
    client_id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    portal TEXT NOT NULL,
    -- Space-separated, as in the OAuth `scope` parameter.
    scopes TEXT NOT NULL,
    auth_method TEXT NOT NULL CHECK (auth_method IN ('private_key_jwt', 'client_secret_basic')),
    -- The client's public keys (RFC 7517 JWK Set) for private_key_jwt.
    jwks TEXT,
    -- PHC string of the secret's Argon2id hash for client_secret_basic;
    -- the secret itself is never stored.
    secret_hash TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- The `jti` of every client assertion accepted, until it expires: an
-- assertion is accepted once, on whichever instance it reaches (RFC 7523 §3).
CREATE TABLE oauth_assertion_jtis (
    client_id TEXT NOT NULL,
    jti TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (client_id, jti)
);
CREATE INDEX oauth_assertion_jtis_expiry ON oauth_assertion_jtis (expires_at);

-- Idempotency-Key (draft-ietf-httpapi-idempotency-key-header-07): the first
-- response to a caller's key, with a fingerprint of the request, so a retry
-- on any instance replays it instead of acting twice. state: 'running'
-- while the first request is under way, then 'done'.
CREATE TABLE idempotency_keys (
    caller TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('running', 'done')),
    status INTEGER,
    headers TEXT,
    body BLOB,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (caller, idempotency_key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- Rate limits shared by instances on PostgreSQL (INT-2): one GCRA
-- theoretical arrival time per caller, in epoch milliseconds, advanced by
-- one atomic UPDATE per request. (Embedded SQLite keeps it in memory.)
CREATE TABLE rate_limits (
    limit_key TEXT PRIMARY KEY NOT NULL,
    tat_ms BIGINT NOT NULL
);
