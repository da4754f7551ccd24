#!/usr/bin/env bats
# Covers `retort test`, the stairway test, on every backend: on an empty
# scratch database each revision from base is upgraded alone, downgraded,
# its schema compared with the one before, and upgraded again, then
# `downgrade base` must leave nothing behind.  It passes on reversible
# revisions (branches and merges included, each revision once), fails
# naming the revision, its file and the SQL that would restore the schema
# when a downgrade forgets something, reports revisions without a
# downgrade (a failure only with --strict), refuses a scratch database
# that is not empty, and never touches the configured database; without
# --dev-url, a PostgreSQL or MySQL project gets a scratch database of its
# own on the server, dropped at the end.

load ../helpers
shared_scenarios

# scratch [NAME]: SCRATCH, the options naming an empty scratch database:
# none for SQLite (a temporary file), a second database NAME elsewhere.
scratch() {
	SCRATCH=()
	[ "$TEST_BACKEND" != sqlite ] || return 0
	db_other "${1:-scratch}" >scratch.url
	SCRATCH=(--dev-url "$(cat scratch.url)")
}

@test "test: reversible revisions pass, each once, and the configured database is untouched" {
	scratch
	linear3
	mkrev 4d5e6f7a8b9c 3c4d5e6f7a8b "add col" \
		"ALTER TABLE a ADD COLUMN x INTEGER; CREATE INDEX a_x ON a (x);" \
		"DROP INDEX a_x$(by_backend sqlite= postgresql= mysql=' ON a'); ALTER TABLE a DROP COLUMN x;"
	run rt test "${SCRATCH[@]}"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^ok ' <<<"$output")" -eq 4 ]
	[[ "$output" == *"ok 4d5e6f7a8b9c add col"* ]]
	[[ "$output" == *"4 revision(s) tested: 4 reversible, 0 without a downgrade"* ]]
	[ "$(db_tables)" = "" ]
}

@test "test: a downgrade that forgets a column fails, naming the revision and the SQL that restores it" {
	scratch
	linear3
	mkrev 4d5e6f7a8b9c 3c4d5e6f7a8b "add col" "ALTER TABLE a ADD COLUMN x INTEGER;" "SELECT 1;"
	run rt test "${SCRATCH[@]}"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"FAILED 4d5e6f7a8b9c add col"* ]]
	[[ "$output" == *"migrations/versions/4d5e6f7a8b9c_add_col.sql: the downgrade of 4d5e6f7a8b9c does not restore the schema before its upgrade"* ]]
	[[ "$output" == *"DROP COLUMN $(by_backend sqlite=x postgresql=x mysql='`x`')"* ]]
	[ "$(db_tables)" = "" ]
}

@test "test: branches, a merge and a dependency: every revision is tested once, parents first" {
	scratch
	mkrev 1a2b3c4d5e6f "" "root" "CREATE TABLE r (id INTEGER);" "DROP TABLE r;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "left" "CREATE TABLE l (id INTEGER);" "DROP TABLE l;"
	mkrev 3c4d5e6f7a8b 1a2b3c4d5e6f "right" "CREATE TABLE rt (id INTEGER);" "DROP TABLE rt;"
	mkrev 4d5e6f7a8b9c "2b3c4d5e6f7a, 3c4d5e6f7a8b" "merge" "CREATE TABLE m (id INTEGER);" "DROP TABLE m;"
	mkrev 5e6f7a8b9c0d "" "other root" "CREATE TABLE o (id INTEGER);" "DROP TABLE o;" \
		"-- Depends On: 2b3c4d5e6f7a"
	run rt test "${SCRATCH[@]}"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^ok ' <<<"$output")" -eq 5 ]
	# parents before children
	order=$(grep '^ok ' <<<"$output" | awk '{print $2}' | tr '\n' ' ')
	[[ "$order" == "1a2b3c4d5e6f "* ]]
	[[ "$order" == *"2b3c4d5e6f7a "*"4d5e6f7a8b9c"* ]]
	[[ "$order" == *"3c4d5e6f7a8b "*"4d5e6f7a8b9c"* ]]
	[[ "$order" == *"2b3c4d5e6f7a "*"5e6f7a8b9c0d"* ]]
}

