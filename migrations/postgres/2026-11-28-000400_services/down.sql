DROP TABLE employee_interests;
DROP TABLE interest_sets;
DROP TABLE competency_areas;
DROP TABLE rti_requests;
DROP TABLE exgratia_cases;
