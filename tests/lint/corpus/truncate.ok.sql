DELETE FROM orders WHERE total < 0;
