#!/usr/bin/env bats
# Covers what only the PostgreSQL driver does, against a real server
# (tests/pg/server.sh): CREATE INDEX CONCURRENTLY with transaction:false;
# an advisory lock held by an idle session called orphaned (a held lock
# and concurrent runners on every backend: shared/0110-concurrent-runs.bats);
# --statement-timeout; --search-path and
# --version-table-schema; SQLAlchemy URL forms, DATABASE_URL_FILE and
# libpq's environment; that passwords never appear in any output; and
# consecutive migrations sent as one script (a batch), with each one's
# report, duration and failure as when each had a round trip of its own,
# in a transaction each or all in the run's one (--single-transaction).
# Upgrades, downgrades, stamps and their errors on every backend:
# shared/0100-upgrade-downgrade.bats.

load helpers
backend postgresql

@test "pg: CREATE INDEX CONCURRENTLY needs transaction:false, and works with it" {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id int);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "index" "CREATE INDEX CONCURRENTLY a_id ON a (id);" "DROP INDEX a_id;"
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"2b3c4d5e6f7a_index.sql:8:1: 'CREATE INDEX CONCURRENTLY a_id ON a (id)' cannot run inside a transaction; mark the section '-- migrate:upgrade transaction:false' (line 7)"* ]]
	[ "$(db_tables)" = "" ]
	sed -i 's/^-- migrate:upgrade$/-- migrate:upgrade transaction:false/' migrations/versions/2b3c4d5e6f7a_index.sql
	run rt upgrade head
	[ "$status" -eq 0 ]
	[ "$(pq "SELECT indexname FROM pg_indexes WHERE tablename = 'a'")" = "a_id" ]
}

@test "pg: a lock holder idle for 10 s or more is called orphaned, with how to end it" {
	linear3
	# a session that took retort's lock and then went quiet, as a client
	# that died without the server noticing would leave it
	(
		{
			echo "SELECT pg_advisory_lock(hashtextextended('retort:' || current_database() || ':public.alembic_version', 0));"
			sleep 30 &
			echo $! >"$TEST_DIR/quiet.pid"
			wait
		} | PGAPPNAME=retort "$RETORT_TEST_PG_BIN/psql" -X -q -h "$RETORT_TEST_PG_DIR" \
			-p "$RETORT_TEST_PG_PORT" -U postgres -d "$PG_DB"
	) >/dev/null 2>&1 3>&- &
	sleep 11
	run rt --lock-timeout 1 upgrade head
	kill "$(cat quiet.pid)"
	echo "$output"
	[ "$status" -eq 4 ]
	[[ "$output" =~ "application_name 'retort', idle for "([0-9]+)" s: it looks orphaned" ]]
	[ "${BASH_REMATCH[1]}" -ge 10 ]
	[[ "$output" =~ "SELECT pg_terminate_backend("[0-9]+") frees the lock" ]]
	[ "$(db_tables)" = "" ]
}

@test "pg: --statement-timeout stops a runaway migration" {
	mkrev 1a2b3c4d5e6f "" "slow" "SELECT pg_sleep(5);" "-"
	run rt --statement-timeout 0.3 upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"57014: canceling statement due to statement timeout"* ]]
}

@test "pg: --search-path and --version-table-schema" {
	pq "CREATE SCHEMA app; CREATE SCHEMA meta"
	linear3
	run rt --search-path app --version-table-schema meta upgrade head
	[ "$status" -eq 0 ]
	[ "$(pq "SELECT tablename FROM pg_tables WHERE schemaname = 'app' ORDER BY 1" | tr '\n' ' ')" = "a b c " ]
	[ "$(pq 'SELECT version_num FROM meta.alembic_version')" = "3c4d5e6f7a8b" ]
	run rt --version-table-schema meta current
	[ "$output" = "3c4d5e6f7a8b (head)" ]
}

@test "pg: SQLAlchemy URL forms and DATABASE_URL_FILE" {
	linear3
	base="postgres@/$PG_DB?host=$RETORT_TEST_PG_DIR&port=$RETORT_TEST_PG_PORT"
	run rt -u "postgresql+psycopg2://$base" upgrade 1a2b
	[ "$status" -eq 0 ]
	run rt -u "postgres://$base&ssl=disable" upgrade 2b3c
	[ "$status" -eq 0 ]
	echo "postgresql+asyncpg://$base" >url.txt
	unset DATABASE_URL
	DATABASE_URL_FILE=url.txt run rt upgrade head
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
}

