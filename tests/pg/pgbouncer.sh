#!/usr/bin/env bash
# A private PgBouncer in transaction pooling mode, in front of the private
# PostgreSQL server of tests/pg/server.sh: every database of that server
# under its own name, on 127.0.0.1 at a free port, as the user postgres
# with a password (scram-sha-256 to PgBouncer, from an auth_file;
# PgBouncer itself reaches the server over its trusted Unix socket).
#
#   eval "$(tests/pg/pgbouncer.sh start)"   # needs RETORT_TEST_PG_DIR and _PORT
#        # exports RETORT_TEST_PGB_DIR, RETORT_TEST_PGB_PORT, RETORT_TEST_PGB_PASSWORD
#   tests/pg/pgbouncer.sh stop "$RETORT_TEST_PGB_DIR"
#
# `start` prints nothing and exits 3 when pgbouncer is not installed
# (apt-get install pgbouncer).  RETORT_TEST_PGB_POOL sets default_pool_size
# (default 4: fewer server sessions than clients, so sessions are shared);
# RETORT_TEST_PGB_PASSWORD, when set, is the password (a second instance
# beside the first takes the same).
set -eu

as_pg() {   # pgbouncer refuses to run as root
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

bin() {
	command -v pgbouncer || { [ -x /usr/sbin/pgbouncer ] && echo /usr/sbin/pgbouncer; }
}

cd /

case ${1:-} in
start)
	pgb=$(bin) || exit 3
	: "${RETORT_TEST_PG_DIR:?no PostgreSQL test server}" "${RETORT_TEST_PG_PORT:?}"
	dir=$(mktemp -d /tmp/retort-pgb.XXXXXX)
	chmod 755 "$dir"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	password=${RETORT_TEST_PGB_PASSWORD:-pgb-$RANDOM$RANDOM}
	printf '"postgres" "%s"\n' "$password" >"$dir/users.txt"
	cat >"$dir/pgbouncer.ini" <<-EOF
	[databases]
	* = host=$RETORT_TEST_PG_DIR port=$RETORT_TEST_PG_PORT user=postgres
	[pgbouncer]
	listen_addr = 127.0.0.1
	listen_port = $port
	unix_socket_dir =
	auth_type = scram-sha-256
	auth_file = $dir/users.txt
	pool_mode = transaction
	default_pool_size = ${RETORT_TEST_PGB_POOL:-4}
	max_client_conn = 200
	server_reset_query =
	logfile = $dir/pgbouncer.log
	pidfile = $dir/pgbouncer.pid
	admin_users = postgres
	EOF
	[ "$(id -u)" = 0 ] && chown -R postgres: "$dir"
	as_pg "$pgb" -d -q "$dir/pgbouncer.ini"
	# ready once it accepts connections
	for _ in $(seq 1 200); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
		sleep 0.05
	done
	echo "export RETORT_TEST_PGB_DIR='$dir' RETORT_TEST_PGB_PORT='$port' RETORT_TEST_PGB_PASSWORD='$password'"
	;;
stop)
	dir=${2:?directory}
	if [ -s "$dir/pgbouncer.pid" ]; then
		pid=$(cat "$dir/pgbouncer.pid")
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: $0 start | stop DIR" >&2
	exit 64
	;;
esac
