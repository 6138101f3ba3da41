DROP INDEX webhook_deliveries_subscription;
DROP INDEX webhook_deliveries_pending_entity;
DROP INDEX webhook_deliveries_pending;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_entity ON webhook_deliveries (subscription_id, entity, entity_id, id);
