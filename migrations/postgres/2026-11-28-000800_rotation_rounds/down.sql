DROP TABLE rotation_preferences;
DROP TABLE rotation_rounds;
