#!/usr/bin/env bats
# Covers the PostgreSQL driver against a real server (tests/pg/server.sh):
# upgrades and downgrades, exact error reports, statements that cannot run
# in a transaction, --single-transaction, locking with 8 concurrent
# processes, timeouts, schemas, URL forms and password masking.

load helpers

setup() {
	TEST_DIR=$(mktemp -d "${BATS_TMPDIR:-/tmp}/retort-cli.XXXXXX")
	cd "$TEST_DIR" || return 1
	unset DATABASE_URL RETORT_CONFIG RETORT_DIR NO_COLOR DATABASE_URL_FILE
	pg_setup
}

teardown() {
	pg_teardown
	cd / && rm -rf "$TEST_DIR"
}

@test "pg: upgrade, current, downgrade" {
	linear3
	run rt upgrade head
	[ "$status" -eq 0 ]
	[ "$(pg_versions)" = "3c4d5e6f7a8b" ]
	[ "$(pg_tables)" = "a alembic_version b c" ]
	run rt current
	[ "$output" = "3c4d5e6f7a8b (head)" ]
	run rt downgrade -2
	[ "$status" -eq 0 ]
	[ "$(pg_versions)" = "1a2b3c4d5e6f" ]
	run rt check
	[ "$status" -eq 1 ]
	run rt downgrade base
	[ "$(pg_tables)" = "alembic_version" ]
}

@test "pg: the version table is Alembic's" {
	linear3
	rt upgrade head
	[ "$(pq "SELECT data_type || '(' || character_maximum_length || ') ' || is_nullable FROM information_schema.columns WHERE table_name = 'alembic_version'")" = "character varying(32) NO" ]
	[ "$(pq "SELECT conname FROM pg_constraint WHERE conrelid = 'alembic_version'::regclass")" = "alembic_version_pkc" ]
}

@test "pg: a syntax error names file, line, column, SQLSTATE, with a caret" {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id int);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "broken" "CREATE TABLE b (id int);
INSERT INTO b VALUES (1);
SELECT * FORM b;" "DROP TABLE b;"
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"2b3c4d5e6f7a_broken.sql:10:10: 42601: syntax error at or near \"FORM\" (upgrade 1a2b3c4d5e6f -> 2b3c4d5e6f7a)"* ]]
	[[ "$output" == *"LINE 10: SELECT * FORM b;"* ]]
	[ "$(pg_versions)" = "1a2b3c4d5e6f" ]
	[ "$(pg_tables)" = "a alembic_version" ]
}

@test "pg: an execution error names its statement, with DETAIL" {
	mkrev 1a2b3c4d5e6f "" "dup" "CREATE TABLE a (id int PRIMARY KEY);
INSERT INTO a VALUES (1);
  INSERT INTO a VALUES (1);" "DROP TABLE a;"
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"1a2b3c4d5e6f_dup.sql:10:3: 23505: duplicate key value violates unique constraint"* ]]
	[[ "$output" == *"DETAIL:  Key (id)=(1) already exists."* ]]
	[ "$(pg_tables)" = "" ]
}

@test "pg: CREATE INDEX CONCURRENTLY needs transaction:false, and works with it" {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id int);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "index" "CREATE INDEX CONCURRENTLY a_id ON a (id);" "DROP INDEX a_id;"
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"2b3c4d5e6f7a_index.sql:8:1: 'CREATE INDEX CONCURRENTLY a_id ON a (id)' cannot run inside a transaction; mark the section '-- migrate:upgrade transaction:false' (line 7)"* ]]
	[ "$(pg_tables)" = "" ]
	sed -i 's/^-- migrate:upgrade$/-- migrate:upgrade transaction:false/' migrations/versions/2b3c4d5e6f7a_index.sql
	run rt upgrade head
	[ "$status" -eq 0 ]
	[ "$(pq "SELECT indexname FROM pg_indexes WHERE tablename = 'a'")" = "a_id" ]
}

@test "pg: a failing transaction:false section says which statements ran" {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id int);" "DROP TABLE a;"
	cat > migrations/versions/2b3c4d5e6f7a_two.sql <<'SQL'
-- two
--
-- Revision ID: 2b3c4d5e6f7a
-- Revises: 1a2b3c4d5e6f

-- migrate:upgrade transaction:false
CREATE INDEX CONCURRENTLY a_id ON a (id);
CREATE INDEX CONCURRENTLY a_id ON a (id);

-- migrate:downgrade
DROP INDEX a_id;
SQL
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"2b3c4d5e6f7a_two.sql:8:"*"42P07"* ]]
	[[ "$output" == *"1 statement(s) before it ran outside a transaction and stay applied"* ]]
	[ "$(pg_versions)" = "1a2b3c4d5e6f" ]
}

