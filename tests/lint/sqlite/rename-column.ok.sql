ALTER TABLE users ADD COLUMN mail text;
CREATE TABLE audit (id integer PRIMARY KEY, note text);
ALTER TABLE audit RENAME COLUMN note TO remark;
