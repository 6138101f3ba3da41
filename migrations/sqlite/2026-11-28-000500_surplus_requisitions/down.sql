DROP TABLE surplus_nominations;
DROP TABLE surplus_requisitions;
