-- expect: rename-table 2:13
ALTER TABLE users RENAME TO members;
