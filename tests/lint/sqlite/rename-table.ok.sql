CREATE TABLE staging (id integer);
ALTER TABLE staging RENAME TO archive;
CREATE VIEW members AS SELECT * FROM users;
