# Shared helpers for the bats CLI tests.  Every test runs in a fresh
# temporary directory ($TEST_DIR) with the built binary ($RETORT_BIN,
# optionally under $RETORT_WRAP, e.g. valgrind) and a fresh, empty database
# of the file's backend.
#
# Backends.  A test file talks to its database only through the db_*
# functions below, whatever the backend:
#
#   db_setup / db_teardown   a fresh empty database; DATABASE_URL points at it
#   db_other NAME            create a second empty database, print its URL
#   db_sql QUERY [NAME]      run SQL in it (or in db_other NAME); rows one a line, columns split by |
#   db_load FILE [NAME]      run a SQL script in it (or NAME), stop at the first error
#   db_tables [NAME]         user tables (and retort_progress; not retort_history), sorted, space-separated
#   db_shape [NAME]          every table's columns and types, one a line, to compare two databases
#                            (both leave out retort_history, which every run writes: its own
#                            tests, shared/0600-checksums.bats, read it with db_sql)
#   db_versions              the version rows, sorted, space-separated
#   db_column TABLE COLUMN   "type[ not null]", lower case (varchar(32) not null)
#   db_key TABLE             the primary key: "NAME PRIMARY KEY (COLUMNS)"
#   db_hold_lock             take retort's migration lock from another process, as
#                            another retort would, and keep it; LOCK_HOLDER is what
#                            retort says of the holder ("held by pid 123")
#   db_release_lock          end that holder
#
# Each is implemented once per backend as _BACKEND_FUNCTION (_sqlite_sql,
# _postgresql_sql, _mysql_sql, ...) in the sections below; db_versions is
# written once on top of db_sql.  Adding a backend means adding one such set
# of functions plus its name to the backend loop in tests/run.sh, and giving
# by_backend values (the database's own error wording) in the shared tests.
#
# Which backend a file uses:
#   - files in tests/cli/ run once, on SQLite unless they say `backend postgresql`;
#   - files in tests/cli/shared/ say `shared_scenarios`: tests/run.sh runs
#     them once per backend, RETORT_TEST_BACKEND=sqlite|postgresql|mysql, and
#     every test's name starts with "[BACKEND] ".
#   - a test may move to another backend with `switch_backend NAME`.
# A backend that cannot run here (no PostgreSQL or MariaDB server) makes its
# tests skip, saying why; they never pass silently.

TEST_BACKEND=sqlite
DB_FUNCTIONS="setup teardown sql load other tables shape column key hold_lock release_lock"

# backend NAME: this file's tests use backend NAME.
backend() {
	declare -F "_${1}_setup" >/dev/null || { echo "helpers.bash: unknown backend '$1'" >&2; return 1; }
	TEST_BACKEND=$1
}

# shared_scenarios: this file runs once per backend (RETORT_TEST_BACKEND,
# default sqlite), with the backend in every test's name.
shared_scenarios() {
	backend "${RETORT_TEST_BACKEND:-sqlite}" || exit 1
	BATS_TEST_NAME_PREFIX="[$TEST_BACKEND] "
}

# switch_backend NAME: inside a test, drop this test's database and give it
# a fresh one on backend NAME.
switch_backend() {
	db_teardown
	backend "$1" || return 1
	db_setup
}

# by_backend BACKEND=VALUE...: the VALUE for this test's backend: what a
# shared scenario expects that differs by database (its error wording).  A
# backend with no value fails the test, so a new backend cannot skip one.
by_backend() {
	local kv
	for kv in "$@"; do
		if [ "${kv%%=*}" = "$TEST_BACKEND" ]; then
			printf '%s' "${kv#*=}"
			return 0
		fi
	done
	echo "by_backend: no value for backend $TEST_BACKEND in: $*" >&2
	return 1
}

# not_yet BACKEND REASON: this file's scenarios do not hold on BACKEND yet;
# there each one is skipped, saying REASON, so none passes silently.
not_yet() {
	[ "$TEST_BACKEND" != "$1" ] || NOT_YET=$2
}

for _f in $DB_FUNCTIONS; do
	eval "db_$_f() { \"_\${TEST_BACKEND}_$_f\" \"\$@\"; }"
done
unset _f

db_versions() {
	db_sql "SELECT version_num FROM alembic_version ORDER BY 1" | tr '\n' ' ' | sed 's/ $//'
}

