-- expect: drop-table 2:12
DROP TABLE orders;
