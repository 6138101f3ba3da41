DROP TABLE rate_limits;
DROP TABLE idempotency_keys;
DROP TABLE oauth_assertion_jtis;
DROP TABLE oauth_clients;
