DROP TABLE rotation_representations;
