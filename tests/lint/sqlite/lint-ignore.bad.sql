-- expect: lint-ignore 3:23
-- expect: drop-column 4:31
-- retort:lint-ignore drop-column
ALTER TABLE users DROP COLUMN legacy;
