-- expect: syntax 2:33
CREATE TABLE broken (id integer,);
DROP TABLE orders;
