#!/usr/bin/env bats
# Covers what autogenerate does only on SQLite, which cannot alter a
# column or a constraint in place: a type change, or a check, unique or
# foreign-key constraint added, rebuilds the table (new table, copy of the
# rows, rename) and keeps its rows, all or nothing; a rebuild drops and
# recreates the views and triggers over the table.  Each revision applies,
# the database then matches the schema, and its downgrade restores the
# original exactly (schema_roundtrip in helpers.bash).  What every backend
# does: shared/0200-schema.bats.

load helpers
backend sqlite

T='CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT);'

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
	# named by the name it is declared with, else by its text as written
	[[ "$DRIFT" == *"table posts: constraint fk_user missing"* ]]
	[[ "$DRIFT" == *"table posts: constraint UNIQUE (user_id, title) missing"* ]]
	[[ "$DRIFT" == *"table posts: constraint CHECK (length(title) > 0) missing"* ]]
	grep -q "rebuild table posts" "$CHANGE"
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
