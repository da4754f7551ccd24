#!/usr/bin/env bats
# Covers offline SQL (`--sql`): Alembic's layout, that it never connects,
# and that applying it (sqlite3 / psql) reaches exactly the state an online
# run reaches, for upgrades and downgrades.

load helpers

@test "offline upgrade prints Alembic's script and never connects" {
	linear3
	run rt -u 'postgresql://bob:secret@127.0.0.1:1/nowhere' upgrade head --sql
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "BEGIN;" ]
	[ "${lines[1]}" = "CREATE TABLE alembic_version (" ]
	[[ "$output" == *"-- Running upgrade  -> 1a2b3c4d5e6f"* ]]
	[[ "$output" == *"INSERT INTO alembic_version (version_num) VALUES ('1a2b3c4d5e6f') RETURNING alembic_version.version_num;"* ]]
	[[ "$output" == *"UPDATE alembic_version SET version_num='3c4d5e6f7a8b' WHERE alembic_version.version_num = '2b3c4d5e6f7a';"* ]]
	[ "$(grep -c '^COMMIT;$' <<<"$output")" -eq 3 ]
	run rt -u 'postgresql://bob:secret@127.0.0.1:1/nowhere' --single-transaction upgrade 1a2b:head --sql
	[ "$(grep -c '^BEGIN;$' <<<"$output")" -eq 1 ]
	[[ "$output" != *"CREATE TABLE alembic_version"* ]]
}

@test "offline SQLite scripts have no BEGIN/COMMIT, as Alembic's" {
	linear3
	run rt upgrade head --sql
	[ "$status" -eq 0 ]
	[[ "$output" != *"BEGIN;"* ]]
	[[ "$output" == *"INSERT INTO alembic_version (version_num) VALUES ('1a2b3c4d5e6f');"* ]]
	[ ! -e test.db ]
}

@test "offline downgrade needs START:END and drops the table at base" {
	linear3
	run rt downgrade -1 --sql
	[ "$status" -eq 64 ]
	[[ "$output" == *"needs START:END"* ]]
	run rt downgrade 3c4d:base --sql
	[ "$status" -eq 0 ]
	[[ "$output" == *"-- Running downgrade 1a2b3c4d5e6f -> "* ]]
	[[ "$output" == *"DROP TABLE alembic_version;"* ]]
}

# the schema with white space folded (Alembic's DDL itself differs online and offline)
schema_sqlite() {
	sqlite3 "$1" .schema | tr -s ' \t\n' ' '
}

@test "SQLite: the offline script reaches the online state" {
	linear3
	rt upgrade head --sql >up.sql
	sqlite3 offline.db <up.sql
	rt upgrade head
	[ "$(schema_sqlite offline.db)" = "$(schema_sqlite test.db)" ]
	[ "$(sqlite3 offline.db 'SELECT * FROM alembic_version')" = "$(db_versions)" ]
	rt downgrade 3c4d:1a2b --sql >down.sql
	sqlite3 offline.db <down.sql
	rt downgrade 1a2b
	[ "$(schema_sqlite offline.db)" = "$(schema_sqlite test.db)" ]
	[ "$(sqlite3 offline.db 'SELECT * FROM alembic_version')" = "1a2b3c4d5e6f" ]
}

@test "PostgreSQL: the offline script applied with psql reaches the online state" {
	switch_backend postgresql
	linear3
	online=$DATABASE_URL
	rt upgrade head --sql >up.sql
	offline_db=${PG_DB}_off
	pq_admin "CREATE DATABASE $offline_db"
	"$RETORT_TEST_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$RETORT_TEST_PG_DIR" -p "$RETORT_TEST_PG_PORT" \
		-U postgres -d "$offline_db" -f up.sql >/dev/null
	rt upgrade head
	schema_of() {
		"$RETORT_TEST_PG_BIN/psql" -X -At -h "$RETORT_TEST_PG_DIR" -p "$RETORT_TEST_PG_PORT" -U postgres -d "$1" -c \
			"SELECT table_name || ':' || column_name || ':' || data_type || ':' || is_nullable FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1; SELECT * FROM alembic_version"
	}
	[ "$(schema_of "$offline_db")" = "$(schema_of "$PG_DB")" ]
	rt downgrade 3c4d:base --sql >down.sql
	"$RETORT_TEST_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$RETORT_TEST_PG_DIR" -p "$RETORT_TEST_PG_PORT" \
		-U postgres -d "$offline_db" -f down.sql >/dev/null
	[ "$("$RETORT_TEST_PG_BIN/psql" -X -At -h "$RETORT_TEST_PG_DIR" -p "$RETORT_TEST_PG_PORT" -U postgres -d "$offline_db" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = "0" ]
	pq_admin "DROP DATABASE $offline_db"
}
