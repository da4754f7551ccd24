SET lock_timeout = '5s';
CREATE VIEW purchases AS SELECT * FROM orders;
