#!/usr/bin/env bats
# Covers autogenerate, check (drift, --json), diff and dump on SQLite: for
# each kind of object and change, the generated revision applies, the
# database then matches the schema, and its downgrade restores the original
# exactly (see schema_roundtrip in helpers.bash); plus the errors.

load helpers

T='CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT);'

@test "sqlite schema: a new table, with its index, is created; downgrade drops it" {
	schema_roundtrip "$T" "$T
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id) ON DELETE CASCADE, title TEXT);
CREATE INDEX posts_user ON posts (user_id);"
	[[ "$DRIFT" == *"table posts missing"* ]]
	grep -q "^CREATE TABLE posts" "$CHANGE"
	grep -q "^DROP TABLE posts;" "$CHANGE"
	grep -q "WARNING: drops table posts and its data" "$CHANGE"
}

@test "sqlite schema: tables are created referenced-first and dropped in reverse" {
	schema_roundtrip "" "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));
CREATE TABLE a (id INTEGER PRIMARY KEY);"
	up=$(sed -n '/migrate:upgrade/,/migrate:downgrade/p' "$CHANGE" | grep '^CREATE TABLE' | cut -d' ' -f3)
	[ "$(echo $up)" = "a b" ]
	down=$(sed -n '/migrate:downgrade/,$p' "$CHANGE" | grep '^DROP TABLE' | cut -d' ' -f3)
	[ "$(echo $down)" = "b; a;" ]
}

@test "sqlite schema: a plain column is added with ALTER TABLE, dropped with DROP COLUMN" {
	schema_roundtrip "$T" "${T%);}, phone TEXT NOT NULL DEFAULT '');"
	[[ "$DRIFT" == *"table users: column phone missing"* ]]
	grep -q "^ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT ''" "$CHANGE"
	grep -q "^ALTER TABLE users DROP COLUMN phone;" "$CHANGE"
}

@test "sqlite schema: a type change rebuilds the table and keeps its rows" {
	schema_roundtrip "$T" "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name VARCHAR(80) NOT NULL DEFAULT 'x');"
	grep -q "rebuild table users" "$CHANGE"
	grep -q '^INSERT INTO "_retort_new_users" (id, email, name) SELECT id, email, name FROM users;' "$CHANGE"
	rt -q downgrade -1
	db_sql "INSERT INTO users (email, name) VALUES ('a@x', 'A'), ('b@x', NULL)"
	run rt -q upgrade head
	[ "$status" -ne 0 ] # NOT NULL: a NULL name cannot be copied, and nothing is half-done
	[ "$(db_sql "SELECT count(*) FROM users")" = 2 ]
	db_sql "UPDATE users SET name = 'B' WHERE name IS NULL"
	run rt -q upgrade head
	[ "$status" -eq 0 ]
	[ "$(db_sql "SELECT group_concat(email || '=' || name, ',') FROM users ORDER BY id")" = "a@x=A,b@x=B" ]
}

@test "sqlite schema: check, unique and foreign key constraints rebuild the table" {
	schema_roundtrip "$T
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER, title TEXT);" "$T
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER, title TEXT,
  CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL,
  UNIQUE (user_id, title), CHECK (length(title) > 0));"
	[[ "$DRIFT" == *"constraint CONSTRAINT FK_USER FOREIGN KEY"*"missing"* ]]
	grep -q "rebuild table posts" "$CHANGE"
}

@test "sqlite schema: unique, partial and expression indexes, and a changed index" {
	schema_roundtrip "$T
CREATE INDEX users_name ON users (name);" "$T
CREATE INDEX users_name ON users (name DESC, email);
CREATE UNIQUE INDEX users_lower_email ON users (lower(email)) WHERE email <> '';"
	[[ "$DRIFT" == *"index users_name differs"* ]]
	[[ "$DRIFT" == *"index users_lower_email missing"* ]]
	grep -q "^DROP INDEX users_name;" "$CHANGE"
}

@test "sqlite schema: views and triggers; a rebuild drops and recreates them" {
	schema_roundtrip "$T
CREATE VIEW v_users AS SELECT id, email FROM users;" "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);
CREATE TABLE log (msg TEXT);
CREATE VIEW v_users AS SELECT id, email, name FROM users;
CREATE TRIGGER users_log AFTER INSERT ON users BEGIN INSERT INTO log VALUES (new.email); END;"
	[[ "$DRIFT" == *"view v_users differs"* ]]
	db_sql "INSERT INTO users (email) VALUES ('t@x')"
	[ "$(db_sql "SELECT msg FROM log")" = "t@x" ]
}

@test "sqlite schema: formatting, case and quoting do not count as drift" {
	mkdir -p migrations/versions
	echo "$T" >migrations/schema.sql
	rt -q revision --autogenerate -m base
	rt -q upgrade head
	printf 'create table "USERS" (\n  ID integer primary key, -- the key\n  email text not null unique,\n  name text\n);\n' >migrations/schema.sql
	sed -i 's/"USERS"/"users"/; s/ID integer/id integer/' migrations/schema.sql
	run rt -q check
	[ "$status" -eq 0 ]
}