@test "pg: passwords never appear in any output" {
	linear3
	pw=$RETORT_TEST_PG_PASSWORD
	pq_admin "GRANT ALL ON DATABASE $PG_DB TO retort_pw"
	pq "GRANT ALL ON SCHEMA public TO retort_pw"
	url="postgresql://retort_pw:$pw@127.0.0.1:$RETORT_TEST_PG_PORT/$PG_DB"
	out=""
	run rt -v -u "$url" upgrade head
	[ "$status" -eq 0 ]
	out+=$output
	run rt -u "$url" status
	out+=$output
	[[ "$output" == *"retort_pw:***@127.0.0.1"* ]]
	run rt -v -u "postgresql://retort_pw:wrong-$pw@127.0.0.1:$RETORT_TEST_PG_PORT/$PG_DB" current
	[ "$status" -eq 2 ]
	[[ "$output" == *"password authentication failed"* ]]
	out+=$output
	run rt -u "postgresql://retort_pw:$pw@127.0.0.1:1/$PG_DB" current
	[ "$status" -eq 2 ]
	out+=$output
	[[ "$out" != *"$pw"* ]]
}

@test "pg: libpq's environment fills what the URL leaves out" {
	linear3
	unset DATABASE_URL
	PGHOST=$RETORT_TEST_PG_DIR PGPORT=$RETORT_TEST_PG_PORT PGUSER=postgres PGDATABASE=$PG_DB \
		run rt -u postgresql:// upgrade head
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
}

@test "pg: a batch of migrations: each reported with its own duration; a failure stops at its own migration" {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id int);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "slow b" "SELECT pg_sleep(0.4); CREATE TABLE b (id int);" "DROP TABLE b;"
	mkrev 3c4d5e6f7a8b 2b3c4d5e6f7a "create c" "CREATE TABLE c (id int);" "DROP TABLE c;"
	mkrev 4d5e6f7a8b9c 3c4d5e6f7a8b "fails" "CREATE TABLE d (id int);
INSERT INTO no_such_table VALUES (1);" "DROP TABLE d;"
	mkrev 5e6f7a8b9c0d 4d5e6f7a8b9c "create e" "CREATE TABLE e (id int);" "DROP TABLE e;"
	run rt upgrade head
	echo "$output"
	[ "$status" -eq 2 ]
	[[ $output == *"upgrade <base> -> 1a2b3c4d5e6f, create a ("*$'\n'"upgrade 1a2b3c4d5e6f -> 2b3c4d5e6f7a, slow b ("*$'\n'"upgrade 2b3c4d5e6f7a -> 3c4d5e6f7a8b, create c ("* ]]
	[[ $output == *"retort: error: migrations/versions/4d5e6f7a8b9c_fails.sql:9:13: 42P01: relation \"no_such_table\" does not exist (upgrade 3c4d5e6f7a8b -> 4d5e6f7a8b9c)"* ]]
	[[ $output != *"create e"* ]]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
	[ "$(db_tables)" = "a alembic_version b c" ]
	# the durations the server counted, each from its own BEGIN: the one
	# after the slow migration does not carry its 0.4 s
	[ "$(pq "SELECT duration_ms >= 400 FROM retort_history WHERE revision = '2b3c4d5e6f7a'")" = t ]
	[ "$(pq "SELECT duration_ms < 300 FROM retort_history WHERE revision = '3c4d5e6f7a8b'")" = t ]
	[[ $output =~ "slow b ("([0-9]+)" ms)" ]] && [ "${BASH_REMATCH[1]}" -ge 400 ]
	[[ $output =~ "create c ("([0-9]+)" ms)" ]] && [ "${BASH_REMATCH[1]}" -lt 300 ]
	# a syntax error in the third of three: the first two are applied, and
	# the error is the one a round trip each would have given
	rt -q downgrade base
	mkrev 3c4d5e6f7a8b 2b3c4d5e6f7a "create c" "CREATE TABLE c (id int;" "DROP TABLE c;"
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ $output == *"slow b ("* ]]
	[[ $output == *"migrations/versions/3c4d5e6f7a8b_create_c.sql:8:23: 42601: syntax error at or near \";\" (upgrade 2b3c4d5e6f7a -> 3c4d5e6f7a8b)"* ]]
	[ "$(db_versions)" = "2b3c4d5e6f7a" ]
}

