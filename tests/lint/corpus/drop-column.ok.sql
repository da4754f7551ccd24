SET lock_timeout = '5s';
CREATE TABLE drafts (id int, body text);
ALTER TABLE drafts DROP COLUMN body;
