-- The employee list by cadre and grade (a grade's roster, the list most
-- read) answered from this index alone where the table's pages are all
-- visible (an index-only scan): it includes every column a list summary
-- shows (`employees::listing`), so a page reads no table row
-- (bench/speed.md, "The filtered list, a page not kept, third pass").
DROP INDEX employees_cadre_grade;
CREATE INDEX employees_cadre_grade ON employees (cadre, grade, code)
    INCLUDE (name, service_group, pay_level, pay_cell, org_id, station, station_state, updated_at);