@test "pg: a migration may not commit the runner's transaction" {
	mkrev 1a2b3c4d5e6f "" "commits" "CREATE TABLE a (id int);
COMMIT;" "-"
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"1a2b3c4d5e6f_commits.sql:9:1: transaction control statement (COMMIT)"* ]]
	[ "$(pg_tables)" = "" ]
}

@test "pg: --single-transaction is all or nothing" {
	linear3
	echo "SELECT * FROM missing;" >>migrations/versions/3c4d5e6f7a8b_create_c.sql
	sed -i '/^-- migrate:downgrade/,$d' migrations/versions/3c4d5e6f7a8b_create_c.sql
	printf 'CREATE TABLE c (id int);\nSELECT * FROM missing;\n' >>migrations/versions/3c4d5e6f7a8b_create_c.sql
	run rt --single-transaction upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"every migration of this run was rolled back"* ]]
	[ "$(pg_tables)" = "" ]
	run rt upgrade head
	[ "$status" -eq 2 ]
	[ "$(pg_versions)" = "2b3c4d5e6f7a" ]
}

@test "pg: eight concurrent upgrades run each migration exactly once" {
	for i in $(seq 1 20); do
		prev=""
		if [ $i -gt 1 ]; then prev=$(printf 'c%011d' $((i - 1))); fi
		mkrev "$(printf 'c%011d' $i)" "$prev" "step $i" \
			"CREATE TABLE t$i (x int); INSERT INTO log VALUES ($i);" "DROP TABLE t$i;"
	done
	sed -i 's/^CREATE TABLE t1 (x int);/CREATE TABLE log (n int); CREATE TABLE t1 (x int);/' \
		migrations/versions/c00000000001_step_1.sql
	pids=()
	for p in 1 2 3 4 5 6 7 8; do
		rt -q upgrade head 2>"err$p" &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || { cat err*; return 1; }
	done
	[ "$(pq 'SELECT count(*), count(DISTINCT n) FROM log')" = "20|20" ]
	[ "$(pg_versions)" = "c00000000020" ]
}

@test "pg: a held lock times out with exit 4 and names the holder" {
	linear3
	# hold retort's advisory lock from a psql session
	"$RETORT_TEST_PG_BIN/psql" -X -q -h "$RETORT_TEST_PG_DIR" -p "$RETORT_TEST_PG_PORT" -U postgres -d "$PG_DB" \
		-c "SELECT pg_advisory_lock(hashtextextended('retort:' || current_database() || ':public.alembic_version', 0)); SELECT pg_sleep(10)" >/dev/null 2>&1 &
	holder=$!
	sleep 1
	run rt --lock-timeout 1 upgrade head
	kill $holder 2>/dev/null || true
	[ "$status" -eq 4 ]
	[[ "$output" == *"waiting for the migration lock"* ]]
	[[ "$output" == *"held by pid "*"application_name 'psql'"* ]]
	[ "$(pg_tables)" = "" ]
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

@test "pg: a version table named by a keyword or with a space, online and offline" {
	linear3
	for vt in order "my versions"; do
		run rt --version-table "$vt" upgrade head
		[ "$status" -eq 0 ]
		[ "$(rt -q --version-table "$vt" current)" = "3c4d5e6f7a8b (head)" ]
		[ "$(pq "SELECT version_num FROM \"$vt\"")" = "3c4d5e6f7a8b" ]
		pq "DROP TABLE a, b, c, \"$vt\""
		rt -q --version-table "$vt" upgrade head --sql >offline.sql
		"$RETORT_TEST_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$RETORT_TEST_PG_DIR" \
			-p "$RETORT_TEST_PG_PORT" -U postgres -d "$PG_DB" -f offline.sql >/dev/null
		[ "$(pq "SELECT version_num FROM \"$vt\"")" = "3c4d5e6f7a8b" ]
		pq "DROP TABLE a, b, c, \"$vt\""
	done
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
	[ "$(pg_versions)" = "3c4d5e6f7a8b" ]
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

@test "pg: a version row that does not match aborts the migration" {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id int);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "meddles" "CREATE TABLE b (id int); DELETE FROM alembic_version;" "-"
	rt upgrade 1a2b
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"expected to change one row"*"'1a2b3c4d5e6f'"* ]]
	[ "$(pg_versions)" = "1a2b3c4d5e6f" ]
	[ "$(pg_tables)" = "a alembic_version" ]
}

@test "pg: libpq's environment fills what the URL leaves out" {
	linear3
	unset DATABASE_URL
	PGHOST=$RETORT_TEST_PG_DIR PGPORT=$RETORT_TEST_PG_PORT PGUSER=postgres PGDATABASE=$PG_DB \
		run rt -u postgresql:// upgrade head
	[ "$status" -eq 0 ]
	[ "$(pg_versions)" = "3c4d5e6f7a8b" ]
}
