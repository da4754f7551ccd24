#!/usr/bin/env bats
# Covers retort behind a connection pooler: PgBouncer in transaction
# pooling mode (tests/pg/pgbouncer.sh, started here in front of the
# private PostgreSQL server), where every transaction may run on another
# server session.  retort finds the pooler (the backend pid the pooler
# gave the connection is not the server's), keeps no session state, and
# takes the migration lock as a lease row in retort_lock: upgrade,
# current and downgrade work; eight concurrent runners apply every
# migration once; a holder killed with SIGKILL leaves a lease that
# expires, and the next runner takes it over, naming the old holder; a
# statement longer than the lease keeps it (the heartbeat has its own
# connection); search_path, statement_timeout and lock_timeout reach
# every transaction by SET LOCAL and never stay on a pooled session.
# --lock=table works directly against PostgreSQL too (no advisory lock),
# --lock=none warns, and the setting flows from RETORT_LOCK and retort.ini.
# The advisory lock without a pooler: 1000-postgresql.bats; concurrent
# runners on every backend: shared/0110-concurrent-runs.bats.

load helpers
backend postgresql

setup_file() {
	export PGB_MISSING=""
	if [ -z "${RETORT_TEST_PG_DIR:-}" ]; then
		PGB_MISSING="${RETORT_TEST_PG_MISSING:-no PostgreSQL test server}"
	elif ! pgb_env=$("$BATS_TEST_DIRNAME/../pg/pgbouncer.sh" start); then
		PGB_MISSING="pgbouncer is not installed (apt-get install pgbouncer): the pooler tests did not run"
	else
		eval "$pgb_env"
	fi
}

teardown_file() {
	[ -z "${RETORT_TEST_PGB_DIR:-}" ] || "$BATS_TEST_DIRNAME/../pg/pgbouncer.sh" stop "$RETORT_TEST_PGB_DIR"
}

# pooled [PORT]: point DATABASE_URL at the test's database through PgBouncer
pooled() {
	[ -z "$PGB_MISSING" ] || skip "$PGB_MISSING"
	export PGPASSWORD=$RETORT_TEST_PGB_PASSWORD
	export DATABASE_URL="postgresql://postgres@127.0.0.1:${1:-$RETORT_TEST_PGB_PORT}/$PG_DB"
}

# psql through PgBouncer at PORT
pgb_sql() {
	PGPASSWORD=$RETORT_TEST_PGB_PASSWORD "$RETORT_TEST_PG_BIN/psql" -X -q -At -h 127.0.0.1 -p "$1" \
		-U postgres -d "$PG_DB" -c "$2"
}

teardown() {
	[ -z "${PGB1_DIR:-}" ] || "$BATS_TEST_DIRNAME/../pg/pgbouncer.sh" stop "$PGB1_DIR"
	PGB1_DIR=""
	[ -n "${TEST_DIR:-}" ] || return 0
	db_teardown
	test_dir_teardown
}

@test "pgbouncer: upgrade, current and downgrade work, the pooler is found, and the lease is freed" {
	pooled
	linear3
	run rt -v upgrade head
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"a connection pooler is in between"*"the migration lock is a lease"* ]]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
	run rt current
	[ "$status" -eq 0 ]
	[ "$output" = "3c4d5e6f7a8b (head)" ]
	# the lock table is retort's own: check does not call it drift
	printf 'CREATE TABLE a (id INTEGER PRIMARY KEY);\nCREATE TABLE b (id INTEGER PRIMARY KEY);\nCREATE TABLE c (id INTEGER PRIMARY KEY);\n' \
		>migrations/schema.sql
	run rt -q check
	echo "$output"
	[ "$status" -eq 0 ]
	run rt downgrade -1
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "2b3c4d5e6f7a" ]
	run rt downgrade base
	[ "$status" -eq 0 ]
	[ "$(db_tables)" = "alembic_version retort_lock" ]
	# the lease is gone with its holder, and no advisory lock was left behind
	[ "$(pq "SELECT count(*) FROM retort_lock")" = 0 ]
	[ "$(pq "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" = 0 ]
}

