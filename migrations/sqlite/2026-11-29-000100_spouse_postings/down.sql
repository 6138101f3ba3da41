DROP TABLE spouse_postings;
