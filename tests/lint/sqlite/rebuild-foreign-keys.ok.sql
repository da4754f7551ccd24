-- section: transaction:false
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE new_users (id integer PRIMARY KEY, email text NOT NULL DEFAULT '', legacy text);
INSERT INTO new_users (id, email, legacy) SELECT id, coalesce(email, ''), legacy FROM users;
DROP TABLE users;
ALTER TABLE new_users RENAME TO users;
PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
