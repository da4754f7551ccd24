-- expect: rename-column 2:33
ALTER TABLE users RENAME COLUMN email TO mail;
-- expect: rename-column 4:27
ALTER TABLE orders RENAME total TO amount;
