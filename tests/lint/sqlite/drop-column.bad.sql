-- expect: drop-column 2:31
ALTER TABLE users DROP COLUMN legacy;
-- expect: drop-column 4:26
ALTER TABLE "users" DROP [email];
