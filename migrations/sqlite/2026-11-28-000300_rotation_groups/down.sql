DROP TABLE ministry_groups;
DROP TABLE ministry_group_sets;
