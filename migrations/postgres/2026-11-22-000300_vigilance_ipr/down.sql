DROP TABLE ipr_returns;
DROP TABLE vigilance_statuses;
DROP FUNCTION vigilance_ipr_append_only();
