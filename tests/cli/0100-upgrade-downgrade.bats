#!/usr/bin/env bats
# Covers upgrade/migrate, downgrade, rollback and stamp on SQLite: the steps
# run, the version rows (Alembic's table, one row per head), and that a
# failing migration leaves neither its DDL nor a version change behind.

load helpers

@test "upgrade head applies every migration and records the head" {
	linear3
	run rt upgrade head
	[ "$status" -eq 0 ]
	[[ "$output" == *"upgrade <base> -> 1a2b3c4d5e6f, create a ("*" ms)"* ]]
	[[ "$output" == *"upgrade 2b3c4d5e6f7a -> 3c4d5e6f7a8b, create c"* ]]
	[ "$(versions)" = "3c4d5e6f7a8b" ]
	[ "$(tables)" = "a alembic_version b c" ]
}

@test "the version table is exactly Alembic's" {
	linear3
	rt upgrade head
	run sql "SELECT sql FROM sqlite_master WHERE name='alembic_version'"
	[[ "$output" == *"version_num VARCHAR(32) NOT NULL"* ]]
	[[ "$output" == *"CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)"* ]]
}

@test "upgrade with no target means head; migrate is an alias" {
	linear3
	run rt migrate 2b3c
	[ "$status" -eq 0 ]
	[ "$(versions)" = "2b3c4d5e6f7a" ]
	run rt upgrade
	[ "$(versions)" = "3c4d5e6f7a8b" ]
	run rt upgrade head
	[ "$status" -eq 0 ]
	[[ "$output" == *"nothing to upgrade"* ]]
}

@test "upgrade +1 and to an older revision" {
	linear3
	rt upgrade +1
	[ "$(versions)" = "1a2b3c4d5e6f" ]
	rt upgrade head
	run rt upgrade 1a2b3c4d5e6f
	[ "$status" -eq 0 ]
	[ "$(versions)" = "3c4d5e6f7a8b" ]
}

@test "downgrade -1, rollback -s 2 and downgrade base" {
	linear3
	rt upgrade head
	run rt downgrade -1
	[ "$status" -eq 0 ]
	[[ "$output" == *"downgrade 3c4d5e6f7a8b -> 2b3c4d5e6f7a, create c"* ]]
	[ "$(versions)" = "2b3c4d5e6f7a" ]
	[ "$(tables)" = "a alembic_version b" ]
	rt upgrade head
	run rt rollback -s 2
	[ "$status" -eq 0 ]
	[ "$(versions)" = "1a2b3c4d5e6f" ]
	run rt downgrade base
	[ "$status" -eq 0 ]
	[ "$(versions)" = "" ]
	[ "$(tables)" = "alembic_version" ]
}

@test "downgrade needs a target, and refuses one above the current revision" {
	linear3
	run rt downgrade
	[ "$status" -eq 64 ]
	rt upgrade 1a2b
	run rt downgrade 3c4d
	[ "$status" -eq 2 ]
	[[ "$output" == *"not a valid downgrade target"* ]]
	run rt downgrade -3
	[ "$status" -eq 2 ]
	[[ "$output" == *"relative revision -3 didn't produce 3 migrations"* ]]
}

@test "a failing migration leaves no DDL and no version change behind" {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "broken" "CREATE TABLE b (id INTEGER);
INSERT INTO b VALUES (1);
CREATE TABLEE c (id INTEGER);" "DROP TABLE b;"
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"retort: error: migrations/versions/2b3c4d5e6f7a_broken.sql:10:8: near \"TABLEE\": syntax error (upgrade 1a2b3c4d5e6f -> 2b3c4d5e6f7a)"* ]]
	[[ "$output" == *"LINE 10: CREATE TABLEE c (id INTEGER);"* ]]
	[ "$(versions)" = "1a2b3c4d5e6f" ]
	[ "$(tables)" = "a alembic_version" ]
}

@test "a failing statement is reported at its line, with the database's message" {
	mkrev 1a2b3c4d5e6f "" "insert" "CREATE TABLE t (id INTEGER PRIMARY KEY);
  INSERT INTO t VALUES (1);
  INSERT INTO t VALUES (1);" "DROP TABLE t;"
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"1a2b3c4d5e6f_insert.sql:10:3: UNIQUE constraint failed: t.id"* ]]
	[ "$(tables)" = "" ]
}

@test "a failing first migration leaves the database exactly as it was" {
	mkrev 1a2b3c4d5e6f "" "bad" "CREATE TABLE a (id INTEGER); SELECT * FROM missing;" "-"
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"no such table: missing"* ]]
	[ "$(tables)" = "" ]
}

@test "a migration may not commit the runner's transaction" {
	mkrev 1a2b3c4d5e6f "" "commits" "CREATE TABLE a (id INTEGER);
COMMIT;" "-"
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"1a2b3c4d5e6f_commits.sql:9:1: transaction control statement"* ]]
	[ "$(tables)" = "" ]
}

@test "transaction:false sections run outside a transaction" {
	mkrev 1a2b3c4d5e6f "" "create" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
	mkdir -p migrations/versions
	cat > migrations/versions/2b3c4d5e6f7a_vacuum.sql <<'SQL'
-- vacuum
--
-- Revision ID: 2b3c4d5e6f7a
-- Revises: 1a2b3c4d5e6f

-- migrate:upgrade transaction:false
VACUUM;

-- migrate:downgrade
SQL
	run rt upgrade head
	[ "$status" -eq 0 ]
	[ "$(versions)" = "2b3c4d5e6f7a" ]
}

