-- expect: constraint-without-not-valid 4:24
-- expect: constraint-without-not-valid 5:24
SET lock_timeout = '5s';
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);
