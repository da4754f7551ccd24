#!/usr/bin/env bats
# Covers autogenerate, check (drift, --json), diff and dump, the same on
# every backend (tests/run.sh runs this file once per backend): for each
# kind of change every database has (a table, its order among tables, a
# column, indexes, names that need quoting, a rename), the generated
# revision applies, the database then matches the schema, and its
# downgrade restores the original exactly (schema_roundtrip in
# helpers.bash); what does not count as drift; a dump loads back into an
# empty database and diffs as equal; the version table is never part of a
# schema; and the errors (a bad or missing schema file, a database not at
# head).  Objects and changes only one database has: 1300-schema-sqlite.bats
# (table rebuilds, triggers), 1400-schema-pg.bats (types, identity,
# enums, sequences, comments, constraints altered in place) and
# 1710-schema-mysql.bats (engines, charsets, keys, generated columns).

load ../helpers
shared_scenarios

# MySQL keys a column of a bounded type only, and writes every name quoted
T=$(by_backend sqlite='CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT);' \
	postgresql='CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT);' \
	mysql='CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE, name TEXT);')

# q NAME: NAME as this backend's generated SQL spells it
q() {
	by_backend sqlite="$1" postgresql="$1" mysql="\`$1\`"
}

@test "a new table, with its index, is created; downgrade drops it" {
	schema_roundtrip "$T" "$T
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id) ON DELETE CASCADE, title TEXT);
CREATE INDEX posts_user ON posts (user_id);"
	[[ "$DRIFT" == *"table posts missing"* ]]
	grep -q "^CREATE TABLE $(q posts)" "$CHANGE"
	grep -q "$(by_backend sqlite='^CREATE INDEX posts_user ON posts' postgresql='^CREATE INDEX posts_user ON posts' \
		mysql='^  KEY `posts_user` (`user_id`)')" "$CHANGE"
	grep -q "^DROP TABLE $(q posts);" "$CHANGE"
	grep -q "WARNING: drops table posts and its data" "$CHANGE"
}

@test "tables are created referenced-first and dropped in reverse" {
	# b, which references a, comes first (PostgreSQL loads the file in
	# order, so there the reference is added after both tables)
	schema_roundtrip "" "$(by_backend sqlite="CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));
CREATE TABLE a (id INTEGER PRIMARY KEY);" postgresql="CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER);
CREATE TABLE a (id INTEGER PRIMARY KEY);
ALTER TABLE b ADD FOREIGN KEY (a_id) REFERENCES a(id);" mysql="CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER, FOREIGN KEY (a_id) REFERENCES a(id));
CREATE TABLE a (id INTEGER PRIMARY KEY);")"
	up=$(sed -n '/migrate:upgrade/,/migrate:downgrade/p' "$CHANGE" | grep '^CREATE TABLE' | cut -d' ' -f3)
	[ "$(echo $up)" = "$(q a) $(q b)" ]
	down=$(sed -n '/migrate:downgrade/,$p' "$CHANGE" | grep '^DROP TABLE' | cut -d' ' -f3)
	[ "$(echo $down)" = "$(q b); $(q a);" ]
}

@test "a plain column is added with ALTER TABLE, dropped with DROP COLUMN" {
	schema_roundtrip "$T" "${T%);}, phone TEXT NOT NULL DEFAULT '');"
	[[ "$DRIFT" == *"table users: column phone missing"* ]]
	grep -q "^ALTER TABLE $(q users) ADD COLUMN $(by_backend sqlite="phone TEXT NOT NULL DEFAULT ''" \
		postgresql="phone text DEFAULT ''::text NOT NULL;" mysql="\`phone\` text NOT NULL DEFAULT '' AFTER \`name\`;")" "$CHANGE"
	grep -q "^ALTER TABLE $(q users) DROP COLUMN $(q phone);" "$CHANGE"
}

@test "unique, partial, expression, prefix and descending indexes, and a changed index" {
	# PostgreSQL: email is a varchar, so its reader's casts show in the index.
	# MySQL: no partial or expression index (MariaDB), but key prefixes; its
	# keys are named per table, so the change lines say table.key
	u=$(by_backend sqlite="$T" mysql="$T" postgresql='CREATE TABLE users (id bigserial PRIMARY KEY, email varchar(255) NOT NULL UNIQUE, name text);')
	schema_roundtrip "$u
CREATE INDEX users_name ON users ($(by_backend sqlite=name postgresql=name mysql='name(20)'));" "$u
CREATE INDEX users_name ON users ($(by_backend sqlite='name DESC' postgresql='name DESC NULLS LAST' mysql='name(20) DESC'), email);
$(by_backend sqlite="CREATE UNIQUE INDEX users_lower_email ON users (lower(email)) WHERE email <> '';" \
	postgresql="CREATE UNIQUE INDEX users_lower_email ON users (lower(email)) WHERE email <> '';" \
	mysql="CREATE UNIQUE INDEX users_lower_email ON users (email(20) DESC);")"
	key=$(by_backend sqlite=users_name postgresql=users_name mysql=users.users_name)
	[[ "$DRIFT" == *"index $key differs"* ]]
	[[ "$DRIFT" == *"index ${key%users_name}users_lower_email missing"* ]]
	grep -q "$(by_backend sqlite='^DROP INDEX users_name;' postgresql='^DROP INDEX users_name;' \
		mysql='^ALTER TABLE `users` DROP INDEX `users_name`, ADD KEY `users_name` (`name`(20) DESC,`email`);')" "$CHANGE"
	grep -qF "$(by_backend sqlite="CREATE UNIQUE INDEX users_lower_email ON users (lower(email)) WHERE email <> '';" \
		postgresql="CREATE UNIQUE INDEX users_lower_email ON users USING btree (lower((email)::text)) WHERE ((email)::text <> ''::text);" \
		mysql='ALTER TABLE `users` ADD UNIQUE KEY `users_lower_email` (`email`(20) DESC);')" "$CHANGE"
}

@test "quoted names survive the round trip" {
	# MySQL quotes names with backticks ("..." is a string there)
	local d='"' b='`'
	d=$(by_backend sqlite="$d" postgresql="$d" mysql="$b")
	schema_roundtrip "" "CREATE TABLE ${d}Order Items$d (${d}Id$d int PRIMARY KEY, ${d}select$d text, ${d}Qty$d int CHECK (${d}Qty$d > 0));
CREATE INDEX ${d}Order Items By Qty$d ON ${d}Order Items$d (${d}Qty$d);"
	grep -q "CREATE TABLE ${d}Order Items$d" "$CHANGE"
}

