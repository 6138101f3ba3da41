DROP TRIGGER ipr_returns_no_delete;
DROP TRIGGER ipr_returns_no_update;
DROP TRIGGER vigilance_statuses_no_delete;
DROP TRIGGER vigilance_statuses_no_update;
DROP TABLE ipr_returns;
DROP TABLE vigilance_statuses;