@test "pgbouncer: eight concurrent runners apply every migration exactly once, and all exit 0" {
	pooled
	for i in $(seq 1 20); do
		prev=""
		if [ "$i" -gt 1 ]; then prev=$(printf 'c%011d' $((i - 1))); fi
		mkrev "$(printf 'c%011d' "$i")" "$prev" "step $i" \
			"CREATE TABLE t$i (x INTEGER); INSERT INTO log VALUES ($i);" "DROP TABLE t$i;"
	done
	sed -i 's/^CREATE TABLE t1 (x INTEGER);/CREATE TABLE log (n INTEGER); CREATE TABLE t1 (x INTEGER);/' \
		migrations/versions/c00000000001_step_1.sql
	pids=()
	for p in 1 2 3 4 5 6 7 8; do
		rt -q --lock-timeout 120 upgrade head 2>"err$p" 3>&- &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || { cat err*; return 1; }
	done
	cat err*
	[ "$(db_sql 'SELECT count(*), count(DISTINCT n) FROM log')" = "20|20" ]
	[ "$(db_versions)" = "c00000000020" ]
	[ "$(pq "SELECT count(*) FROM retort_lock")" = 0 ]
}

@test "pgbouncer: a holder killed with SIGKILL leaves a lease that expires, and the next runner takes it over" {
	pooled
	mkrev a1 "" "delay" "CREATE TABLE delay (s float); INSERT INTO delay VALUES (120);" "DROP TABLE delay;"
	mkrev b2 a1 "slow" "SELECT pg_sleep((SELECT s FROM delay)); CREATE TABLE done (x int);" "DROP TABLE done;"
	run rt -q upgrade a1
	[ "$status" -eq 0 ]
	# exec: $! is retort itself (or its RETORT_WRAP), not a subshell
	(exec $RETORT_WRAP "$RETORT_BIN" --lock-lease 2 upgrade head) 2>holder.err 3>&- &
	holder=$!
	for _ in $(seq 1 600); do
		[ "$(pq "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep((SELECT s FROM delay))%' AND pid <> pg_backend_pid()")" = 1 ] && break
		sleep 0.05
	done
	[ "$(pq "SELECT count(*) FROM retort_lock")" = 1 ]
	kill -9 "$holder"
	wait "$holder" || true
	# the killed runner's statement goes on on the server; the next run must not wait for it
	pq "UPDATE delay SET s = 0" >/dev/null
	run rt --lock-lease 2 --lock-timeout 120 upgrade head
	pq "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep((SELECT s FROM delay))%' AND pid <> pg_backend_pid()" >/dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: took over an expired migration lease on \"alembic_version\" from retort pid $holder on "*", last renewed "*" s ago"* ]]
	[ "$(db_versions)" = "b2" ]
	[ "$(pq "SELECT count(*) FROM retort_lock")" = 0 ]
}

