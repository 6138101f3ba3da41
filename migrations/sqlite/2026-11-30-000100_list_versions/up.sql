-- The version of everything an employee list page is read from (the
-- employees, and the organisations that decide a nodal officer's scope).
-- Every write to those tables bumps it in its own transaction, so an
-- instance can tell with one read whether a page it keeps is still the
-- page (issue 17, item 4). Triggers, so no write can forget it. On SQLite
-- writers take turns, so versions commit in order.
CREATE TABLE list_versions (
    name TEXT PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL
);
INSERT INTO list_versions (name, version) VALUES ('employees', 0);

CREATE TRIGGER employees_list_version_insert AFTER INSERT ON employees
BEGIN UPDATE list_versions SET version = version + 1 WHERE name = 'employees'; END;
CREATE TRIGGER employees_list_version_update AFTER UPDATE ON employees
BEGIN UPDATE list_versions SET version = version + 1 WHERE name = 'employees'; END;
CREATE TRIGGER employees_list_version_delete AFTER DELETE ON employees
BEGIN UPDATE list_versions SET version = version + 1 WHERE name = 'employees'; END;
CREATE TRIGGER organisations_list_version_insert AFTER INSERT ON organisations
BEGIN UPDATE list_versions SET version = version + 1 WHERE name = 'employees'; END;
CREATE TRIGGER organisations_list_version_update AFTER UPDATE ON organisations
BEGIN UPDATE list_versions SET version = version + 1 WHERE name = 'employees'; END;
CREATE TRIGGER organisations_list_version_delete AFTER DELETE ON organisations
BEGIN UPDATE list_versions SET version = version + 1 WHERE name = 'employees'; END;
