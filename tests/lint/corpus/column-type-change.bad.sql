-- expect: column-type-change 3:33
SET lock_timeout = '5s';
ALTER TABLE orders ALTER COLUMN total TYPE bigint;
