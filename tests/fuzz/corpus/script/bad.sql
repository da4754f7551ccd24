-- no id
SELECT 1;
