#!/usr/bin/env bats
# Covers `retort lint`: PostgreSQL migrations read with PostgreSQL's own
# parser (libpg_query).  The corpus in tests/lint/corpus holds, per rule, a
# dangerous upgrade (RULE.bad.sql, whose "-- expect: RULE LINE:COL" lines
# give every finding it must produce, positions counted in that file) and
# its safe twin (RULE.ok.sql, no finding at all); each is linted as the
# child of a base revision creating users, orders and the enum mood.
# Also: every rule has a pair and a docs/lint.md entry; the safe twins and
# the dangerous statements are real SQL a real PostgreSQL runs; ignores
# silence one rule of the next statement and need a reason; the json and
# github formats; exit 1 on errors, 0 on warnings only; the default scope
# is what `upgrade head` would run (PostgreSQL and SQLite databases), --all
# and REV... never connect; check --lint; Alembic .py revisions are counted
# as not linted.  SQLite migrations have their own rules (1910-lint-sqlite);
# MySQL migrations are not linted yet: the command says so.

load helpers

CORPUS=$BATS_TEST_DIRNAME/../lint/corpus
BASE_SQL="CREATE TABLE users (id bigint PRIMARY KEY, email text, legacy text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric);
CREATE INDEX orders_user ON orders (user_id);
CREATE TYPE mood AS ENUM ('happy', 'sad');"

load lint

@test "every rule fires on its dangerous case at the exact file:line:col, and is quiet on its safe twin" {
	corpus_check postgresql
}

@test "every rule has a dangerous case, a safe twin and an entry in docs/lint.md" {
	mkrev 0a0a0a0a0a0a "" "base" "SELECT 1;" "-"
	run rt lint --rules --dialect postgresql
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 17 ]
	for l in "${lines[@]}"; do
		rule=${l%% *}
		[ -f "$CORPUS/$rule.bad.sql" ] && [ -f "$CORPUS/$rule.ok.sql" ] || { echo "no corpus pair for $rule"; return 1; }
		grep -q "^### \`$rule\`" "$BATS_TEST_DIRNAME/../../docs/lint.md" || { echo "no docs/lint.md entry for $rule"; return 1; }
	done
	[[ "$output" == *"lock-timeout                  warning  "* ]]
	[[ "$output" == *"drop-column                   error    "* ]]
	run rt --version
	[[ "$output" == *"libpg_query 15."*" (PostgreSQL's parser, for lint)"* ]]
}