@test "a dropped and an added column of one type are pointed out as a rename" {
	schema_roundtrip "$T" "${T/ name / full_name }"
	grep -q 'if this is a rename' "$CHANGE"
	grep -q "ALTER TABLE $(q users) RENAME COLUMN $(q name) TO $(q full_name)" "$CHANGE"
}

@test "formatting, case and quoting do not count as drift" {
	mkdir -p migrations/versions
	echo "$T" >migrations/schema.sql
	rt -q revision --autogenerate -m base
	rt -q upgrade head
	printf 'create table "USERS" (\n  ID integer primary key, -- the key\n  email %s not null unique,\n  name text\n);\n' \
		"$(by_backend sqlite=text postgresql=text mysql='varchar(255)')" >migrations/schema.sql
	sed -i 's/"USERS"/"users"/; s/ID integer/id integer/' migrations/schema.sql
	[ "$TEST_BACKEND" != mysql ] || sed -i 's/"users"/`users`/' migrations/schema.sql
	run rt -q check
	[ "$status" -eq 0 ]
}

@test "no changes writes nothing, --empty writes an empty revision" {
	mkdir -p migrations/versions
	echo "$T" >migrations/schema.sql
	rt -q revision --autogenerate -m base
	rt -q upgrade head
	run rt -q revision --autogenerate -m nothing
	[ "$status" -eq 0 ]
	[ "$output" = "No changes in schema detected." ]
	[ "$(ls migrations/versions | wc -l)" -eq 1 ]
	run rt -q revision --autogenerate --empty -m nothing
	[ "$status" -eq 0 ]
	[ "$(ls migrations/versions | wc -l)" -eq 2 ]
}

@test "autogenerate refuses a database that is not at head" {
	mkdir -p migrations/versions
	echo "$T" >migrations/schema.sql
	rt -q revision --autogenerate -m base
	run rt -q revision --autogenerate -m again
	[ "$status" -eq 2 ]
	[[ "$output" == *"target database is not up to date: 1 migration pending; run 'retort upgrade head' first"* ]]
	[ "$(ls migrations/versions | wc -l)" -eq 1 ]
}

@test "an error in the schema file names file:line:col and changes nothing" {
	mkdir -p migrations/versions
	printf 'CREATE TABLE a (id INTEGER PRIMARY KEY);\n\nCREATE TABLE b (id INTEGER PRIMARY KEY,, x);\n' >migrations/schema.sql
	run rt -q revision --autogenerate -m bad
	[ "$status" -eq 2 ]
	# MariaDB points past the second comma, at the text it quotes
	want=$(by_backend sqlite='3:40: near ",": syntax error' postgresql='3:40: 42601: syntax error at or near ","' \
		mysql="3:41: 1064 (42000): You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near ' x)' at line 1")
	[[ "$output" == *"migrations/schema.sql:$want (loading the schema)"* ]]
	[ -z "$(ls migrations/versions)" ]
	[ -z "$(db_tables)" ]
}

@test "a missing schema file says how to make one" {
	mkdir -p migrations/versions
	run rt -q revision --autogenerate -m x
	[ "$status" -eq 2 ]
	[[ "$output" == *"schema 'migrations/schema.sql' does not exist"*"retort dump -o migrations/schema.sql"* ]]
	run rt -q --schema nowhere.sql check
	[ "$status" -eq 2 ]
	[[ "$output" == *"schema 'nowhere.sql' does not exist"* ]]
}

