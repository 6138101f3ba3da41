-- Employee records are kept under the same version as list pages
-- (issue 17, item 4): a record holds the service history as well, so a
-- write to the history bumps the version too, in its own transaction.
CREATE TRIGGER service_events_list_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_events
    FOR EACH STATEMENT EXECUTE FUNCTION bump_employees_list_version();
