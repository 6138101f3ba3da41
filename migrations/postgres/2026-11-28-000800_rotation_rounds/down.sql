DROP TABLE rotation_runs;
DROP TABLE rotation_preferences;
DROP TABLE rotation_rounds;
