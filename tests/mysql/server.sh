#!/usr/bin/env bash
# A private MariaDB server for the tests: mariadb-install-db + mariadbd in a
# temporary directory, listening on a Unix socket there and on 127.0.0.1
# at a free port, with settings that trade durability for speed.  It never
# touches the system's own server or its files (--no-defaults).
#
#   eval "$(tests/mysql/server.sh start)"   # exports RETORT_TEST_MYSQL_URL, RETORT_TEST_MYSQL_DIR, ...
#   tests/mysql/server.sh stop "$RETORT_TEST_MYSQL_DIR"
#
# RETORT_TEST_MYSQL_PARENT (default /tmp) holds the directory, and
# RETORT_TEST_MYSQL_OPTS adds server options (the benchmark's: a data
# directory in memory and a larger buffer pool, so the disk's noise stays
# out of the figures).
# `start` prints nothing and exits 3 when no server binaries are installed
# (apt-get install mariadb-server).  root@localhost over the socket has no
# password; over TCP the user retort_pw needs RETORT_TEST_MYSQL_PASSWORD.
# mariadbd refuses to run as root: as root, the server runs as the mysql
# user (or nobody), which owns the directory.
set -eu

bin() {   # the server binary, then mariadb-install-db, or fail
	local d
	for d in /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin; do
		[ -x "$d/mariadbd" ] && command -v mariadb-install-db >/dev/null && { echo "$d/mariadbd"; return 0; }
	done
	return 1
}

case ${1:-} in
start)
	server=$(bin) || exit 3
	dir=$(mktemp -d "${RETORT_TEST_MYSQL_PARENT:-/tmp}/retort-mysql.XXXXXX")
	chmod 755 "$dir"
	user=$(id -un)
	if [ "$(id -u)" = 0 ]; then
		user=mysql
		id mysql >/dev/null 2>&1 || user=nobody
		chown "$user": "$dir"
	fi
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	password=pw-$RANDOM$RANDOM
	mariadb-install-db --no-defaults --user="$user" --datadir="$dir/data" \
		--auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 ||
		{ cat "$dir/install.log" >&2; exit 1; }
	"$server" --no-defaults --user="$user" --datadir="$dir/data" --socket="$dir/mysqld.sock" \
		--pid-file="$dir/mysqld.pid" --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
		--skip-log-bin --innodb-buffer-pool-size=32M --innodb-log-file-size=16M \
		--innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --sync-frm=0 \
		--performance-schema=off --max-connections=100 --character-set-server=utf8mb4 \
		--collation-server=utf8mb4_general_ci --log-error="$dir/server.log" \
		${RETORT_TEST_MYSQL_OPTS:-} >/dev/null 2>&1 &
	for _ in $(seq 1 300); do
		[ -S "$dir/mysqld.sock" ] && mariadb --no-defaults -S "$dir/mysqld.sock" -u root \
			-e 'SELECT 1' >/dev/null 2>&1 && break
		sleep 0.1
	done
	mariadb --no-defaults -S "$dir/mysqld.sock" -u root -e \
		"CREATE USER retort_pw@'%' IDENTIFIED BY '$password'; GRANT ALL ON *.* TO retort_pw@'%';" ||
		{ cat "$dir/server.log" >&2; exit 1; }
	echo "export RETORT_TEST_MYSQL_DIR='$dir' RETORT_TEST_MYSQL_PORT='$port'"
	echo "export RETORT_TEST_MYSQL_SOCKET='$dir/mysqld.sock'"
	echo "export RETORT_TEST_MYSQL_URL='mysql://root@localhost/?unix_socket=$dir/mysqld.sock'"
	echo "export RETORT_TEST_MYSQL_PASSWORD='$password'"
	;;
stop)
	dir=${2:?directory}
	if [ -s "$dir/mysqld.pid" ]; then
		pid=$(cat "$dir/mysqld.pid")
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: $0 start | stop DIR" >&2
	exit 64
	;;
esac