@test "the safe twins, and the dangerous statements the parser accepts, run on a real PostgreSQL" {
	switch_backend postgresql
	for f in "$CORPUS"/*.ok.sql "$CORPUS"/*.bad.sql; do
		case $(basename "$f") in syntax.bad.sql | concurrently-in-transaction.bad.sql) continue ;; esac
		pq "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null
		lintcase "$f"
		run rt upgrade head
		[ "$status" -eq 0 ] || { echo "$(basename "$f") does not run:"; echo "$output"; return 1; }
	done
}

@test "CONCURRENTLY in a transaction is said by lint before upgrade refuses it" {
	switch_backend postgresql
	lintcase "$CORPUS/concurrently-in-transaction.bad.sql"
	run rt lint
	[ "$status" -eq 1 ]
	[[ "$output" == *"$CASE:10:14: concurrently-in-transaction: CREATE INDEX CONCURRENTLY cannot run inside a transaction block"* ]]
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"cannot run inside a transaction"* ]]
}

@test "an index on a table created in the same migration is not flagged; one created earlier is" {
	mkrev 0a0a0a0a0a0a "" "base" "CREATE TABLE a (id int); CREATE INDEX a_id ON a (id);" "-"
	mkrev 1b1b1b1b1b1b 0a0a0a0a0a0a "more" "CREATE INDEX a_id2 ON a (id);" "-"
	run rt lint --dialect postgresql --all
	[ "$status" -eq 1 ]
	[ "$(findings | wc -l)" -eq 1 ]
	[[ "$output" == *"migrations/versions/1b1b1b1b1b1b_more.sql:8:1: index-without-concurrently: CREATE INDEX on existing table \"a\""* ]]
}

@test "lint-ignore silences the named rule of the next statement only, and needs a reason" {
	mkrev 0a0a0a0a0a0a "" "base" "$BASE_SQL" "-"
	mkrev 1b1b1b1b1b1b 0a0a0a0a0a0a "ignores" "SET lock_timeout = '5s';
-- retort:lint-ignore truncate orders is a cache, rebuilt nightly
-- retort:lint-ignore drop-cascade the cache has no dependants
TRUNCATE orders CASCADE;
TRUNCATE users;
-- retort:lint-ignore drop-column

ALTER TABLE users DROP COLUMN legacy;
-- retort:lint-ignore no-such-rule because
ALTER TABLE users DROP COLUMN email;" "-"
	run rt lint --dialect postgresql 1b1b
	[ "$status" -eq 1 ]
	f=migrations/versions/1b1b1b1b1b1b_ignores.sql
	[ "$(findings | wc -l)" -eq 5 ]
	# two stacked ignores silence both findings of line 11; line 12 is not covered
	[[ "$output" == *"$f:12:10: truncate: "* ]]
	[[ "$output" == *"$f:13:23: lint-ignore: the ignore of drop-column gives no reason, so it silences nothing"* ]]
	# a blank line between the ignore and the statement: not "the line before"
	[[ "$output" == *"$f:15:31: drop-column: "* ]]
	[[ "$output" == *"$f:16:23: lint-ignore: 'no-such-rule' is not a rule this linter knows"* ]]
	[[ "$output" == *"$f:17:31: drop-column: "* ]]
}

@test "--format github prints one workflow annotation per finding" {
	lintcase "$CORPUS/lint-ignore.bad.sql"
	run rt lint --dialect postgresql --all --format github
	[ "$status" -eq 1 ]
	ann=$(grep -E '^::(error|warning) file=[^,:]+,line=[0-9]+,col=[0-9]+,title=[a-z-]+::[^%]+$' <<<"$output" || true)
	[ "$(wc -l <<<"$ann")" -eq 2 ]
	[[ "$ann" == *"::error file=$CASE,line=11,col=23,title=lint-ignore::the ignore of truncate gives no reason"* ]]
	[[ "$ann" == *"::error file=$CASE,line=12,col=10,title=truncate::TRUNCATE deletes every row of \"orders\""* ]]
	# the summary goes to stderr, so stdout is annotations only
	rt lint --dialect postgresql --all --format github >out.txt 2>err.txt || true
	[ "$(grep -vcE '^::(error|warning) ' out.txt)" -eq 0 ]
	[ "$(wc -l <out.txt)" -eq 2 ]
	grep -q "retort: linted 2 migrations: 2 errors, 0 warnings" err.txt
}

@test "--format json is one JSON object with every finding" {
	lintcase "$CORPUS/lock-timeout.bad.sql"
	printf 'DROP TABLE orders;\n' >>"$CASE"
	status=0
	rt lint --dialect postgresql --all --format json >out.json 2>/dev/null || status=$?
	[ "$status" -eq 1 ]
	/usr/bin/python3 -m json.tool out.json >/dev/null
	summary=$(/usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["migrations"], d["errors"], d["warnings"])
for f in d["findings"]:
    print(f["file"], f["line"], f["column"], f["rule"], f["level"], f["revision"])' <out.json)
	[ "$summary" = "2 1 1
$CASE 9 1 lock-timeout warning 1b1b1b1b1b1b
$CASE 11 12 drop-table error 1b1b1b1b1b1b" ]
}

@test "warnings alone exit 0; --ddl-lock-timeout satisfies lock-timeout" {
	lintcase "$CORPUS/lock-timeout.bad.sql"
	run rt lint --dialect postgresql --all
	[ "$status" -eq 0 ]
	[[ "$output" == *"$CASE:9:1: lock-timeout: (warning) this takes an ACCESS EXCLUSIVE lock on \"users\""* ]]
	run rt --ddl-lock-timeout 5 lint --dialect postgresql --all
	[ "$status" -eq 0 ]
	[ -z "$(findings)" ]
}

@test "the default scope is the pending migrations of a PostgreSQL database" {
	switch_backend postgresql
	mkrev 0a0a0a0a0a0a "" "base" "$BASE_SQL
DROP TABLE orders;" "-"
	run rt upgrade head
	[ "$status" -eq 0 ]
	run rt lint
	[ "$status" -eq 0 ]
	[[ "$output" == *"retort: linted 0 migrations: 0 errors, 0 warnings"* ]]
	mkrev 1b1b1b1b1b1b 0a0a0a0a0a0a "index" "CREATE INDEX users_email ON users (email);" "-"
	mkrev 2c2c2c2c2c2c 1b1b1b1b1b1b "rename" "SET lock_timeout = '5s';
ALTER TABLE users RENAME COLUMN email TO mail;" "-"
	run rt lint
	[ "$status" -eq 1 ]
	[ "$(findings | wc -l)" -eq 2 ]
	[[ "$output" == *"migrations/versions/1b1b1b1b1b1b_index.sql:8:1: index-without-concurrently: "* ]]
	[[ "$output" == *"migrations/versions/2c2c2c2c2c2c_rename.sql:9:33: rename-column: "* ]]
	[[ "$output" == *"retort: linted 2 migrations: 2 errors, 0 warnings"* ]]
	# check --lint shows the same findings beside the pending list
	run rt check --lint
	[ "$status" -eq 1 ]
	[[ "$output" == *"migrations/versions/2c2c2c2c2c2c_rename.sql:9:33: rename-column: "* ]]
	[[ "$output" == *"2 migrations pending"* ]]
	rt check --lint --json >out.json 2>err.txt || true
	/usr/bin/python3 -m json.tool out.json >/dev/null
	grep -q "rename-column" err.txt
	rt upgrade 1b1b >/dev/null
	run rt lint
	[ "$status" -eq 1 ]
	[ "$(findings | wc -l)" -eq 1 ]
	[[ "$output" == *"retort: linted 1 migration: 1 error, 0 warnings"* ]]
}

@test "the default scope reads a SQLite database's pending migrations, as SQLite or, asked, as PostgreSQL" {
	mkrev 0a0a0a0a0a0a "" "base" "CREATE TABLE users (id integer PRIMARY KEY, email text);" "-"
	mkrev 1b1b1b1b1b1b 0a0a0a0a0a0a "index" "CREATE INDEX users_email ON users (email);" "-"
	run rt lint
	[ "$status" -eq 0 ]
	[[ "$output" == *"retort: linted 2 migrations: 0 errors, 0 warnings"* ]]
	rt upgrade 0a0a >/dev/null
	run rt lint --dialect postgresql
	[ "$status" -eq 1 ]
	[ "$(findings | wc -l)" -eq 1 ]
	[[ "$output" == *"migrations/versions/1b1b1b1b1b1b_index.sql:8:1: index-without-concurrently: "* ]]
	rt upgrade head >/dev/null
	run rt lint --dialect postgresql
	[ "$status" -eq 0 ]
	[[ "$output" == *"linted 0 migrations"* ]]
	run rt lint --dialect mysql --all
	[ "$status" -eq 2 ]
	[[ "$output" == *"mysql migrations are not linted yet"* ]]
}

@test "--all and REV... lint offline: the database is never opened" {
	lintcase "$CORPUS/truncate.bad.sql"
	export DATABASE_URL='postgresql://bob:secret@127.0.0.1:1/nowhere'
	run rt lint --all
	[ "$status" -eq 1 ]
	[ "$(findings | wc -l)" -eq 1 ]
	run rt lint 1b1b
	[ "$status" -eq 1 ]
	[ "$(findings | wc -l)" -eq 1 ]
	run rt lint 0a0a
	[ "$status" -eq 0 ]
	[[ "$output" == *"linted 1 migration: 0 errors"* ]]
	[[ "$output" != *"secret"* ]]
}

@test "an Alembic .py revision without SQL is counted as not linted, not an error" {
	lintcase "$CORPUS/truncate.ok.sql"
	printf '%s\n' '"""py revision' '' 'Revision ID: 2c2c2c2c2c2c' 'Revises: 1b1b1b1b1b1b' '"""' \
		"revision = '2c2c2c2c2c2c'" "down_revision = '1b1b1b1b1b1b'" '' 'def upgrade():' '    pass' \
		>migrations/versions/2c2c2c2c2c2c_py.py
	run rt lint --dialect postgresql --all
	[ "$status" -eq 0 ]
	[[ "$output" == *"retort: linted 2 migrations: 0 errors, 0 warnings"* ]]
	[[ "$output" == *"retort: 1 Alembic .py revision without SQL not linted"* ]]
}

@test "usage errors: --all with revisions, an unknown format or dialect" {
	lintcase "$CORPUS/truncate.ok.sql"
	run rt lint --all 1b1b
	[ "$status" -eq 64 ]
	[[ "$output" == *"give --all or revisions, not both"* ]]
	run rt lint --all --format xml
	[ "$status" -eq 64 ]
	[[ "$output" == *"unknown --format 'xml': say text, json or github"* ]]
	run rt lint --all --dialect oracle
	[ "$status" -eq 64 ]
	[[ "$output" == *"unknown dialect 'oracle'"* ]]
}
