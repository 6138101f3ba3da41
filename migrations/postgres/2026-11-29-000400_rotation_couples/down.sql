DROP TABLE rotation_couples;