# test_dir_setup: every test runs in a fresh directory TEST_DIR, with no
# database, project or environment settings of its caller's, and its own
# header cache (never the user's ~/.cache/retort); test_dir_teardown
# removes both.  Files with their own setup() and teardown() call these.
test_dir_setup() {
	TEST_DIR=$(mktemp -d "${BATS_TMPDIR:-/tmp}/retort-cli.XXXXXX")
	cd "$TEST_DIR" || return 1
	unset DATABASE_URL DATABASE_URL_FILE RETORT_CONFIG RETORT_DIR RETORT_SCHEMA NO_COLOR \
		RETORT_WAIT_TIMEOUT RETORT_NOTIFY_URL RETORT_REQUIRE_URL
	export RETORT_CACHE_DIR=$TEST_DIR.cache
}

test_dir_teardown() {
	[ -n "${TEST_DIR:-}" ] || return 0
	cd / && rm -rf "$TEST_DIR" "$TEST_DIR.cache"
}

setup() {
	[ -z "${NOT_YET:-}" ] || skip "$NOT_YET"
	test_dir_setup || return 1
	db_setup
}

teardown() {
	[ -n "${TEST_DIR:-}" ] || return 0
	db_teardown
	test_dir_teardown
}

# ---- SQLite: a file test.db in the test's directory ----

_sqlite_setup() {
	export DATABASE_URL="sqlite:///$TEST_DIR/test.db"
}

_sqlite_teardown() { :; }

_sqlite_sql() {
	sqlite3 "$TEST_DIR/${2:-test}.db" "$1"
}

_sqlite_load() {
	sqlite3 -bail "$TEST_DIR/${2:-test}.db" <"$1"
}

_sqlite_other() {
	echo "sqlite:///$TEST_DIR/$1.db"
}

_sqlite_tables() {
	_sqlite_sql "SELECT name FROM sqlite_master WHERE type='table' AND name <> 'retort_history' ORDER BY 1" "${1:-}" | tr '\n' ' ' | sed 's/ $//'
}

_sqlite_shape() {
	_sqlite_sql "SELECT m.name || ':' || c.name || ':' || lower(c.type) || ':' || c.\"notnull\"
		FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table' AND m.name <> 'retort_history' ORDER BY 1" "${1:-}"
}

_sqlite_column() {
	_sqlite_sql "SELECT lower(type) || CASE WHEN \"notnull\" THEN ' not null' ELSE '' END
		FROM pragma_table_info('$1') WHERE name = '$2'"
}

# SQLite keeps a constraint's name only in the table's DDL.
_sqlite_key() {
	_sqlite_sql "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '$1'" |
		grep -o 'CONSTRAINT \("[^"]*"\|[^ ]*\) PRIMARY KEY ([^)]*)' |
		sed 's/^CONSTRAINT //; s/^"\([^"]*\)"/\1/'
}

# SQLite's lock is an flock on the database file, taken here by one
# process (so that it is the pid retort finds holding it in /proc/locks).
_sqlite_hold_lock() {
	/usr/bin/python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "ab")
fcntl.flock(f, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)' "$TEST_DIR/test.db" >"$TEST_DIR/holder.out" 2>&1 3>&- &
	LOCK_HOLDER_PROC=$!
	for _ in $(seq 1 200); do [ -s "$TEST_DIR/holder.out" ] && break; sleep 0.05; done
	LOCK_HOLDER="held by pid $LOCK_HOLDER_PROC"
}

_sqlite_release_lock() {
	kill "$LOCK_HOLDER_PROC" 2>/dev/null || true
	wait "$LOCK_HOLDER_PROC" 2>/dev/null || true
}

# ---- PostgreSQL: on the private server that tests/run.sh starts
# (tests/pg/server.sh), one database per test file, emptied before each of
# its tests: every schema dropped (and the sessions still in it ended),
# public recreated as PostgreSQL makes it.  A CREATE DATABASE per test
# cost 0.2 s; RETORT_TEST_PG_FRESH=1 brings that back. ----

