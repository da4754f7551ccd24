SET lock_timeout = '5s';
CREATE TABLE scratch (id int);
DROP TABLE scratch;
