ALTER TABLE deputation_applications DROP COLUMN pay_options;
