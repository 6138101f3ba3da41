-- TRN-1, DELPGE para 7(vi): the applicant encloses an employment
-- certificate as per the prescribed proforma. Enrolments taken before it
-- was asked for have none.
ALTER TABLE delpge_enrolments ADD COLUMN certificate_reference TEXT;
ALTER TABLE delpge_enrolments ADD COLUMN certificate_issued_by TEXT;
ALTER TABLE delpge_enrolments ADD COLUMN certificate_issued_on DATE;