_postgresql_setup() {
	if [ -z "${RETORT_TEST_PG_DIR:-}" ]; then
		skip "${RETORT_TEST_PG_MISSING:-no PostgreSQL test server (apt-get install postgresql-15)}"
	fi
	local mark=${BATS_FILE_TMPDIR:-$TEST_DIR}/pg_db prefix=t_${BATS_ROOT_PID:-$$}_
	PG_OTHER=""
	if [ "${RETORT_TEST_PG_FRESH:-0}" = 0 ] && [ -s "$mark" ]; then
		PG_DB=$(cat "$mark")
		pq "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null
		pq "DO \$\$ DECLARE s name; BEGIN
			FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%'
				AND nspname <> 'information_schema' LOOP
				EXECUTE format('DROP SCHEMA %I CASCADE', s);
			END LOOP; END \$\$;
			CREATE SCHEMA public AUTHORIZATION pg_database_owner;
			COMMENT ON SCHEMA public IS 'standard public schema';
			GRANT USAGE ON SCHEMA public TO PUBLIC;" 2>/dev/null
	else
		PG_DB=$prefix$RANDOM$RANDOM
		# the databases of this run's earlier files are done with
		pq_admin "SELECT datname FROM pg_database WHERE datname LIKE '${prefix//_/\\_}%'" |
			while read -r d; do pq_admin "DROP DATABASE IF EXISTS $d WITH (FORCE)"; done
		pq_admin "CREATE DATABASE $PG_DB"
		[ "${RETORT_TEST_PG_FRESH:-0}" != 0 ] || echo "$PG_DB" >"$mark"
	fi
	export DATABASE_URL="postgresql://postgres@/$PG_DB?host=$RETORT_TEST_PG_DIR&port=$RETORT_TEST_PG_PORT"
}

_postgresql_teardown() {
	local d
	[ -n "${PG_DB:-}" ] || return 0
	for d in ${PG_OTHER:-}; do
		pq_admin "DROP DATABASE IF EXISTS $d WITH (FORCE)" || true
	done
	if [ "${RETORT_TEST_PG_FRESH:-0}" != 0 ]; then
		pq_admin "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" || true
	fi
	PG_DB=""
}

_postgresql_sql() {
	"$RETORT_TEST_PG_BIN/psql" -X -q -At -h "$RETORT_TEST_PG_DIR" -p "$RETORT_TEST_PG_PORT" \
		-U postgres -d "${2:+${PG_DB}_}${2:-$PG_DB}" -c "$1"
}

_postgresql_load() {
	"$RETORT_TEST_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$RETORT_TEST_PG_DIR" -p "$RETORT_TEST_PG_PORT" \
		-U postgres -d "${2:+${PG_DB}_}${2:-$PG_DB}" -f "$1" >/dev/null
}

_postgresql_other() {
	pq_admin "CREATE DATABASE ${PG_DB}_$1" >&2
	PG_OTHER="${PG_OTHER:-} ${PG_DB}_$1"
	echo "postgresql://postgres@/${PG_DB}_$1?host=$RETORT_TEST_PG_DIR&port=$RETORT_TEST_PG_PORT"
}

_postgresql_tables() {
	_postgresql_sql "SELECT tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND tablename <> 'retort_history' ORDER BY 1" \
		"${1:-}" | tr '\n' ' ' | sed 's/ $//'
}

_postgresql_shape() {
	_postgresql_sql "SELECT table_name || ':' || column_name || ':' || data_type || ':' || is_nullable
		FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'retort_history' ORDER BY 1" "${1:-}"
}

_postgresql_column() {
	pq "SELECT replace(format_type(atttypid, atttypmod), 'character varying', 'varchar')
		|| CASE WHEN attnotnull THEN ' not null' ELSE '' END
		FROM pg_attribute WHERE attrelid = quote_ident('$1')::regclass AND attname = '$2'"
}

_postgresql_key() {
	pq "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = quote_ident('$1')::regclass AND contype = 'p'"
}

