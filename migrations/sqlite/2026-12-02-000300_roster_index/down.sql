DROP INDEX employees_cadre_grade;
CREATE INDEX employees_cadre_grade ON employees (cadre, grade, code);
