-- The delivery worker's claim (INT-2) reads only pending deliveries: the
-- due ones in id order, and for each whether an earlier delivery of the
-- same entity to the same subscription is still pending (per-entity
-- order). Indexes over every delivery made each claim walk the delivered
-- history too, and the claim slowed as the log grew (bench/speed.md,
-- "Webhook fan-out"). Partial indexes hold only what is owed; the listing
-- of a subscription's deliveries gets its own.
DROP INDEX webhook_deliveries_due;
DROP INDEX webhook_deliveries_entity;
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_pending_entity ON webhook_deliveries (subscription_id, entity, entity_id, id)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id);
