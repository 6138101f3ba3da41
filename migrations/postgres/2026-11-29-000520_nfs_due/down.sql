DROP TABLE nfs_due;
