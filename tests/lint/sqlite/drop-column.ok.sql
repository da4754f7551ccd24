CREATE TABLE audit (id integer PRIMARY KEY, note text, tmp text);
ALTER TABLE audit DROP COLUMN tmp;
