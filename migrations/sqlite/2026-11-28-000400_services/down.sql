DROP TABLE delpge_claims;
DROP TABLE delpge_enrolments;
DROP TABLE delpge_programmes;
DROP TABLE employee_interests;
DROP TABLE interest_sets;
DROP TABLE competency_areas;
DROP TABLE rti_requests;
DROP TABLE exgratia_cases;