@test "pg: batches: 100 migrations go as one script, 130 as two; a short tail joins the batch before it" {
	# now() is when the server got the script a transaction came in, so
	# the migrations of one batch all see the same now()
	pq "CREATE TABLE seen (t timestamptz)"
	chain c 130 "INSERT INTO seen SELECT now();" "DELETE FROM seen;"
	run rt upgrade "$(printf 'c%011x' 100)"
	[ "$status" -eq 0 ]
	[ "$(pq "SELECT count(*), count(DISTINCT t) FROM seen")" = "100|1" ]
	rt -q downgrade base
	pq "DELETE FROM seen"
	# 130: the first batch takes 64, and the other 66 are too many to join it
	run rt upgrade head
	[ "$status" -eq 0 ]
	[ "$(pq "SELECT count(*), count(DISTINCT t) FROM seen")" = "130|2" ]
}

@test "pg: --single-transaction goes in batches too: each migration reported, a failure in any rolls the run back and is named at its own" {
	# a sequence is not transactional: it shows which statements ran
	pq "CREATE SEQUENCE ran"
	mkrev 1a2b3c4d5e6f "" "create a" "SELECT nextval('ran'); CREATE TABLE a (id int);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "slow b" "SELECT pg_sleep(0.4); CREATE TABLE b (id int);" "DROP TABLE b;"
	mkrev 3c4d5e6f7a8b 2b3c4d5e6f7a "create c" "CREATE TABLE c (id int);" "DROP TABLE c;"
	run rt --single-transaction upgrade head
	[ "$status" -eq 0 ]
	[[ $output == *"upgrade <base> -> 1a2b3c4d5e6f, create a ("*$'\n'"upgrade 1a2b3c4d5e6f -> 2b3c4d5e6f7a, slow b ("*$'\n'"upgrade 2b3c4d5e6f7a -> 3c4d5e6f7a8b, create c ("* ]]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
	[ "$(db_tables)" = "a alembic_version b c" ]
	# each duration counted from its own migration's start, not the run's
	[ "$(pq "SELECT duration_ms >= 400 FROM retort_history WHERE revision = '2b3c4d5e6f7a'")" = t ]
	[ "$(pq "SELECT duration_ms < 300 FROM retort_history WHERE revision = '3c4d5e6f7a8b'")" = t ]
	[[ $output =~ "create c ("([0-9]+)" ms)" ]] && [ "${BASH_REMATCH[1]}" -lt 300 ]
	rt -q downgrade base
	[ "$(pq "SELECT last_value FROM ran")" = 1 ]

	# a failure in the third: the first two ran, and all is rolled back
	mkrev 3c4d5e6f7a8b 2b3c4d5e6f7a "create c" "CREATE TABLE c (id int);
INSERT INTO no_such_table VALUES (1);" "DROP TABLE c;"
	run rt --single-transaction upgrade head
	[ "$status" -eq 2 ]
	[[ $output == *"retort: error: migrations/versions/3c4d5e6f7a8b_create_c.sql:9:13: 42P01: relation \"no_such_table\" does not exist (upgrade 2b3c4d5e6f7a -> 3c4d5e6f7a8b)"* ]]
	[[ $output == *"every migration of this run was rolled back (one transaction for the whole run)"* ]]
	[ "$(pq "SELECT last_value FROM ran")" = 2 ]
	[ "$(db_tables)" = "alembic_version" ]
	[ "$(db_versions)" = "" ]

	# a syntax error in the third fails the one script before anything
	# runs (the sequence stays), named in its own file
	mkrev 3c4d5e6f7a8b 2b3c4d5e6f7a "create c" "CREATE TABLE c (id int;" "DROP TABLE c;"
	run rt --single-transaction upgrade head
	[ "$status" -eq 2 ]
	[[ $output == *"migrations/versions/3c4d5e6f7a8b_create_c.sql:8:23: 42601: syntax error at or near \";\" (upgrade 2b3c4d5e6f7a -> 3c4d5e6f7a8b)"* ]]
	[[ $output == *"every migration of this run was rolled back"* ]]
	[ "$(pq "SELECT last_value FROM ran")" = 2 ]
	[ "$(db_versions)" = "" ]
	[ "$(pq "SELECT count(*) FROM retort_history WHERE revision = '1a2b3c4d5e6f'")" = 2 ]
}