@test "pgbouncer: a statement longer than the lease keeps it: the heartbeat renews it meanwhile" {
	pooled
	mkrev a0 "" "gate" "CREATE TABLE go (x int);" "DROP TABLE go;"
	# a statement that runs until the test lets it finish
	mkrev a1 a0 "long" "CREATE TABLE done (x int);
DO \$\$ BEGIN WHILE NOT EXISTS (SELECT 1 FROM go) LOOP PERFORM pg_sleep(0.1); END LOOP; END \$\$;
INSERT INTO done VALUES (1);" "DROP TABLE done;"
	run rt -q upgrade a0
	[ "$status" -eq 0 ]
	rt --lock-lease 3 upgrade head 2>first.err 3>&- &
	first=$!
	for _ in $(seq 1 1200); do
		[ "$(pq "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%WHILE NOT EXISTS%' AND pid <> pg_backend_pid()")" = 1 ] && break
		sleep 0.05
	done
	rt --lock-lease 3 --lock-timeout 600 upgrade head 2>second.err 3>&- &
	second=$!
	for _ in $(seq 1 2400); do
		grep -q "waiting for the migration lock" second.err && break
		sleep 0.05
	done
	# three leases' time into the one statement, the lease is still live, renewed
	for _ in $(seq 1 2400); do
		[ "$(pq "SELECT now() - acquired > interval '9 seconds' FROM retort_lock")" = t ] && break
		sleep 0.05
	done
	[ "$(pq "SELECT now() - acquired > interval '9 seconds' AND expires > now() AND now() - heartbeat < interval '3 seconds' FROM retort_lock")" = t ]
	pq "INSERT INTO go VALUES (1)" >/dev/null
	wait "$first"
	wait "$second"
	cat first.err second.err
	grep -q "waiting for the migration lock" second.err
	! grep -q "took over" second.err
	grep -q "nothing to upgrade" second.err
	[ "$(pq "SELECT count(*) FROM done")" = 1 ]
}

@test "pgbouncer: a lease lost while a migration runs stops the run before the next migration" {
	pooled
	mkrev a1 "" "slow" "CREATE TABLE a (x int); SELECT pg_sleep(3);" "DROP TABLE a;"
	mkrev b2 a1 "next" "CREATE TABLE b (x int);" "DROP TABLE b;"
	(exec $RETORT_WRAP "$RETORT_BIN" --lock-lease 1 upgrade head) 2>run.err 3>&- &
	runner=$!
	for _ in $(seq 1 600); do
		[ "$(pq "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(3)%' AND pid <> pg_backend_pid()")" = 1 ] && break
		sleep 0.05
	done
	# another runner's takeover, as a stalled heartbeat would allow it
	pq "UPDATE retort_lock SET holder = 'someone else'" >/dev/null
	status=0
	wait "$runner" || status=$?
	cat run.err
	[ "$status" -eq 4 ]
	grep -q 'the migration lease on "alembic_version" was lost (its row in "public"."retort_lock" is no longer ours): another runner may hold it now, so this one stops here; run it again to finish what is left' run.err
	# the migration that was running committed; the next one never started
	[ "$(db_versions)" = "a1" ]
	[ "$(db_tables)" = "a alembic_version retort_lock" ]
	# and the row that is not ours is left alone
	[ "$(pq "SELECT holder FROM retort_lock")" = "someone else" ]
}

@test "pgbouncer: settings reach every transaction by SET LOCAL and never stay on the pooled session" {
	[ -z "$PGB_MISSING" ] || skip "$PGB_MISSING"
	# a PgBouncer of one server session: whatever a client leaves on it, the next one sees
	env=$(RETORT_TEST_PGB_POOL=1 "$BATS_TEST_DIRNAME/../pg/pgbouncer.sh" start)
	PGB1_DIR=$(eval "$env"; echo "$RETORT_TEST_PGB_DIR")
	port=$(eval "$env"; echo "$RETORT_TEST_PGB_PORT")
	pooled "$port"
	pq "CREATE SCHEMA app"
	mkrev a1 "" "record" "CREATE TABLE seen (what text, search_path text, stmt text, lck text);
INSERT INTO seen VALUES ('txn', current_setting('search_path'), current_setting('statement_timeout'), current_setting('lock_timeout'));" "DROP TABLE seen;"
	mkrev b2 a1 "record outside" "INSERT INTO seen VALUES ('one', current_setting('search_path'), current_setting('statement_timeout'), current_setting('lock_timeout'));
INSERT INTO seen VALUES ('two', current_setting('search_path'), current_setting('statement_timeout'), current_setting('lock_timeout'));" "-"
	sed -i 's/^-- migrate:upgrade$/-- migrate:upgrade transaction:false/' migrations/versions/b2_*.sql
	run rt --search-path app --statement-timeout 7 --ddl-lock-timeout 3 upgrade head
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(pq "SELECT what, search_path, stmt, lck FROM app.seen ORDER BY what DESC")" = "$(printf 'txn|app|7s|3s\ntwo|app|7s|3s\none|app|7s|3s')" ]
	# the version table went where search_path says
	[ "$(pq "SELECT version_num FROM app.alembic_version")" = "b2" ]
	run rt --search-path app current
	[ "$output" = "b2 (head)" ]
	# the one server session kept none of it
	[ "$(pgb_sql "$port" "SHOW search_path")" = '"$user", public' ]
	[ "$(pgb_sql "$port" "SHOW statement_timeout")" = 0 ]
	[ "$(pgb_sql "$port" "SHOW lock_timeout")" = 0 ]
	[ "$(pgb_sql "$port" "SHOW default_transaction_read_only")" = off ]
	# a statement that must run outside any transaction cannot get them: said, not dropped
	mkrev c3 b2 "index" "CREATE INDEX CONCURRENTLY seen_what ON seen (what);" "-"
	sed -i 's/^-- migrate:upgrade$/-- migrate:upgrade transaction:false/' migrations/versions/c3_*.sql
	run rt --search-path app upgrade head
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"c3_index.sql:8:1: 'CREATE INDEX CONCURRENTLY seen_what ON seen (what)' must run outside a transaction, and through a connection pooler"*"ALTER ROLE ... SET"* ]]
	[ "$(pq "SELECT version_num FROM app.alembic_version")" = "b2" ]
}

