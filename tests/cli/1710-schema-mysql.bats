#!/usr/bin/env bats
# Covers what autogenerate, check, diff and dump do only on MySQL/MariaDB
# (the private test server): table engines, charsets, collations and
# comments; columns retyped (with the warning), given defaults, NOT NULL,
# AUTO_INCREMENT, a charset of their own and comments, all with MODIFY
# COLUMN; stored and virtual generated columns; primary keys changed in
# one statement; foreign keys with their actions, and in a cycle; check
# constraints; FULLTEXT, SPATIAL, prefix and descending keys; views over
# views, SQL SECURITY and CHECK OPTION; and the scratch database the
# schema loads into: never left behind, and a clear refusal when the user
# may not create it.  Each revision applies, the database then matches the
# schema, and its downgrade restores the original (schema_roundtrip).  What
# every backend does: shared/0200-schema.bats; 50+ table schemas:
# 1500-real-schemas.bats.

load helpers
backend mysql

U='CREATE TABLE users (id int PRIMARY KEY AUTO_INCREMENT, email varchar(255) NOT NULL UNIQUE, name varchar(100) DEFAULT '"'anon'"');'

# scratch_left: the scratch databases left on the server by a process that
# has ended (a run beside this one may hold its own while it runs)
scratch_left() {
	local db
	my_admin "SHOW DATABASES LIKE 'retort\\_scratch\\_%'" | while read -r db; do
		kill -0 "${db#retort_scratch_}" 2>/dev/null || echo "$db"
	done
}

@test "mysql schema: engine, charset, collation and comment of a table change in place" {
	schema_roundtrip "CREATE TABLE t (id int PRIMARY KEY, s varchar(10)) ENGINE=MyISAM DEFAULT CHARSET=latin1;" \
		"CREATE TABLE t (id int PRIMARY KEY, s varchar(10)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='who''s who';"
	[[ "$DRIFT" == *"table t: options differ: 'ENGINE=MyISAM DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci' -> 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci'"* ]]
	[[ "$DRIFT" == *"table t: comment differs"* ]]
	grep -q "^ALTER TABLE \`t\` ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='who''s who';" "$CHANGE"
	# the column keeps its charset unless it changes too: it follows the table's here
	grep -q "^ALTER TABLE \`t\` MODIFY COLUMN \`s\` varchar(10) DEFAULT NULL;" "$CHANGE"
	# and back: the comment is cleared
	grep -q "^ALTER TABLE \`t\` ENGINE=MyISAM DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci COMMENT='';" "$CHANGE"
}

@test "mysql schema: columns retyped, defaulted, made NOT NULL, given a charset and a comment" {
	schema_roundtrip "$U" "CREATE TABLE users (id bigint unsigned PRIMARY KEY AUTO_INCREMENT, email varchar(255) CHARACTER SET ascii NOT NULL UNIQUE, name varchar(100) NOT NULL DEFAULT 'someone' COMMENT 'shown', created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP);"
	[[ "$DRIFT" == *"table users: column id: type int(11) -> bigint(20) unsigned"* ]]
	[[ "$DRIFT" == *"table users: column name differs: varchar(100) DEFAULT 'anon' -> varchar(100) NOT NULL DEFAULT 'someone' COMMENT 'shown'"* ]]
	[[ "$DRIFT" == *"table users: column created_at missing"* ]]
	grep -q "WARNING: changes the type of users.id, copying the table" "$CHANGE"
	grep -q "^ALTER TABLE \`users\` MODIFY COLUMN \`id\` bigint(20) unsigned NOT NULL AUTO_INCREMENT;" "$CHANGE"
	grep -q "^ALTER TABLE \`users\` MODIFY COLUMN \`email\` varchar(255) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL;" "$CHANGE"
	grep -q "^ALTER TABLE \`users\` ADD COLUMN \`created_at\` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp() AFTER \`name\`;" "$CHANGE"
}