@test "a failing transaction:false section says what ran and keeps the version" {
	mkrev 1a2b3c4d5e6f "" "create" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
	cat > migrations/versions/2b3c4d5e6f7a_partial.sql <<'SQL'
-- partial
--
-- Revision ID: 2b3c4d5e6f7a
-- Revises: 1a2b3c4d5e6f

-- migrate:upgrade transaction:false
CREATE TABLE b (id INTEGER);
CREATE TABLE a (id INTEGER);

-- migrate:downgrade
DROP TABLE b;
SQL
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"2b3c4d5e6f7a_partial.sql:8:14: table a already exists"* ]]
	[[ "$output" == *"1 statement(s) before it ran outside a transaction and stay applied"* ]]
	[ "$(versions)" = "1a2b3c4d5e6f" ]
	[ "$(tables)" = "a alembic_version b" ]
}

@test "downgrade through an irreversible migration is refused before anything runs" {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id INTEGER);" "-"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "create b" "CREATE TABLE b (id INTEGER);" "DROP TABLE b;"
	rt upgrade head
	run rt downgrade base
	[ "$status" -eq 2 ]
	[[ "$output" == *"revision 1a2b3c4d5e6f has no '-- migrate:downgrade' section"* ]]
	[ "$(versions)" = "2b3c4d5e6f7a" ]
	[ "$(tables)" = "a alembic_version b" ]
}

@test "branches: upgrade head refuses, heads applies all, one row per head" {
	mkrev aaaa00000000 "" "root" "CREATE TABLE r (x INTEGER);" "DROP TABLE r;"
	mkrev bbbb00000001 aaaa00000000 "left" "CREATE TABLE l (x INTEGER);" "DROP TABLE l;"
	mkrev bbbb00000002 aaaa00000000 "right" "CREATE TABLE g (x INTEGER);" "DROP TABLE g;"
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"multiple heads are present"*"'heads'"* ]]
	[ "$(tables)" = "" ]
	run rt upgrade heads
	[ "$status" -eq 0 ]
	[ "$(versions)" = "bbbb00000001 bbbb00000002" ]
	mkrev cccc00000003 "bbbb00000001, bbbb00000002" "merge" "" ""
	run rt upgrade head
	[ "$status" -eq 0 ]
	[ "$(versions)" = "cccc00000003" ]
	run rt downgrade bbbb00000001
	[ "$status" -eq 0 ]
	[ "$(versions)" = "bbbb00000001 bbbb00000002" ]
}

@test "stamp records revisions without running them; --purge clears stale rows" {
	linear3
	run rt stamp 2b3c
	[ "$status" -eq 0 ]
	[ "$(versions)" = "2b3c4d5e6f7a" ]
	[ "$(tables)" = "alembic_version" ]
	run rt stamp base
	[ "$(versions)" = "" ]
	sql "INSERT INTO alembic_version VALUES ('deadbeef0000')"
	run rt stamp head
	[ "$status" -eq 2 ]
	[[ "$output" == *"'deadbeef0000', which no migration file defines"* ]]
	run rt stamp --purge head
	[ "$status" -eq 0 ]
	[ "$(versions)" = "3c4d5e6f7a8b" ]
}

@test "two concurrent upgrades apply every migration exactly once" {
	for i in $(seq 1 30); do
		prev=""
		if [ $i -gt 1 ]; then prev=$(printf 'rev%09d' $((i - 1))); fi
		mkrev "$(printf 'rev%09d' $i)" "$prev" "step $i" \
			"CREATE TABLE t$i (x INTEGER); INSERT INTO log VALUES ($i);" "DROP TABLE t$i;"
	done
	sed -i 's/^CREATE TABLE t1 (x INTEGER);/CREATE TABLE log (n INTEGER); CREATE TABLE t1 (x INTEGER);/' \
		migrations/versions/rev000000001_step_1.sql
	rt -q upgrade head 2>err1 & p1=$!
	rt -q upgrade head 2>err2 & p2=$!
	wait $p1; s1=$?
	wait $p2; s2=$?
	cat err1 err2
	[ $s1 -eq 0 ] && [ $s2 -eq 0 ]
	[ "$(sql 'SELECT count(*), count(DISTINCT n) FROM log')" = "30|30" ]
	[ "$(versions)" = "rev000000030" ]
}

@test "a held lock times out with exit status 4" {
	linear3
	rt upgrade 1a2b
	# hold the same lock retort takes (flock on the database file)
	flock "$TEST_DIR/test.db" sleep 5 & holder=$!
	sleep 0.3
	run rt --lock-timeout 0.5 upgrade head
	kill $holder 2>/dev/null || true
	[ "$status" -eq 4 ]
	[[ "$output" == *"waiting for the migration lock"* ]]
	[[ "$output" == *"timed out after 0.5 s"* ]]
	[ "$(versions)" = "1a2b3c4d5e6f" ]
}

@test "a version row that does not match aborts the migration" {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "meddles" "CREATE TABLE b (id INTEGER); DELETE FROM alembic_version;" "-"
	rt upgrade 1a2b
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"expected to change one row"*"'1a2b3c4d5e6f'"* ]]
	[ "$(versions)" = "1a2b3c4d5e6f" ]
	[ "$(tables)" = "a alembic_version" ]
}