@test "a directory of .sql files, in name order, via --schema and the config" {
	mkdir -p migrations/versions db
	echo "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));" >db/20-b.sql
	echo "CREATE TABLE a (id INTEGER PRIMARY KEY);" >db/10-a.sql
	echo "ignored" >db/notes.txt
	run rt -q --schema db revision --autogenerate -m dir
	[ "$status" -eq 0 ]
	rt -q upgrade head
	# MySQL: DDL runs statement by statement, its progress kept beside the version table
	[ "$(db_tables)" = "$(by_backend sqlite='a alembic_version b' postgresql='a alembic_version b' \
		mysql='a alembic_version b retort_progress')" ]
	printf '[retort]\nscript_location = migrations\nschema = %%(here)s/db\n' >retort.ini
	run rt -q check
	[ "$status" -eq 0 ]
	[[ "$output" == *"matches the schema in $TEST_DIR/db"* ]]
	RETORT_SCHEMA=nowhere run rt -q check
	[ "$status" -eq 2 ]
}

@test "check --json reports pending migrations and drift" {
	mkdir -p migrations/versions
	echo "$T" >migrations/schema.sql
	rt -q revision --autogenerate -m base --rev-id aaa
	run rt -q check --json
	[ "$status" -eq 1 ]
	[ "$output" = '{"ok":false,"database":"'"$DATABASE_URL"'","current":[],"heads":["aaa"],"pending":[{"revision":"aaa","message":"base"}],"schema":null,"drift":[],"edited":[],"no_record":[]}' ]
	rt -q upgrade head
	echo "CREATE TABLE extra (id INTEGER PRIMARY KEY);" >>migrations/schema.sql
	run rt -q check --json
	[ "$status" -eq 1 ]
	[[ "$output" == *'"ok":false'*'"schema":"migrations/schema.sql","drift":["table extra missing"],"edited":[],"no_record":[]}' ]]
	run rt -q check
	[[ "$output" == *"differs from the schema in migrations/schema.sql:"*"  table extra missing"* ]]
}

@test "dump leaves out the version table, loads back into an empty database and diffs as equal" {
	db_sql "CREATE TABLE a (id INTEGER PRIMARY KEY, n TEXT DEFAULT 'x' CHECK (n <> ''));
	     CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));
	     CREATE INDEX b_a ON b (a_id); CREATE VIEW v AS SELECT * FROM b;
	     CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
	# and the objects only this database has
	extra=$(by_backend sqlite='' postgresql="CREATE TABLE p (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, s bigserial);
	     CREATE TYPE mood AS ENUM ('a', 'b'); CREATE TABLE m (x mood DEFAULT 'a');
	     COMMENT ON COLUMN a.n IS 'display name';" \
	     mysql="CREATE TABLE p (id bigint unsigned AUTO_INCREMENT PRIMARY KEY, s enum('a','b') DEFAULT 'a',
	     ft text, FULLTEXT KEY (ft)) ENGINE=InnoDB COMMENT 'it''s p'; ALTER TABLE a COMMENT 'display name';
	     INSERT INTO p (s) VALUES ('b');")
	[ -z "$extra" ] || db_sql "$extra"
	run rt -q dump -o schema.sql
	[ "$status" -eq 0 ]
	! grep -q alembic_version schema.sql
	copy=$(db_other copy)
	db_load schema.sql copy
	run rt -q diff --from "$copy" --to database
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run rt -q dump
	[ "$output" = "$(cat schema.sql)" ]
}

@test "the version table and retort's progress table are never in a diff or a check" {
	mkdir -p migrations/versions
	echo "$T" >migrations/schema.sql
	rt -q revision --autogenerate -m base --rev-id base0
	# a transaction:false migration of two statements records its progress
	sed -i 's/^-- migrate:upgrade$/-- migrate:upgrade transaction:false/' migrations/versions/base0_*.sql
	sed -i '/^-- migrate:upgrade/a SELECT 1;' migrations/versions/base0_*.sql
	rt -q upgrade head
	[[ "$(db_tables)" == *retort_progress* ]]
	run rt -q dump
	[[ "$output" != *alembic_version* ]]
	[[ "$output" != *retort_progress* ]]
	run rt -q check
	[ "$status" -eq 0 ]
}

@test "diff between head, the schema file and the database" {
	mkdir -p migrations/versions
	echo "$T" >migrations/schema.sql
	rt -q revision --autogenerate -m base
	run rt -q diff --from head --to schema
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run rt -q diff
	[[ "$output" == "CREATE TABLE $(q users)"* ]]
	run rt -q diff --from schema --to head
	[ -z "$output" ]
	run rt -q diff --from "postgresql://u:secret@127.0.0.1:1/x" --to schema
	[ "$status" -ne 0 ]
	[[ "$output" != *secret* ]]
}
