-- MACP-1, NFS-1: the revision of the engines' rules the kept MACP due dates
-- (macp_due) and NFS completions (nfs_due) were computed by. A start whose
-- engines are of another revision computes every employee's again and then
-- records its own; until it has, the row keeps the old one, so a start that
-- fails halfway is followed by one that does it again.
CREATE TABLE kept_dates_revision (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    revision TEXT NOT NULL CHECK (length(revision) BETWEEN 1 AND 64)
);
