DROP TABLE working_strength;
DROP TABLE working_strength_sets;
DROP TABLE validation_rounds;
DROP TABLE profiles;