@test "mysql schema: a column added first or in the middle keeps its place" {
	schema_roundtrip "$U" "CREATE TABLE users (tenant int NOT NULL DEFAULT 0, id int PRIMARY KEY AUTO_INCREMENT, email varchar(255) NOT NULL UNIQUE, age int, name varchar(100) DEFAULT 'anon');"
	grep -q "^ALTER TABLE \`users\` ADD COLUMN \`tenant\` int(11) NOT NULL DEFAULT 0 FIRST;" "$CHANGE"
	grep -q "^ALTER TABLE \`users\` ADD COLUMN \`age\` int(11) DEFAULT NULL AFTER \`email\`;" "$CHANGE"
	[ "$(db_sql "SELECT GROUP_CONCAT(column_name ORDER BY ordinal_position) FROM information_schema.columns
		WHERE table_schema = DATABASE() AND table_name = 'users'")" = "tenant,id,email,age,name" ]
}

@test "mysql schema: stored and virtual generated columns; a plain column becoming generated is re-added" {
	schema_roundtrip "CREATE TABLE p (id int PRIMARY KEY, w int, h int, area int);" \
		"CREATE TABLE p (id int PRIMARY KEY, w int, h int, area int AS (w * h) STORED, half int AS (w DIV 2) VIRTUAL);"
	[[ "$DRIFT" == *"table p: column area: generation differs"* ]]
	grep -q "WARNING: drops column p.area and its data" "$CHANGE"
	grep -q "^ALTER TABLE \`p\` ADD COLUMN \`area\` int(11) GENERATED ALWAYS AS (\`w\` \* \`h\`) STORED AFTER \`h\`;" "$CHANGE"
	grep -q "^ALTER TABLE \`p\` ADD COLUMN \`half\` int(11) GENERATED ALWAYS AS (\`w\` DIV 2) VIRTUAL AFTER \`area\`;" "$CHANGE"
}

@test "mysql schema: a primary key changes in one statement" {
	schema_roundtrip "CREATE TABLE m (a int NOT NULL, b int NOT NULL, PRIMARY KEY (a));" \
		"CREATE TABLE m (a int NOT NULL, b int NOT NULL, PRIMARY KEY (a, b));"
	[[ "$DRIFT" == *"table m: primary key differs"* ]]
	grep -q "^ALTER TABLE \`m\` DROP PRIMARY KEY, ADD PRIMARY KEY (\`a\`,\`b\`);" "$CHANGE"
}

@test "mysql schema: foreign keys with their actions change; a cycle is closed once both tables exist" {
	schema_roundtrip "$U
CREATE TABLE posts (id int PRIMARY KEY, user_id int, CONSTRAINT posts_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE);" "$U
CREATE TABLE posts (id int PRIMARY KEY, user_id int, editor_id int, CONSTRAINT posts_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL ON UPDATE CASCADE, CONSTRAINT posts_editor FOREIGN KEY (editor_id) REFERENCES users (id));
CREATE TABLE a (id int PRIMARY KEY, b_id int, CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES b (id));
CREATE TABLE b (id int PRIMARY KEY, a_id int, CONSTRAINT b_a FOREIGN KEY (a_id) REFERENCES a (id));"
	[[ "$DRIFT" == *"table posts: constraint posts_user differs"* ]]
	[[ "$DRIFT" == *"table posts: constraint posts_editor missing"* ]]
	grep -q "^ALTER TABLE \`posts\` DROP FOREIGN KEY \`posts_user\`;" "$CHANGE"
	grep -q "^ALTER TABLE \`posts\` ADD CONSTRAINT \`posts_user\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\` (\`id\`) ON DELETE SET NULL ON UPDATE CASCADE;" "$CHANGE"
	# a is created first, without its key to b; the key follows b
	grep -q "^ALTER TABLE \`a\` ADD CONSTRAINT \`a_b\` FOREIGN KEY (\`b_id\`) REFERENCES \`b\` (\`id\`);" "$CHANGE"
	# and the downgrade drops the cycle's key before either table
	sed -n '/migrate:downgrade/,$p' "$CHANGE" | grep -B100 '^DROP TABLE `b`' | grep -q 'DROP FOREIGN KEY `a_b`'
}

