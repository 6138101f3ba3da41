-- NFS-1: the date each SO (CSS) / PS (CSSS) completes 4 years of approved
-- service in the grade, kept beside the record with an index (issue 17), as
-- the MACP due dates are; replaced with every write of the employee.
CREATE TABLE nfs_due (
    employee_code TEXT PRIMARY KEY NOT NULL REFERENCES employees (code) ON DELETE CASCADE,
    completes_on DATE NOT NULL
);
CREATE INDEX nfs_due_on ON nfs_due (completes_on);