@test "pg: --single-transaction over several batches is still one transaction: a failure in the last batch undoes the first" {
	# 129 migrations and a failing one: the first batch takes 64 (the rest
	# is too many to join it), and the script of that batch begins the
	# run's transaction
	chain a 129 "CREATE TABLE t{i} (id int);" "DROP TABLE t{i};"
	mkrev b00000000130 "$prev" "bad" "INSERT INTO no_such_table VALUES (1);" "-"
	run rt --single-transaction upgrade head
	[ "$status" -eq 2 ]
	[[ $output == *"42P01: relation \"no_such_table\" does not exist (upgrade $prev -> b00000000130)"* ]]
	[[ $output == *"every migration of this run was rolled back (one transaction for the whole run)"* ]]
	[ "$(db_tables)" = "" ]
	mkrev b00000000130 "$prev" "bad" "SELECT 1;" "-"
	run rt --single-transaction upgrade head
	[ "$status" -eq 0 ]
	[ "$(grep -c '^upgrade ' <<<"$output")" = 130 ]
	[ "$(db_versions)" = "b00000000130" ]
	[ "$(pq "SELECT count(*) FROM pg_tables WHERE tablename ~ '^t[0-9]+$'")" = 129 ]
}

@test "pg: a backend terminated mid-run is a lost connection, and retort says where the database is" {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id int);" "DROP TABLE a;"
	pq "CREATE SEQUENCE slow_once"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "slow" \
		"SELECT pg_sleep(CASE WHEN nextval('slow_once') = 1 THEN 30 ELSE 0 END); CREATE TABLE b (id int);" \
		"DROP TABLE b;"
	mkrev 3c4d5e6f7a8b 2b3c4d5e6f7a "create c" "CREATE TABLE c (id int);" "DROP TABLE c;"
	# end retort's session once it is in the slow migration, however slow
	# the machine (valgrind)
	(
		for _ in $(seq 1 600); do
			[ "$(pq "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'
				AND pid <> pg_backend_pid()")" = 1 ] && break
			sleep 0.1
		done
		pq "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE application_name = 'retort' AND datname = current_database() AND pid <> pg_backend_pid()"
	) >/dev/null 3>&- &
	killer=$!
	run rt -q upgrade head
	wait "$killer"
	echo "$output"
	[ "$status" -eq 2 ]
	# the three went as one script: the first one's COMMIT came back
	[[ "$output" == *"the connection to the database was lost during upgrade 1a2b3c4d5e6f -> 2b3c4d5e6f7a or the migration sent after it in the same script"* ]]
	[[ "$output" == *"connected again: the database is at 1a2b3c4d5e6f"* ]]
	[[ "$output" != *"LINE "* ]]   # not pinned to a line of the file
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
	run rt -q upgrade head
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
}

@test "pg: after kill -9 mid-statement, the dead run's lock is freed within seconds" {
	pq "CREATE SEQUENCE slow_once"
	mkrev 1a2b3c4d5e6f "" "slow once" \
		"SELECT pg_sleep(CASE WHEN nextval('slow_once') = 1 THEN 60 ELSE 0 END); CREATE TABLE a (id int);" \
		"DROP TABLE a;"
	"$RETORT_BIN" -q upgrade head 2>/dev/null &
	victim=$!
	sleep 2
	kill -9 "$victim"
	wait "$victim" || true
	t0=$SECONDS
	run rt -q --lock-timeout 20 upgrade head
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ $((SECONDS - t0)) -lt 15 ]
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
}