# PostgreSQL's lock is an advisory lock on a key of database, schema and
# version table, taken here from psql.
_postgresql_hold_lock() {
	"$RETORT_TEST_PG_BIN/psql" -X -q -h "$RETORT_TEST_PG_DIR" -p "$RETORT_TEST_PG_PORT" -U postgres -d "$PG_DB" \
		-c "SELECT pg_advisory_lock(hashtextextended('retort:' || current_database() || ':public.alembic_version', 0)); SELECT pg_sleep(60)" \
		>/dev/null 2>&1 3>&- &
	LOCK_HOLDER_PROC=$!
	LOCK_HOLDER_PID=""
	for _ in $(seq 1 200); do
		LOCK_HOLDER_PID=$(pq "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
		[ -n "$LOCK_HOLDER_PID" ] && break
		sleep 0.05
	done
	LOCK_HOLDER="held by pid $LOCK_HOLDER_PID, application_name 'psql'"
}

_postgresql_release_lock() {
	[ -z "$LOCK_HOLDER_PID" ] || pq "SELECT pg_terminate_backend($LOCK_HOLDER_PID)" >/dev/null
	kill "$LOCK_HOLDER_PROC" 2>/dev/null || true
	wait "$LOCK_HOLDER_PROC" 2>/dev/null || true
}

# ---- MySQL/MariaDB: on the private server that tests/run.sh starts
# (tests/mysql/server.sh), one database per test, dropped and created
# again before each (cheap on MariaDB), over its Unix socket as root.
# db_sql runs with ANSI_QUOTES so that the shared tests' "name" is a name
# there too; db_load does not: a script loads as the server is set up. ----

_mysql_setup() {
	if [ -z "${RETORT_TEST_MYSQL_DIR:-}" ]; then
		skip "${RETORT_TEST_MYSQL_MISSING:-no MySQL test server (apt-get install mariadb-server)}"
	fi
	MY_DB=t_${BATS_ROOT_PID:-$$}_${BATS_SUITE_TEST_NUMBER:-0}
	MY_OTHER=""
	my_admin "DROP DATABASE IF EXISTS $MY_DB; CREATE DATABASE $MY_DB"
	export DATABASE_URL="mysql://root@localhost/$MY_DB?unix_socket=$RETORT_TEST_MYSQL_SOCKET"
}

_mysql_teardown() {
	local d
	[ -n "${MY_DB:-}" ] || return 0
	for d in $MY_DB ${MY_OTHER:-}; do
		# end the sessions still in it (a lock holder), then drop it
		my_admin "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '$d' AND ID <> CONNECTION_ID()" |
			while read -r id; do my_admin "KILL $id" 2>/dev/null || true; done
		my_admin "DROP DATABASE IF EXISTS $d" || true
	done
	MY_DB=""
}

_mysql_sql() {
	local -
	set -o pipefail   # the client's status, not tr's
	mariadb --no-defaults -S "$RETORT_TEST_MYSQL_SOCKET" -u root -N -B "${2:+${MY_DB}_}${2:-$MY_DB}" \
		-e "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES'); $1" | tr '\t' '|'
}

_mysql_load() {
	mariadb --no-defaults -S "$RETORT_TEST_MYSQL_SOCKET" -u root "${2:+${MY_DB}_}${2:-$MY_DB}" <"$1" >/dev/null
}

_mysql_other() {
	my_admin "DROP DATABASE IF EXISTS ${MY_DB}_$1; CREATE DATABASE ${MY_DB}_$1" >&2
	MY_OTHER="${MY_OTHER:-} ${MY_DB}_$1"
	echo "mysql://root@localhost/${MY_DB}_$1?unix_socket=$RETORT_TEST_MYSQL_SOCKET"
}

_mysql_tables() {
	_mysql_sql "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> 'retort_history' ORDER BY BINARY table_name" \
		"${1:-}" | tr '\n' ' ' | sed 's/ $//'
}

_mysql_shape() {
	_mysql_sql "SELECT CONCAT(table_name, ':', column_name, ':', column_type, ':', is_nullable)
		FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name <> 'retort_history' ORDER BY 1" "${1:-}"
}

_mysql_column() {
	_mysql_sql "SELECT CONCAT(LOWER(column_type), IF(is_nullable = 'NO', ' not null', ''))
		FROM information_schema.columns WHERE table_schema = DATABASE()
		AND table_name = '$1' AND column_name = '$2'"
}

# MySQL names every primary key PRIMARY, whatever the CREATE TABLE said.
_mysql_key() {
	_mysql_sql "SELECT CONCAT(k.constraint_name, ' PRIMARY KEY (',
		GROUP_CONCAT(k.column_name ORDER BY k.ordinal_position SEPARATOR ', '), ')')
		FROM information_schema.key_column_usage k WHERE k.table_schema = DATABASE()
		AND k.table_name = '$1' AND k.constraint_name = 'PRIMARY' GROUP BY k.constraint_name"
}

