ALTER TABLE ipr_returns DROP COLUMN receipt_ref;
