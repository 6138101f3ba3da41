-- Webhook subscriptions of integration clients (INT-1, INT-2, Standard
-- Webhooks 1.0). The secret is kept as given out (whsec_ + base64), since
-- every delivery is signed with it; during a rotation's overlap the
-- previous secret signs as well, until previous_until.
CREATE TABLE webhook_subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    client_id TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    -- Space-separated `entity` or `entity.action` items (the feed's types=).
    types TEXT NOT NULL,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_until TIMESTAMP,
    status TEXT NOT NULL CHECK (status IN ('enabled', 'disabled')),
    -- Why it was disabled: by DoPT, a 410 from the receiver, retries exhausted.
    disabled_reason TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_subscriptions_client ON webhook_subscriptions (client_id);

-- The durable queue: one row per (subscription, change), written in the
-- change's own transaction, so a change committed is a delivery owed even
-- if the process dies before sending it. msg_id is the webhook-id header,
-- the same on every attempt. A worker claims a row by setting claim and
-- lease_until; a lease that runs out (a crashed worker) frees it again.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    subscription_id BIGINT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    -- The change (change_events.id); NULL for a test ping.
    event_id BIGINT,
    msg_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    -- Per-entity order: a later change of an entity waits for the earlier.
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    claim TEXT,
    lease_until TIMESTAMP,
    last_attempt_at TIMESTAMP,
    last_response_code INTEGER,
    last_latency_ms BIGINT,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_entity ON webhook_deliveries (subscription_id, entity, entity_id, id);
