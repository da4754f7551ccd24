-- MySQL's own SQL
--
-- Revision ID: 1a2b3c4d5e6f
-- Revises:

-- migrate:upgrade
CREATE TABLE `order` (`id;x` INT PRIMARY KEY, note TEXT); # a comment; with a semicolon
/*!40101 SET @retort_seen = 'version; comment' */;
INSERT INTO `order` VALUES (1, 'it\'s; "quoted"'), (2, "dq; \"x\""), (3, @retort_seen);
CREATE TABLE audit (n INT);
DELIMITER //
CREATE PROCEDURE bump()
BEGIN
  INSERT INTO audit VALUES (1);
  INSERT INTO audit VALUES (2);
END //
CREATE TRIGGER order_ins AFTER INSERT ON `order` FOR EACH ROW
BEGIN
  IF NEW.`id;x` > 10 THEN
    INSERT INTO audit VALUES (NEW.`id;x`);
  END IF;
END//
DELIMITER ;
CALL bump();
INSERT INTO `order` VALUES (11, 'fires the trigger');

-- migrate:downgrade
DROP TRIGGER order_ins;
DROP PROCEDURE bump;
DROP TABLE audit;
DROP TABLE `order`;
