-- expect: lint-ignore 4:23
-- expect: truncate 5:10
SET lock_timeout = '5s';
-- retort:lint-ignore truncate
TRUNCATE orders;
