DROP TABLE workflow_steps;
DROP TABLE deputation_applications;
DROP TABLE deputation_advert_versions;
DROP TABLE deputation_adverts;
DROP TABLE foreign_visits;
