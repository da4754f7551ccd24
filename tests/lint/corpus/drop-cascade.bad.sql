-- expect: drop-cascade 3:34
SET lock_timeout = '5s';
DROP VIEW IF EXISTS order_totals CASCADE;