@test "mysql schema: check constraints are added, changed and dropped" {
	schema_roundtrip "CREATE TABLE s (id int PRIMARY KEY, qty int, CONSTRAINT qty_pos CHECK (qty > 0), CONSTRAINT qty_small CHECK (qty < 10));" \
		"CREATE TABLE s (id int PRIMARY KEY, qty int, CONSTRAINT qty_pos CHECK (qty >= 0), CONSTRAINT id_pos CHECK (id > 0));"
	[[ "$DRIFT" == *"table s: constraint qty_pos differs"* ]]
	[[ "$DRIFT" == *"table s: constraint qty_small unexpected"* ]]
	[[ "$DRIFT" == *"table s: constraint id_pos missing"* ]]
	grep -q "^ALTER TABLE \`s\` DROP CONSTRAINT \`qty_small\`;" "$CHANGE"
	grep -q "^ALTER TABLE \`s\` ADD CONSTRAINT \`qty_pos\` CHECK (\`qty\` >= 0);" "$CHANGE"
}

@test "mysql schema: FULLTEXT, SPATIAL, prefix and descending keys" {
	schema_roundtrip "CREATE TABLE doc (id int PRIMARY KEY, title varchar(200), body text, at point NOT NULL);" \
		"CREATE TABLE doc (id int PRIMARY KEY, title varchar(200), body text, at point NOT NULL,
  FULLTEXT KEY doc_body (body), SPATIAL KEY doc_at (at), KEY doc_title (title(20) DESC, id));"
	[[ "$DRIFT" == *"index doc.doc_body missing"* ]]
	grep -q "^ALTER TABLE \`doc\` ADD FULLTEXT KEY \`doc_body\` (\`body\`);" "$CHANGE"
	grep -q "^ALTER TABLE \`doc\` ADD SPATIAL KEY \`doc_at\` (\`at\`);" "$CHANGE"
	grep -q "^ALTER TABLE \`doc\` ADD KEY \`doc_title\` (\`title\`(20) DESC,\`id\`);" "$CHANGE"
	grep -q "^ALTER TABLE \`doc\` DROP INDEX \`doc_body\`;" "$CHANGE"
}

@test "mysql schema: views over views are created in order, with SQL SECURITY and CHECK OPTION" {
	schema_roundtrip "$U" "$U
CREATE SQL SECURITY INVOKER VIEW z_named AS SELECT id, name FROM users WHERE name IS NOT NULL WITH CHECK OPTION;
CREATE VIEW a_top AS SELECT name FROM z_named WHERE id < 10;"
	[[ "$DRIFT" == *"view a_top missing"* ]]
	up=$(sed -n '/migrate:upgrade/,/migrate:downgrade/p' "$CHANGE" | grep '^CREATE' | grep -o 'VIEW `[a-z_]*`')
	[ "$(echo $up)" = 'VIEW `z_named` VIEW `a_top`' ]
	grep -q '^CREATE SQL SECURITY INVOKER VIEW `z_named` AS select' "$CHANGE"
	grep -q "WITH CASCADED CHECK OPTION;" "$CHANGE"
	down=$(sed -n '/migrate:downgrade/,$p' "$CHANGE" | grep '^DROP VIEW' | cut -d' ' -f3)
	[ "$(echo $down)" = '`a_top`; `z_named`;' ]
}

