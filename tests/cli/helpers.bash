# Shared helpers for the bats CLI tests: every test runs in a fresh
# temporary directory with the built binary ($RETORT_BIN, optionally under
# $RETORT_WRAP, e.g. valgrind).

setup() {
	TEST_DIR=$(mktemp -d "${BATS_TMPDIR:-/tmp}/retort-cli.XXXXXX")
	cd "$TEST_DIR" || return 1
	unset DATABASE_URL RETORT_CONFIG RETORT_DIR NO_COLOR
	export DATABASE_URL="sqlite:///$TEST_DIR/test.db"
}

teardown() {
	cd / && rm -rf "$TEST_DIR"
}

# Run retort (use with bats' `run rt ...`).
rt() {
	$RETORT_WRAP "$RETORT_BIN" "$@"
}

# mkrev ID PARENTS MESSAGE UPSQL [DOWNSQL] [EXTRA-HEADER-LINES]
# Writes migrations/versions/ID_slug.sql.  DOWNSQL "-" omits the downgrade section.
mkrev() {
	local id=$1 parents=$2 msg=$3 up=$4 down=${5:-} extra=${6:-}
	mkdir -p migrations/versions
	{
		printf -- '-- %s\n--\n-- Revision ID: %s\n-- Revises: %s\n' "$msg" "$id" "$parents"
		printf -- '-- Create Date: 2026-11-22 10:00:00.000000\n'
		if [ -n "$extra" ]; then printf -- '%s\n' "$extra"; fi
		printf -- '\n-- migrate:upgrade\n%s\n' "$up"
		if [ "$down" != "-" ]; then printf -- '\n-- migrate:downgrade\n%s\n' "$down"; fi
	} >"migrations/versions/${id}_$(echo "$msg" | tr ' ' '_').sql"
}

# sql QUERY: run a query against the test database.
sql() {
	sqlite3 "$TEST_DIR/test.db" "$1"
}

# versions: the version rows, sorted, space-separated.
versions() {
	sqlite3 "$TEST_DIR/test.db" "SELECT version_num FROM alembic_version ORDER BY 1" | tr '\n' ' ' | sed 's/ $//'
}

# tables: user tables, sorted, space-separated.
tables() {
	sqlite3 "$TEST_DIR/test.db" "SELECT name FROM sqlite_master WHERE type='table' ORDER BY 1" | tr '\n' ' ' | sed 's/ $//'
}

# A linear history of three revisions creating tables a, b, c.
linear3() {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "create b" "CREATE TABLE b (id INTEGER PRIMARY KEY);" "DROP TABLE b;"
	mkrev 3c4d5e6f7a8b 2b3c4d5e6f7a "create c" "CREATE TABLE c (id INTEGER PRIMARY KEY);" "DROP TABLE c;"
}

# PostgreSQL: pg_setup gives the test a fresh database on the private server
# started by tests/run.sh (DATABASE_URL points at it), or skips loudly.
pg_setup() {
	if [ -z "${RETORT_TEST_PG_DIR:-}" ]; then
		skip "no PostgreSQL test server (apt-get install postgresql-15)"
	fi
	PG_DB=t_$$_$RANDOM
	pq_admin "CREATE DATABASE $PG_DB"
	export DATABASE_URL="postgresql://postgres@/$PG_DB?host=$RETORT_TEST_PG_DIR&port=$RETORT_TEST_PG_PORT"
}

pg_teardown() {
	[ -n "${PG_DB:-}" ] && pq_admin "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" || true
}

pq_admin() {
	"$RETORT_TEST_PG_BIN/psql" -X -q -At -h "$RETORT_TEST_PG_DIR" -p "$RETORT_TEST_PG_PORT" \
		-U postgres -d postgres -c "$1"
}

# pq SQL: run a query in the test's database.
pq() {
	"$RETORT_TEST_PG_BIN/psql" -X -q -At -h "$RETORT_TEST_PG_DIR" -p "$RETORT_TEST_PG_PORT" \
		-U postgres -d "$PG_DB" -c "$1"
}

pg_versions() {
	pq "SELECT version_num FROM alembic_version ORDER BY 1" | tr '\n' ' ' | sed 's/ $//'
}

pg_tables() {
	pq "SELECT tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1" |
		tr '\n' ' ' | sed 's/ $//'
}

# schema_roundtrip OLD NEW: the autogenerate loop on the current DATABASE_URL.
# Brings the database to schema OLD (autogenerate + upgrade), then writes
# NEW and asserts: check reports drift; autogenerate writes a revision that
# applies; check then passes; downgrade -1 restores exactly OLD (diff empty);
# and the upgrade applies again.  The generated file is left in $CHANGE.
schema_roundtrip() {
	local old=$1 new=$2
	mkdir -p migrations/versions
	printf '%s\n' "$old" >migrations/schema.sql
	printf '%s\n' "$old" >old.sql
	run rt -q revision --autogenerate -m base --rev-id base0
	[ "$status" -eq 0 ] || { echo "base: $output"; return 1; }
	run rt -q upgrade head
	[ "$status" -eq 0 ] || { echo "base upgrade: $output"; return 1; }
	printf '%s\n' "$new" >migrations/schema.sql
	run rt -q check
	[ "$status" -eq 1 ] || { echo "check before: $output"; return 1; }
	DRIFT=$output
	run rt -q revision --autogenerate -m change --rev-id chg1
	[ "$status" -eq 0 ] || { echo "autogenerate: $output"; return 1; }
	CHANGE=$(ls migrations/versions/chg1_*.sql)
	run rt -q upgrade head
	[ "$status" -eq 0 ] || { echo "upgrade: $output"; cat "$CHANGE"; return 1; }
	run rt -q check
	[ "$status" -eq 0 ] || { echo "check after: $output"; cat "$CHANGE"; return 1; }
	run rt -q downgrade -1
	[ "$status" -eq 0 ] || { echo "downgrade: $output"; cat "$CHANGE"; return 1; }
	run rt -q diff --from old.sql --to database
	[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "not restored: $output"; cat "$CHANGE"; return 1; }
	run rt -q upgrade head
	[ "$status" -eq 0 ] || { echo "upgrade again: $output"; return 1; }
	run rt -q check
	[ "$status" -eq 0 ] || { echo "check again: $output"; return 1; }
}
