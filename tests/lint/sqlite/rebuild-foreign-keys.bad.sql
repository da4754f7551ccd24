-- expect: rebuild-foreign-keys 5:12
CREATE TABLE new_users (id integer PRIMARY KEY, email text NOT NULL DEFAULT '', legacy text);
INSERT INTO new_users (id, email, legacy) SELECT id, coalesce(email, ''), legacy FROM users;
PRAGMA foreign_keys = OFF;
DROP TABLE users;
ALTER TABLE new_users RENAME TO users;
