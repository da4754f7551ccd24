-- expect: rename-table 3:13
SET lock_timeout = '5s';
ALTER TABLE orders RENAME TO purchases;
