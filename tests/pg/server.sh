#!/usr/bin/env bash
# A private PostgreSQL server for the tests: initdb + pg_ctl in a temporary
# directory, listening on a Unix socket there and on 127.0.0.1 at a free
# port.  It never touches the system's own clusters.
#
#   eval "$(tests/pg/server.sh start)"   # exports RETORT_TEST_PG_URL, RETORT_TEST_PG_DIR, ...
#   tests/pg/server.sh stop "$RETORT_TEST_PG_DIR"
#
# `start` prints nothing and exits 3 when no server binaries are installed
# (apt-get install postgresql-15).  Local socket connections are trusted;
# TCP ones need a password (scram-sha-256): user retort_pw / RETORT_TEST_PG_PASSWORD.
# RETORT_TEST_PG_OPTS adds server options (e.g. "-c max_locks_per_transaction=1024");
# RETORT_TEST_PG_PARENT (default /tmp) holds the directory (the benchmarks
# put it in /dev/shm, out of the disk's write-back).
set -eu

bindir() {
	local d
	if command -v pg_config >/dev/null && d=$(pg_config --bindir 2>/dev/null) && [ -x "$d/initdb" ]; then
		echo "$d"; return 0
	fi
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && { echo "$d"; return 0; }
	done
	return 1
}

as_pg() {   # run as the postgres user when we are root (initdb refuses root)
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_ctl runs as postgres, which may not enter the caller's directory
cd /

case ${1:-} in
start)
	bin=$(bindir) || exit 3
	dir=$(mktemp -d "${RETORT_TEST_PG_PARENT:-/tmp}/retort-pg.XXXXXX")
	chmod 755 "$dir"
	[ "$(id -u)" = 0 ] && chown postgres: "$dir"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	password=pw-$RANDOM$RANDOM
	as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust --auth-host=scram-sha-256 \
		-E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60 ${RETORT_TEST_PG_OPTS:-}" \
		start >/dev/null
	"$bin/psql" -q -h "$dir" -p "$port" -U postgres -d postgres \
		-c "CREATE ROLE retort_pw LOGIN PASSWORD '$password' CREATEDB" >/dev/null
	echo "export RETORT_TEST_PG_DIR='$dir' RETORT_TEST_PG_BIN='$bin' RETORT_TEST_PG_PORT='$port'"
	echo "export RETORT_TEST_PG_URL='postgresql://postgres@/postgres?host=$dir&port=$port'"
	echo "export RETORT_TEST_PG_PASSWORD='$password'"
	;;
stop)
	dir=${2:?directory}
	bin=$(bindir) || exit 0
	as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
	;;
*)
	echo "usage: $0 start | stop DIR" >&2
	exit 64
	;;
esac
