DROP TABLE kept_dates_revision;