@test "mysql schema: SHOW CREATE TABLE is read by MySQL's quoting rules, and a view's literals stay as written" {
	# commas, parentheses and quotes inside names, comments and a view's
	# string; only the view's names lose the database's `db`. prefix
	cat >live.sql <<EOF
CREATE TABLE \`we(ird, t\` (id int PRIMARY KEY, \`c,1\` int COMMENT 'a, b (c) ''d'' \`e\`',
  CONSTRAINT \`x\`\`y\` CHECK (\`c,1\` > 0)) COMMENT='it''s, (odd)';
CREATE VIEW v AS SELECT '\`$MY_DB\`.x' AS s, id FROM \`we(ird, t\`;
EOF
	db_load live.sql
	run rt -q dump -o dump.sql
	[ "$status" -eq 0 ]
	grep -qF "  \`c,1\` int(11) DEFAULT NULL COMMENT 'a, b (c) ''d'' \`e\`'," dump.sql
	grep -qF '  CONSTRAINT `x``y` CHECK (`c,1` > 0)' dump.sql
	grep -qF "COMMENT='it''s, (odd)';" dump.sql
	grep -qF "CREATE VIEW \`v\` AS select '\`$MY_DB\`.x' AS \`s\`,\`we(ird, t\`.\`id\` AS \`id\` from \`we(ird, t\`;" dump.sql
	# and the dump reads back as the same schema
	run rt -q diff --from dump.sql --to database
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "mysql schema: a version table named with a backslash is still left out of the schema" {
	# the name reaches the server as a literal, where a backslash escapes
	mkdir -p migrations/versions
	echo "$U" >migrations/schema.sql
	rt -q --version-table 'v\x' revision --autogenerate -m base
	rt -q --version-table 'v\x' upgrade head
	[ "$(db_sql "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'v\\\\x'")" = 1 ]
	run rt -q --version-table 'v\x' check
	[ "$status" -eq 0 ]
	[[ "$output" == *"matches the schema in migrations/schema.sql" ]]
}

@test "mysql schema: the scratch database is never left behind, after a load error too" {
	mkdir -p migrations/versions
	echo "$U" >migrations/schema.sql
	rt -q revision --autogenerate -m base
	rt -q upgrade head
	run rt -q check
	[ "$status" -eq 0 ]
	printf '%s\nCREATE TABLE broken (id int REFERENCES nowhere(id) ON DELETE WHATEVER);\n' "$U" >migrations/schema.sql
	run rt -q check
	[ "$status" -eq 2 ]
	[[ "$output" == *"migrations/schema.sql:2:"*"1064 (42000)"* ]]
	[ -z "$(scratch_left)" ]
}

@test "mysql schema: a user who may not create the scratch database is told what to grant" {
	mkdir -p migrations/versions
	echo "$U" >migrations/schema.sql
	my_admin "DROP USER IF EXISTS 'lim_$MY_DB'@'localhost'; CREATE USER 'lim_$MY_DB'@'localhost';
		GRANT ALL ON \`$MY_DB\`.* TO 'lim_$MY_DB'@'localhost'"
	url="mysql://lim_$MY_DB@localhost/$MY_DB?unix_socket=$RETORT_TEST_MYSQL_SOCKET"
	DATABASE_URL=$url run rt -q check
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot create a scratch database to load the schema into (grant the user ALL on \`retort\\_scratch\\_%\`.*)"*"Access denied"* ]]
	[ -z "$(db_tables)" ]
	my_admin "GRANT ALL ON \`retort\\_scratch\\_%\`.* TO 'lim_$MY_DB'@'localhost'"
	DATABASE_URL=$url run rt -q revision --autogenerate -m base
	[ "$status" -eq 0 ]
	my_admin "DROP USER 'lim_$MY_DB'@'localhost'"
	[ -z "$(scratch_left)" ]
}

@test "mysql schema: a MySQL schema is not compared with a SQLite one" {
	copy="sqlite:///$TEST_DIR/other.db"
	run rt -q diff --from "$copy" --to database
	[ "$status" -eq 64 ]
	[[ "$output" == *"cannot compare a SQLite schema"*"with a MySQL one"* ]]
}
