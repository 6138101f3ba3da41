ALTER TABLE delpge_enrolments DROP COLUMN certificate_issued_on;
ALTER TABLE delpge_enrolments DROP COLUMN certificate_issued_by;
ALTER TABLE delpge_enrolments DROP COLUMN certificate_reference;
