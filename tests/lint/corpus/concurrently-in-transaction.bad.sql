-- expect: concurrently-in-transaction 3:14
SET lock_timeout = '5s';
CREATE INDEX CONCURRENTLY users_email ON users (email);
