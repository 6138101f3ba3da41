-- The change feed (INT-1, INT-2). Sequence values are taken before commit,
-- so ids alone do not give commit order: each change records the id of the
-- transaction that wrote it, and readers are served only changes of
-- transactions older than every transaction still running
-- (pg_snapshot_xmin), ordered by (txid, id). xid8 is 64-bit and never wraps.
ALTER TABLE change_events
    ADD COLUMN txid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX change_events_feed ON change_events (txid, id);
CREATE INDEX change_events_at ON change_events (at);

-- Where pruning has reached: a cursor at or before it has lost changes and
-- gets 410 (retention).
CREATE TABLE change_feed_horizon (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    txid BIGINT NOT NULL,
    event_id BIGINT NOT NULL,
    pruned_at TIMESTAMP NOT NULL
);
