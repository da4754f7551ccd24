SET lock_timeout = '5s';
-- retort:lint-ignore truncate orders is a cache, rebuilt nightly
TRUNCATE orders;
