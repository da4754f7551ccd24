#!/usr/bin/env bats
# Covers `retort lint` of SQLite migrations, read with SQLite's own parser
# on a scratch in-memory connection that runs the migrations in plan
# order.  The corpus in tests/lint/sqlite holds, per SQLite rule, a
# dangerous upgrade (RULE.bad.sql, whose "-- expect: RULE LINE:COL" lines
# give every finding it must produce) and its safe twin (RULE.ok.sql, no
# finding), each linted as the child of a base revision creating users and
# orders (orders references users by foreign key, ON DELETE CASCADE).
# Also: every SQLite rule has a pair and a docs/lint.md entry; the corpus
# runs on a real SQLite; a sqlite:// URL picks these rules; "existing" and
# foreign keys come from the migrations before the linted ones (the
# pending ones, REV...), and a table the migrations never made is read as
# existing; PRAGMA foreign_keys = OFF counts only outside a transaction;
# a syntax error at SQLite's position; ignores need a reason; check --lint.

load helpers

CORPUS=$BATS_TEST_DIRNAME/../lint/sqlite
BASE_SQL="CREATE TABLE users (id integer PRIMARY KEY, email text, legacy text);
CREATE TABLE orders (id integer PRIMARY KEY, user_id integer REFERENCES users (id) ON DELETE CASCADE, total numeric);
CREATE INDEX orders_user ON orders (user_id);"

load lint

@test "every SQLite rule fires on its dangerous case at the exact file:line:col, and is quiet on its safe twin" {
	corpus_check sqlite
}

@test "every SQLite rule has a dangerous case, a safe twin and an entry in docs/lint.md that names SQLite" {
	mkrev 0a0a0a0a0a0a "" "base" "SELECT 1;" "-"
	run rt lint --rules --dialect sqlite
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
	for l in "${lines[@]}"; do
		rule=${l%% *}
		[ -f "$CORPUS/$rule.bad.sql" ] && [ -f "$CORPUS/$rule.ok.sql" ] || { echo "no corpus pair for $rule"; return 1; }
		sed -n "/^### \`$rule\`/,/^### /p" "$BATS_TEST_DIRNAME/../../docs/lint.md" | grep -q SQLite ||
			{ echo "no docs/lint.md entry for $rule saying SQLite"; return 1; }
	done
	[[ "$output" == *"rebuild-foreign-keys          error    "* ]]
	[[ "$output" != *"truncate"* ]]
	# the PostgreSQL list has no SQLite-only rule; the whole list has both
	run rt lint --rules --dialect postgresql
	[[ "$output" != *"rebuild-foreign-keys"* ]]
	run rt lint --rules
	[[ "$output" == *"rebuild-foreign-keys"* && "$output" == *"truncate"* ]]
}

