DROP TABLE change_feed_horizon;
DROP INDEX change_events_at;
DROP INDEX change_events_feed;
ALTER TABLE change_events DROP COLUMN txid;
