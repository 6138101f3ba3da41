-- The change feed (INT-1, INT-2). SQLite has one writer at a time, so id
-- order is commit order: txid stays 0 and (txid, id) orders by id, as the
-- PostgreSQL migration's transaction ids do there.
ALTER TABLE change_events ADD COLUMN txid BIGINT NOT NULL DEFAULT 0;
CREATE INDEX change_events_feed ON change_events (txid, id);
CREATE INDEX change_events_at ON change_events (at);

-- Where pruning has reached: a cursor at or before it has lost changes and
-- gets 410 (retention).
CREATE TABLE change_feed_horizon (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    txid BIGINT NOT NULL,
    event_id BIGINT NOT NULL,
    pruned_at TIMESTAMP NOT NULL
);
