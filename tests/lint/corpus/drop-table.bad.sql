-- expect: drop-table 3:12
SET lock_timeout = '5s';
DROP TABLE orders;
