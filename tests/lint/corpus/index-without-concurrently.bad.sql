-- expect: index-without-concurrently 4:1
-- expect: index-without-concurrently 5:12
SET lock_timeout = '5s';
CREATE INDEX users_email ON users (email);
DROP INDEX orders_user;
