CREATE TABLE scratch (id integer);
DROP TABLE scratch;
-- the rebuild of a table no other table references: orders is still there after it
CREATE TABLE new_orders (id integer PRIMARY KEY, user_id integer REFERENCES users (id) ON DELETE CASCADE, total numeric NOT NULL DEFAULT 0);
INSERT INTO new_orders (id, user_id, total) SELECT id, user_id, coalesce(total, 0) FROM orders;
DROP TABLE orders;
ALTER TABLE new_orders RENAME TO orders;
CREATE INDEX orders_user ON orders (user_id);
