DROP TRIGGER organisations_list_version ON organisations;
DROP TRIGGER employees_list_version ON employees;
DROP FUNCTION bump_employees_list_version();
DROP TABLE list_versions;
