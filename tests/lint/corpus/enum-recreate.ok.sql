-- a type created in this migration may be dropped and created again
ALTER TYPE mood ADD VALUE 'calm';
CREATE TYPE colour AS ENUM ('red');
DROP TYPE colour;
CREATE TYPE colour AS ENUM ('red', 'blue');
