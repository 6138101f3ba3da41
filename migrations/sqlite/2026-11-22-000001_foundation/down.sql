DROP TABLE change_events;
DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;
DROP TABLE audit_log;
DROP TABLE service_events;
DROP TABLE employees;
DROP TABLE nodal_officers;
DROP TABLE organisations;
