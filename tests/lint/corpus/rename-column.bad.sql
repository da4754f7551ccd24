-- expect: rename-column 3:33
SET lock_timeout = '5s';
ALTER TABLE users RENAME COLUMN email TO mail;
