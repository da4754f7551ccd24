-- section: transaction:false
-- an index on a table this migration creates needs no CONCURRENTLY
SET lock_timeout = '5s';
CREATE INDEX CONCURRENTLY users_email ON users (email);
DROP INDEX CONCURRENTLY orders_user;
CREATE TABLE tags (id int, name text);
CREATE INDEX tags_name ON tags (name);
