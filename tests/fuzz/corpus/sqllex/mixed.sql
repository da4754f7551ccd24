CREATE TABLE t (a text DEFAULT 'it''s;', "we;ird" int); -- c;
INSERT INTO t VALUES (E'\';', $$x;y$$, $tag$ ; $tag$);
/* outer /* nested ; */ still */ SELECT 1;;
