-- expect: enum-recreate 4:13
SET lock_timeout = '5s';
ALTER TYPE mood RENAME TO mood_old;
CREATE TYPE mood AS ENUM ('happy');
DROP TYPE mood_old;