@test "the safe twins and the dangerous cases SQLite accepts run on a real SQLite" {
	for f in "$CORPUS"/*.ok.sql "$CORPUS"/*.bad.sql; do
		case $(basename "$f") in syntax.bad.sql) continue ;; esac
		rm -f "$TEST_DIR/test.db"
		lintcase "$f"
		run rt upgrade head
		[ "$status" -eq 0 ] || { echo "$(basename "$f") does not run:"; echo "$output"; return 1; }
	done
	# the safe rebuild kept the orders that reference users
	rm -f "$TEST_DIR/test.db"
	lintcase "$CORPUS/rebuild-foreign-keys.ok.sql"
	rt upgrade 0a0a >/dev/null
	sqlite3 "$TEST_DIR/test.db" "INSERT INTO users VALUES (1, 'a@b', NULL); INSERT INTO orders VALUES (7, 1, 3)"
	run rt upgrade head
	[ "$status" -eq 0 ]
	[ "$(sqlite3 "$TEST_DIR/test.db" 'SELECT count(*) FROM orders')" = 1 ]
}

@test "with foreign keys on, the dangerous rebuild really deletes the children's rows" {
	lintcase_sql "PRAGMA foreign_keys = ON;
CREATE TABLE new_users (id integer PRIMARY KEY, email text);
INSERT INTO new_users SELECT id, email FROM users;
DROP TABLE users;
ALTER TABLE new_users RENAME TO users;" notx
	run rt lint --all
	[ "$status" -eq 1 ]
	[ "$(findings | wc -l)" -eq 1 ]
	[[ "$output" == *"$CASE:11:12: rebuild-foreign-keys: dropping \"users\", which \"orders\" references by foreign key, with foreign keys not turned off: where they are on, the DROP first deletes every row of \"users\""* ]]
	[[ "$output" == *"PRAGMA foreign_key_check; COMMIT; PRAGMA foreign_keys = ON"* ]]
	rt upgrade 0a0a >/dev/null
	sqlite3 "$TEST_DIR/test.db" "INSERT INTO users VALUES (1, 'a@b', NULL); INSERT INTO orders VALUES (7, 1, 3)"
	run rt upgrade head
	[ "$status" -eq 0 ]
	[ "$(sqlite3 "$TEST_DIR/test.db" 'SELECT count(*) FROM users')" = 1 ]
	[ "$(sqlite3 "$TEST_DIR/test.db" 'SELECT count(*) FROM orders')" = 0 ]
}

@test "PRAGMA foreign_keys = OFF counts only outside a transaction, and until foreign keys are back on" {
	rebuild="CREATE TABLE new_users (id integer PRIMARY KEY, email text);
DROP TABLE users;
ALTER TABLE new_users RENAME TO users;"
	# in a transactional section the PRAGMA does nothing: said, with its line
	lintcase_sql "PRAGMA foreign_keys = OFF;
$rebuild"
	run rt lint --all
	[ "$status" -eq 1 ]
	[[ "$output" == *"$CASE:10:12: rebuild-foreign-keys: dropping \"users\", which \"orders\" references by foreign key: the PRAGMA foreign_keys = OFF of line 8 did nothing, since it ran inside a transaction"* ]]
	# after BEGIN in a transaction:false section, likewise
	lintcase_sql "BEGIN;
PRAGMA foreign_keys = OFF;
$rebuild
COMMIT;" notx
	run rt lint --all
	[ "$status" -eq 1 ]
	[[ "$output" == *"$CASE:11:12: rebuild-foreign-keys: "*"of line 9 did nothing"* ]]
	# turned back on before the DROP
	lintcase_sql "PRAGMA foreign_keys = OFF;
PRAGMA foreign_keys = 1;
$rebuild" notx
	run rt lint --all
	[ "$status" -eq 1 ]
	[[ "$output" == *"$CASE:11:12: rebuild-foreign-keys: "*"with foreign keys not turned off"* ]]
	# off, outside a transaction: quiet
	lintcase_sql "PRAGMA foreign_keys = off;
$rebuild
PRAGMA foreign_keys = on;" notx
	run rt lint --all
	[ "$status" -eq 0 ]
	[ -z "$(findings)" ]
	# a table nothing references is rebuilt without ceremony, but not dropped for good
	lintcase_sql "DROP TABLE orders;
DROP TABLE users;"
	run rt lint --all
	[ "$status" -eq 1 ]
	[ "$(findings | wc -l)" -eq 2 ]
	[[ "$output" == *"$CASE:8:12: drop-table: dropping table \"orders\""* ]]
	[[ "$output" == *"$CASE:9:12: drop-table: dropping table \"users\""* ]]
}

@test "a sqlite:// URL picks the SQLite rules; the default scope is the pending migrations, with the applied ones' schema" {
	mkrev 0a0a0a0a0a0a "" "base" "$BASE_SQL" "-"
	mkrev 1b1b1b1b1b1b 0a0a0a0a0a0a "widen" "ALTER TABLE users ADD COLUMN nickname text;" "-"
	mkrev 2c2c2c2c2c2c 1b1b1b1b1b1b "rebuild" "CREATE TABLE new_users (id integer PRIMARY KEY, email text);
INSERT INTO new_users SELECT id, email FROM users;
DROP TABLE users;
ALTER TABLE new_users RENAME TO users;" "-"
	run rt lint
	[ "$status" -eq 1 ]
	[ "$(findings | wc -l)" -eq 1 ]
	f=migrations/versions/2c2c2c2c2c2c_rebuild.sql
	[[ "$output" == *"$f:10:12: rebuild-foreign-keys: dropping \"users\", which \"orders\" references"* ]]
	[[ "$output" == *"retort: linted 3 migrations: 1 error, 0 warnings"* ]]
	# applied migrations are not linted, but their tables and foreign keys are known
	rt upgrade 1b1b >/dev/null
	run rt lint
	[ "$status" -eq 1 ]
	[[ "$output" == *"$f:10:12: rebuild-foreign-keys: "* ]]
	[[ "$output" == *"retort: linted 1 migration: 1 error, 0 warnings"* ]]
	# REV... too: the ancestors run on the scratch connection first
	run rt lint 2c2c
	[ "$status" -eq 1 ]
	[[ "$output" == *"$f:10:12: rebuild-foreign-keys: "* ]]
	# check --lint on SQLite
	run rt check --lint
	[ "$status" -eq 1 ]
	[[ "$output" == *"$f:10:12: rebuild-foreign-keys: "* ]]
	[[ "$output" == *"1 migration pending"* ]]
	rt upgrade head >/dev/null
	run rt check --lint
	[ "$status" -eq 0 ]
	run rt lint
	[ "$status" -eq 0 ]
	[[ "$output" == *"linted 0 migrations"* ]]
}

@test "a table no migration made is read as existing, by the lexer" {
	mkrev 0a0a0a0a0a0a "" "base" "SELECT 1;" "-"
	mkrev 1b1b1b1b1b1b 0a0a0a0a0a0a "drop" "DROP TABLE handmade;
ALTER TABLE handmade2 DROP COLUMN c;
ALTER TABLE [handmade3] RENAME COLUMN a TO b;
ALTER TABLE handmade4 RENAME TO renamed;" "-"
	run rt lint --all
	[ "$status" -eq 1 ]
	f=migrations/versions/1b1b1b1b1b1b_drop.sql
	[ "$(findings | wc -l)" -eq 4 ]
	[[ "$output" == *"$f:8:12: drop-table: dropping table \"handmade\""* ]]
	[[ "$output" == *"$f:9:35: drop-column: dropping column \"c\" of \"handmade2\""* ]]
	[[ "$output" == *"$f:10:39: rename-column: renaming column \"a\" of \"handmade3\" to \"b\""* ]]
	[[ "$output" == *"$f:11:13: rename-table: renaming table \"handmade4\" to \"renamed\""* ]]
}

@test "a syntax error is SQLite's message at SQLite's position; nothing after it is linted" {
	lintcase_sql "ALTER TABLE users DROP COLUMN legacy;
-- retort:lint-ignore syntax cannot be silenced
SELECT 1 FROM users WHERE;
DROP TABLE orders;"
	run rt lint --all
	[ "$status" -eq 1 ]
	[ "$(findings | wc -l)" -eq 2 ]
	[[ "$output" == *"$CASE:8:31: drop-column: "* ]]
	[[ "$output" == *"$CASE:10:26: syntax: SQLite's parser says: "*"syntax error; fix the statement"* ]]
}

@test "lint-ignore silences the named rule of the next statement only, and needs a reason" {
	lintcase_sql "-- retort:lint-ignore drop-column no release reads legacy since 2.3
ALTER TABLE users DROP COLUMN legacy;
ALTER TABLE users DROP COLUMN email;
-- retort:lint-ignore rebuild-foreign-keys the application never enables foreign keys
-- retort:lint-ignore drop-table users is replaced by accounts
DROP TABLE users;
-- retort:lint-ignore drop-table
DROP TABLE orders;"
	run rt lint --all
	[ "$status" -eq 1 ]
	[ "$(findings | wc -l)" -eq 3 ]
	[[ "$output" == *"$CASE:10:31: drop-column: dropping column \"email\""* ]]
	[[ "$output" == *"$CASE:14:23: lint-ignore: the ignore of drop-table gives no reason, so it silences nothing"* ]]
	[[ "$output" == *"$CASE:15:12: drop-table: dropping table \"orders\""* ]]
	# without its ignore (the lines below move up by one), the rebuild rule speaks
	sed -i '/lint-ignore rebuild-foreign-keys/d' "$CASE"
	run rt lint --all
	[ "$(findings | wc -l)" -eq 4 ]
	[[ "$output" == *"$CASE:12:12: rebuild-foreign-keys: dropping \"users\", which \"orders\" references"* ]]
	[[ "$output" != *"drop-table: dropping table \"users\""* ]]
	run rt lint --all --format github
	[[ "$output" == *"::error file=$CASE,line=14,col=12,title=drop-table::dropping table \"orders\""* ]]
}

@test "MySQL migrations are still not linted: the command says so" {
	mkrev 0a0a0a0a0a0a "" "base" "SELECT 1;" "-"
	run rt lint --dialect mysql --all
	[ "$status" -eq 2 ]
	[[ "$output" == *"lint reads PostgreSQL and SQLite migrations; mysql migrations are not linted yet"* ]]
}
