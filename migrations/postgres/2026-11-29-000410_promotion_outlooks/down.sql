DROP TABLE promotion_outlooks;
