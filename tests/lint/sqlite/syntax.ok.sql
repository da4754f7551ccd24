CREATE TABLE fine (id integer);
DROP TABLE fine;
