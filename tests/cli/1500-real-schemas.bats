#!/usr/bin/env bats
# Covers autogenerate on large real-world schemas that no one here wrote,
# taken from Debian's packages (apt-get download + dpkg -x, no install):
# Zabbix 6.0 (173 tables, PostgreSQL and SQLite) and Roundcube 1.6
# (PostgreSQL and SQLite).  For each: empty database + autogenerate +
# upgrade, then check finds no drift; the dump loads into another empty
# database and diffs as equal; downgrade returns to empty.  Skips loudly
# when the packages cannot be downloaded.

load helpers

setup() {
	test_dir_setup
}

teardown() {
	db_teardown
	test_dir_teardown
}

# real_schema PACKAGE PATH: the file PATH from Debian's PACKAGE (cached),
# uncompressed into migrations/schema.sql.
real_schema() {
	local cache=${XDG_CACHE_HOME:-$HOME/.cache}/retort/real-schemas/$1
	if [ ! -d "$cache/x" ]; then
		mkdir -p "$cache"
		(cd "$cache" && apt-get download "$1" >/dev/null 2>&1 && dpkg -x "$1"_*.deb x) ||
			skip "cannot download Debian package $1 (apt-get download)"
	fi
	mkdir -p migrations/versions
	case $2 in
	*.gz) gzip -dc "$cache/x/$2" >migrations/schema.sql ;;
	*) cp "$cache/x/$2" migrations/schema.sql ;;
	esac
}

# roundtrip COPY_URL LOAD_CMD: the whole journey on $DATABASE_URL; the dump
# is loaded into the empty database at COPY_URL by LOAD_CMD (reading stdin).
roundtrip() {
	local copy_url=$1 load=$2
	run rt -q revision --autogenerate -m real --rev-id real1
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run rt -q upgrade head
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run rt -q check
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *"matches the schema"* ]]
	rt -q dump -o dump.sql
	$load <dump.sql
	run rt -q diff --from "$copy_url" --to database
	[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "dump differs: $output"; return 1; }
	run rt -q downgrade base
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(rt -q dump)" = "-- schema dumped by retort (the version table left out)" ]
}

sqlite_load() {
	sqlite3 "$TEST_DIR/copy.db"
}

pg_load() {
	"$RETORT_TEST_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$RETORT_TEST_PG_DIR" \
		-p "$RETORT_TEST_PG_PORT" -U postgres -d "${PG_DB}_copy"
}

pg_copy() {
	pq_admin "CREATE DATABASE ${PG_DB}_copy"
	COPY_URL="postgresql://postgres@/${PG_DB}_copy?host=$RETORT_TEST_PG_DIR&port=$RETORT_TEST_PG_PORT"
}

@test "real schema: Zabbix 6.0 on SQLite (173 tables)" {
	real_schema zabbix-proxy-sqlite3 usr/share/zabbix-proxy-sqlite3/schema.sql.gz
	export DATABASE_URL="sqlite:///$TEST_DIR/z.db"
	[ "$(grep -c '^CREATE TABLE' migrations/schema.sql)" -ge 150 ]
	roundtrip "sqlite:///$TEST_DIR/copy.db" sqlite_load
}

@test "real schema: Roundcube 1.6 on SQLite" {
	real_schema roundcube-core usr/share/roundcube/SQL/sqlite.initial.sql
	export DATABASE_URL="sqlite:///$TEST_DIR/r.db"
	roundtrip "sqlite:///$TEST_DIR/copy.db" sqlite_load
}

@test "real schema: Zabbix 6.0 on PostgreSQL (173 tables)" {
	switch_backend postgresql
	real_schema zabbix-server-pgsql usr/share/zabbix-server-pgsql/schema.sql.gz
	pg_copy
	roundtrip "$COPY_URL" pg_load
	pq_admin "DROP DATABASE ${PG_DB}_copy"
}

@test "real schema: Roundcube 1.6 on PostgreSQL" {
	switch_backend postgresql
	real_schema roundcube-core usr/share/roundcube/SQL/postgres.initial.sql
	pg_copy
	roundtrip "$COPY_URL" pg_load
	pq_admin "DROP DATABASE ${PG_DB}_copy"
}