@test "sqlite schema: a dropped and an added column of one type are pointed out as a rename" {
	schema_roundtrip "$T" "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, full_name TEXT);"
	grep -q 'if this is a rename' "$CHANGE"
	grep -q 'ALTER TABLE users RENAME COLUMN name TO full_name' "$CHANGE"
}

@test "sqlite schema: no changes writes nothing, --empty writes an empty revision" {
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

@test "sqlite schema: autogenerate refuses a database that is not at head" {
	mkdir -p migrations/versions
	echo "$T" >migrations/schema.sql
	rt -q revision --autogenerate -m base
	run rt -q revision --autogenerate -m again
	[ "$status" -eq 2 ]
	[[ "$output" == *"target database is not up to date: 1 migration pending; run 'retort upgrade head' first"* ]]
	[ "$(ls migrations/versions | wc -l)" -eq 1 ]
}

@test "sqlite schema: an error in the schema file names file:line:col and changes nothing" {
	mkdir -p migrations/versions
	printf 'CREATE TABLE a (id INTEGER PRIMARY KEY);\n\nCREATE TABLE b (id INTEGER PRIMARY KEY,, x);\n' >migrations/schema.sql
	run rt -q revision --autogenerate -m bad
	[ "$status" -eq 2 ]
	[[ "$output" == *"migrations/schema.sql:3:40: near \",\": syntax error (loading the schema)"* ]]
	[ -z "$(ls migrations/versions)" ]
	[ ! -s test.db ] || [ -z "$(db_tables)" ]
}

@test "sqlite schema: a missing schema file says how to make one" {
	mkdir -p migrations/versions
	run rt -q revision --autogenerate -m x
	[ "$status" -eq 2 ]
	[[ "$output" == *"schema 'migrations/schema.sql' does not exist"*"retort dump -o migrations/schema.sql"* ]]
	run rt -q --schema nowhere.sql check
	[ "$status" -eq 2 ]
	[[ "$output" == *"schema 'nowhere.sql' does not exist"* ]]
}

@test "sqlite schema: a directory of .sql files, in name order, via --schema and the config" {
	mkdir -p migrations/versions db
	echo "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));" >db/20-b.sql
	echo "CREATE TABLE a (id INTEGER PRIMARY KEY);" >db/10-a.sql
	echo "ignored" >db/notes.txt
	run rt -q --schema db revision --autogenerate -m dir
	[ "$status" -eq 0 ]
	rt -q upgrade head
	[ "$(db_tables)" = "a alembic_version b" ]
	printf '[retort]\nscript_location = migrations\nschema = %%(here)s/db\n' >retort.ini
	run rt -q check
	[ "$status" -eq 0 ]
	[[ "$output" == *"matches the schema in $TEST_DIR/db"* ]]
	RETORT_SCHEMA=nowhere run rt -q check
	[ "$status" -eq 2 ]
}

@test "sqlite schema: check --json reports pending migrations and drift" {
	mkdir -p migrations/versions
	echo "$T" >migrations/schema.sql
	rt -q revision --autogenerate -m base --rev-id aaa
	run rt -q check --json
	[ "$status" -eq 1 ]
	[ "$output" = '{"ok":false,"database":"sqlite:///'"$TEST_DIR"'/test.db","current":[],"heads":["aaa"],"pending":[{"revision":"aaa","message":"base"}],"schema":null,"drift":[]}' ]
	rt -q upgrade head
	echo "CREATE TABLE extra (id INTEGER PRIMARY KEY);" >>migrations/schema.sql
	run rt -q check --json
	[ "$status" -eq 1 ]
	[[ "$output" == *'"ok":false'*'"schema":"migrations/schema.sql","drift":["table extra missing"]}' ]]
	run rt -q check
	[[ "$output" == *"differs from the schema in migrations/schema.sql:"*"  table extra missing"* ]]
}

@test "sqlite schema: dump loads back into an empty database and diffs as equal" {
	db_sql "CREATE TABLE a (id INTEGER PRIMARY KEY, n TEXT DEFAULT 'x' CHECK (n <> ''));
	     CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));
	     CREATE INDEX b_a ON b (a_id); CREATE VIEW v AS SELECT * FROM b;
	     CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
	run rt -q dump -o schema.sql
	[ "$status" -eq 0 ]
	! grep -q alembic_version schema.sql
	sqlite3 copy.db <schema.sql
	run rt -q diff --from "sqlite:///$TEST_DIR/copy.db" --to database
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run rt -q dump
	[ "$output" = "$(cat schema.sql)" ]
}

@test "sqlite schema: diff between head, the schema file and the database" {
	mkdir -p migrations/versions
	echo "$T" >migrations/schema.sql
	rt -q revision --autogenerate -m base
	run rt -q diff --from head --to schema
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run rt -q diff
	[[ "$output" == "CREATE TABLE users"* ]]
	run rt -q diff --from schema --to head
	[ -z "$output" ]
	run rt -q diff --from "postgresql://u:secret@127.0.0.1:1/x" --to schema
	[ "$status" -ne 0 ]
	[[ "$output" != *secret* ]]
}
