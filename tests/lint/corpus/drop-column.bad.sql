-- expect: drop-column 3:31
SET lock_timeout = '5s';
ALTER TABLE users DROP COLUMN legacy;
