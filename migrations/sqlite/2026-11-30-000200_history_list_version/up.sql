-- Employee records are kept under the same version as list pages
-- (issue 17, item 4): a record holds the service history as well, so a
-- write to the history bumps the version too, in its own transaction.
CREATE TRIGGER service_events_list_version_insert AFTER INSERT ON service_events
BEGIN UPDATE list_versions SET version = version + 1 WHERE name = 'employees'; END;
CREATE TRIGGER service_events_list_version_update AFTER UPDATE ON service_events
BEGIN UPDATE list_versions SET version = version + 1 WHERE name = 'employees'; END;
CREATE TRIGGER service_events_list_version_delete AFTER DELETE ON service_events
BEGIN UPDATE list_versions SET version = version + 1 WHERE name = 'employees'; END;