# (advisory locks are counted in this test's database only: the other
# lane's tests hold theirs on the same server)
@test "pg: --lock=table directly against PostgreSQL takes a lease and no advisory lock" {
	mkrev a1 "" "look" "CREATE TABLE seen (advisory bigint, leases bigint, holder text);
INSERT INTO seen SELECT (SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()), count(*), max(holder) FROM retort_lock;" "DROP TABLE seen;"
	run rt -v --lock=table upgrade head
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"--lock=table: no session state is kept"* ]]
	[[ "$(pq "SELECT advisory, leases, holder FROM seen")" =~ ^0\|1\|retort\ pid\ [0-9]+\ on\ .+\ \([0-9a-f]{8}\)$ ]]
	[ "$(pq "SELECT count(*) FROM retort_lock")" = 0 ]
	run rt --lock=table downgrade base
	[ "$status" -eq 0 ]
	[ "$(db_tables)" = "alembic_version retort_lock" ]
	# without it, the advisory lock as before, and no lock table
	pq "DROP TABLE retort_lock"
	mkrev a1 "" "look" "CREATE TABLE seen (advisory bigint);
INSERT INTO seen SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database();" "DROP TABLE seen;"
	run rt upgrade head
	[ "$status" -eq 0 ]
	[ "$(pq "SELECT advisory FROM seen")" = 1 ]
	[ "$(db_tables)" = "alembic_version seen" ]
}

@test "pg: --lock from RETORT_LOCK and retort.ini, --lock=none warns, bad values are refused" {
	linear3
	run rt --lock=none upgrade 1a2b3c4d5e6f
	[ "$status" -eq 0 ]
	[[ "$output" == *"retort: warning: --lock=none: no migration lock is taken, so another retort running at the same time can apply the same migrations again"* ]]
	[ "$(db_tables)" = "a alembic_version" ]
	RETORT_LOCK=table run rt upgrade 2b3c4d5e6f7a
	[ "$status" -eq 0 ]
	[ "$(db_tables)" = "a alembic_version b retort_lock" ]
	printf '[retort]\nlock = none\n' >retort.ini
	run rt upgrade head
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: --lock=none"* ]]
	# the flag wins over the file
	run rt --lock=advisory downgrade -1
	[ "$status" -eq 0 ]
	[[ "$output" != *"warning"* ]]
	run rt --lock=sometimes current
	[ "$status" -eq 64 ]
	[[ "$output" == *"option '--lock' takes advisory, table or none, not 'sometimes'"* ]]
	run rt --lock-lease 0.5 current
	[ "$status" -eq 64 ]
	[[ "$output" == *"--lock-lease must be at least 1 second, not 0.5"* ]]
	printf '[retort]\nlock = lease\n' >retort.ini
	run rt current
	[ "$status" -eq 2 ]
	[[ "$output" == *"retort.ini: lock takes advisory, table or none, not 'lease'"* ]]
}

@test "--lock=table is PostgreSQL's: on SQLite it is refused, saying what to use" {
	switch_backend sqlite
	linear3
	run rt --lock=table upgrade head
	[ "$status" -eq 64 ]
	[[ "$output" == *"the table lock (a lease row) applies to PostgreSQL only; this database is SQLite, whose own lock (a lock on the file) needs no lease: use --lock=advisory"* ]]
	# refused before the database was opened: not even the file was made
	[ ! -e test.db ]
	run rt --lock=none upgrade head
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: --lock=none"* ]]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
}
