-- MACP-9: the ways an approved deputationist may draw pay, decided when
-- DoPT approves, on the pay held then (null: not approved, the pay held
-- not a cell of the matrix, or approved before this was kept).
ALTER TABLE deputation_applications ADD COLUMN pay_options TEXT;
