-- The version of everything an employee list page is read from (the
-- employees, and the organisations that decide a nodal officer's scope).
-- Every write to those tables bumps it in its own transaction, so an
-- instance can tell with one read whether a page it keeps is still the
-- page (issue 17, item 4). Triggers, so no write can forget it. The bump
-- holds the row's lock until commit, so versions commit in order and a
-- reader that sees version v sees exactly the writes up to v.
CREATE TABLE list_versions (
    name TEXT PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL
);
INSERT INTO list_versions (name, version) VALUES ('employees', 0);

CREATE FUNCTION bump_employees_list_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE list_versions SET version = version + 1 WHERE name = 'employees';
    RETURN NULL;
END
$$;

CREATE TRIGGER employees_list_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON employees
    FOR EACH STATEMENT EXECUTE FUNCTION bump_employees_list_version();
CREATE TRIGGER organisations_list_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organisations
    FOR EACH STATEMENT EXECUTE FUNCTION bump_employees_list_version();
