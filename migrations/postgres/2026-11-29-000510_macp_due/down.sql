DROP TABLE macp_due;