@test "test: a revision without a downgrade is reported; --strict makes it a failure" {
	scratch
	linear3
	mkrev 4d5e6f7a8b9c 3c4d5e6f7a8b "one way" "CREATE TABLE w (id INTEGER);" "-"
	run rt test "${SCRATCH[@]}"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"irreversible 4d5e6f7a8b9c one way: no '-- migrate:downgrade' section"* ]]
	[[ "$output" == *"3 reversible, 1 without a downgrade"* ]]
	# what the first run left in the scratch database stays there: a new one
	scratch again
	run rt test --strict "${SCRATCH[@]}"
	[ "$status" -eq 1 ]
	[[ "$output" == *"revision 4d5e6f7a8b9c has no downgrade section (--strict)"* ]]
}

@test "test: a scratch database that is not empty is refused, and left as it was" {
	linear3
	db_sql "CREATE TABLE keep (id INTEGER)"
	run rt test --dev-url "$DATABASE_URL"
	[ "$status" -eq 64 ]
	[[ "$output" == *"the scratch database is not empty (it has tables or other objects); give an empty one with --dev-url"* ]]
	[ "$(db_tables)" = "keep" ]
}

# scratch_dbs: the scratch databases retort test left on the server
scratch_dbs() {
	by_backend postgresql= mysql= >/dev/null || return 1
	if [ "$TEST_BACKEND" = postgresql ]; then
		pq_admin "SELECT datname FROM pg_database WHERE datname LIKE 'retort\_test\_%'"
	else
		my_admin "SHOW DATABASES LIKE 'retort\_test\_%'"
	fi
}

@test "test: without --dev-url, a server gets a scratch database of its own, dropped at the end" {
	[ "$TEST_BACKEND" != sqlite ] || skip "without --dev-url, SQLite tests in a temporary file (see the first tests)"
	linear3
	run rt test
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"testing in a scratch database retort_test_"*" on the configured server, dropped at the end"* ]]
	[[ "$output" == *"3 revision(s) tested: 3 reversible"* ]]
	[ "$(db_tables)" = "" ]
	[ -z "$(scratch_dbs)" ]
	# a user who may not create databases is told to give --dev-url; nothing is left
	if [ "$TEST_BACKEND" = postgresql ]; then
		pq_admin "DROP ROLE IF EXISTS retort_nodb" 2>/dev/null
		pq_admin "CREATE ROLE retort_nodb LOGIN NOCREATEDB"
		run rt -u "postgresql://retort_nodb@/$PG_DB?host=$RETORT_TEST_PG_DIR&port=$RETORT_TEST_PG_PORT" test
		pq_admin "DROP ROLE retort_nodb"
	else
		my_admin "DROP USER IF EXISTS 'nodb_$MY_DB'@'localhost'; CREATE USER 'nodb_$MY_DB'@'localhost';
			GRANT ALL ON \`$MY_DB\`.* TO 'nodb_$MY_DB'@'localhost'"
		run rt -u "mysql://nodb_$MY_DB@localhost/$MY_DB?unix_socket=$RETORT_TEST_MYSQL_SOCKET" test
		my_admin "DROP USER 'nodb_$MY_DB'@'localhost'"
	fi
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"makes a scratch database on the server when no --dev-url is given, and that failed (give --dev-url URL: an empty $(by_backend postgresql=PostgreSQL mysql=MySQL) database to test on): creating the scratch database: $(by_backend postgresql='42501: permission denied to create database' mysql="1044 (42000): Access denied for user 'nodb_$MY_DB'@'localhost' to database 'retort_test_")"* ]]
	[ -z "$(scratch_dbs)" ]
}
