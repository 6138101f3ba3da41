DROP TABLE change_events;
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE service_events;
DROP TABLE employees;
DROP TABLE nodal_officers;
DROP TABLE organisations;
