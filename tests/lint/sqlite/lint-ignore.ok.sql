-- retort:lint-ignore drop-column no release reads users.legacy since 2.3
ALTER TABLE users DROP COLUMN legacy;
