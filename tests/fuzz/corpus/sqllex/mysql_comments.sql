/*!40101 SET a=1; */;
# c
SELECT `x`, "a\"b" -- c
1--1;
DELIMITER $$
SELECT 1$$
delimiter ;