# MySQL's lock is GET_LOCK on a name made of database and version table,
# taken here from the mariadb client.
_mysql_hold_lock() {
	mariadb --no-defaults -S "$RETORT_TEST_MYSQL_SOCKET" -u root "$MY_DB" -N -B --unbuffered -e \
		"SELECT GET_LOCK(CONCAT('retort.', SHA1(CONCAT(DATABASE(), '.alembic_version'))), 0); SELECT SLEEP(60)" \
		>"$TEST_DIR/holder.out" 2>&1 3>&- &
	LOCK_HOLDER_PROC=$!
	for _ in $(seq 1 100); do [ -s "$TEST_DIR/holder.out" ] && break; sleep 0.05; done
	LOCK_HOLDER_ID=$(my_admin "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '$MY_DB'
		AND INFO LIKE '%SLEEP(60)%' AND INFO NOT LIKE '%PROCESSLIST%'")
	LOCK_HOLDER="held by connection id $LOCK_HOLDER_ID, user 'root', host 'localhost'"
}

_mysql_release_lock() {
	[ -z "$LOCK_HOLDER_ID" ] || my_admin "KILL $LOCK_HOLDER_ID" 2>/dev/null || true
	kill "$LOCK_HOLDER_PROC" 2>/dev/null || true
	wait "$LOCK_HOLDER_PROC" 2>/dev/null || true
}

# MySQL-only helper: SQL as root, in no database.
my_admin() {
	mariadb --no-defaults -S "$RETORT_TEST_MYSQL_SOCKET" -u root -N -B -e "$1"
}

# PostgreSQL-only helpers for the PostgreSQL files.
# pq_admin SQL: as postgres in the maintenance database; pq SQL: in the test's.
pq_admin() {
	"$RETORT_TEST_PG_BIN/psql" -X -q -At -h "$RETORT_TEST_PG_DIR" -p "$RETORT_TEST_PG_PORT" \
		-U postgres -d postgres -c "$1"
}

pq() {
	"$RETORT_TEST_PG_BIN/psql" -X -q -At -h "$RETORT_TEST_PG_DIR" -p "$RETORT_TEST_PG_PORT" \
		-U postgres -d "$PG_DB" -c "$1"
}

# ---- migrations and the schema loop, the same on every backend ----

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

# chain LETTER N UPSQL DOWNSQL: N linear revisions LETTER000...1 to N
# (hex), messages m1..mN, each {i} in the SQL replaced by the revision's
# number; $prev is left at the last one's id.
chain() {
	local letter=$1 n=$2 up=$3 down=$4 i id
	prev=""
	for i in $(seq 1 "$n"); do
		id=$(printf '%s%011x' "$letter" "$i")
		mkrev "$id" "$prev" "m$i" "${up//\{i\}/$i}" "${down//\{i\}/$i}"
		prev=$id
	done
}

# without_history FILE: an offline script without retort's retort_history
# statements (each with the blank line after it): what is left is
# Alembic's, byte for byte.
without_history() {
	awk 'skip && /^$/ { skip = 0; next } /^(CREATE TABLE IF NOT EXISTS|INSERT INTO) ([^ ]*\.)?retort_history / { skip = 1; next } { skip = 0; print }' "$1"
}

# A linear history of three revisions creating tables a, b, c.
linear3() {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "create b" "CREATE TABLE b (id INTEGER PRIMARY KEY);" "DROP TABLE b;"
	mkrev 3c4d5e6f7a8b 2b3c4d5e6f7a "create c" "CREATE TABLE c (id INTEGER PRIMARY KEY);" "DROP TABLE c;"
}

# alembic_linear3 URL: an Alembic project (Debian's python3-alembic) in
# pyal/ with pyal.ini on URL, holding linear3's three revisions as Python
# scripts; skips, saying why, without Alembic.  alembic ARGS runs it.
alembic_linear3() {
	if ! /usr/bin/python3 -c 'import alembic' 2>/dev/null; then
		skip "python3-alembic is not installed (apt-get install python3-alembic)"
	fi
	/usr/bin/python3 -m alembic init -q pyal >/dev/null 2>&1 || /usr/bin/python3 -m alembic init pyal >/dev/null
	# appended, not substituted: a URL may hold & and |
	grep -v '^sqlalchemy.url' alembic.ini >pyal.ini
	sed -i "/^\[alembic\]/a sqlalchemy.url = $1" pyal.ini
	rm alembic.ini
	local spec id down t
	for spec in "1a2b3c4d5e6f:None:a" "2b3c4d5e6f7a:'1a2b3c4d5e6f':b" "3c4d5e6f7a8b:'2b3c4d5e6f7a':c"; do
		IFS=: read -r id down t <<<"$spec"
		cat >"pyal/versions/$id.py" <<PY
"""create $t"""
revision = '$id'
down_revision = $down
branch_labels = None
depends_on = None
from alembic import op
def upgrade():
    op.execute("CREATE TABLE $t (id INTEGER PRIMARY KEY)")
def downgrade():
    op.execute("DROP TABLE $t")
PY
	done
}

alembic() {
	/usr/bin/python3 -m alembic -c pyal.ini "$@"
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
