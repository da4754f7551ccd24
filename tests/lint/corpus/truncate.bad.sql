-- expect: truncate 3:10
SET lock_timeout = '5s';
TRUNCATE orders;
