-- expect: syntax 3:30
SET lock_timeout = '5s';
ALTER TABLE users ADD COLUMN ;
