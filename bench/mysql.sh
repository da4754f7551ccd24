#!/usr/bin/env bash
# W12, MariaDB: `upgrade head` of N generated migrations (bench/gen.py
# linear; N from BENCH_SIZES, as for run.sh) into an empty database, and
# `downgrade base` back from there, three ways:
#   retort  mysql://root@localhost/DB?unix_socket=SOCK
#   dbmate  its Go binary (BENCH_DBMATE; never npm's Node.js wrapper);
#           upgrade only: its `rollback` undoes one migration per run
#   floor   the `mariadb` client reading gen.py's floor1.sql (floor1_down.sql
#           back): each migration's CREATE TABLE, then the statement that
#           changes the alembic_version row, in autocommit.  That is what
#           retort does to the schema and the version row: MySQL's DDL
#           commits by itself, so retort runs a DDL migration statement by
#           statement and then changes the version row.  retort does that in
#           a transaction with its retort_history row, which the floor does
#           not write (nor take a lock); a BEGIN/COMMIT around each pair would
#           give the floor two more round trips and no other effect.  The
#           client reads the file from a `sh -c exec` (a shell's start, about
#           a millisecond, in a run of seconds).
#   floor_history  the floor, plus what retort writes besides: each version
#           row change in a transaction with a history row (retort_history's
#           shape), as the client sends it, statement by statement
# Each tool has its own database, dropped and created again before each of
# its runs (untimed).  The tools run in turn, round after round
# (bench/interleave.py, a warm-up round, then BENCH_RUNS rounds, medians):
# a run at 1,000 takes seconds, mostly the server creating table files, and
# a neighbour's load should land on every tool alike.  Peak RSS is GNU
# time's of one more run.
# bench/run.sh runs it with its results file (BENCH_RESULTS); alone it
# prints its rows:  bench/mysql.sh  (RETORT_BIN, BENCH_RUNS, BENCH_SIZES).
# It starts a private MariaDB (tests/mysql/server.sh, its data directory
# in /dev/shm, a 512 MB buffer pool) unless
# RETORT_TEST_MYSQL_SOCKET names a running one, and skips, saying so, when
# no MariaDB server is installed (apt-get install mariadb-server).
# shellcheck disable=SC2016,SC2034  # $1 in printf is the scripts'; rows reads cmd_*/prep_* by name
set -eu
here=$(cd "$(dirname "$0")" && pwd)
retort=${RETORT_BIN:-$here/../build/retort}
runs=${BENCH_RUNS:-5}
sizes=${BENCH_SIZES:-"100 1000${BENCH_BIG:+ 10000}"}
dbmate=${BENCH_DBMATE:-${XDG_CACHE_HOME:-$HOME/.cache}/retort/bench-npm/node_modules/@dbmate/linux-x64/bin/dbmate}
mw=$(mktemp -d)
# retort's header cache goes with the work directory, not the user's
export RETORT_CACHE_DIR=${RETORT_CACHE_DIR:-$mw/cache}
own=""
cleanup() {
	cd /
	[ -n "$own" ] && "$here/../tests/mysql/server.sh" stop "$own"
	rm -rf "$mw"
}
trap cleanup EXIT
if [ -z "${RETORT_TEST_MYSQL_SOCKET:-}" ]; then
	rc=0
	# its data in memory, and a buffer pool that holds 1,000 tables: the
	# disk's noise (a CREATE TABLE took 1.4 to 15 ms on it) stays out
	env=$(RETORT_TEST_MYSQL_PARENT=${RETORT_TEST_MYSQL_PARENT:-/dev/shm} \
		RETORT_TEST_MYSQL_OPTS=${RETORT_TEST_MYSQL_OPTS:---innodb-buffer-pool-size=512M} \
		"$here/../tests/mysql/server.sh" start) || rc=$?
	if [ "$rc" = 3 ]; then
		echo "bench: SKIPPED W12 (MariaDB): no MariaDB server installed (apt-get install mariadb-server)" >&2
		exit 0
	fi
	[ "$rc" = 0 ] || exit "$rc"
	eval "$env"
	own=$RETORT_TEST_MYSQL_DIR
fi
sock=$RETORT_TEST_MYSQL_SOCKET
results=${BENCH_RESULTS:-$mw/results.tsv}
: >>"$results"
cd "$mw"
my="mariadb --no-defaults -S $sock -u root"
[ -x "$dbmate" ] || { echo "bench: no dbmate binary at $dbmate; its W12 cells stay empty" >&2; dbmate=""; }

# scripts, since interleave.py runs no shell: reset DB, the floor's client
printf '#!/bin/sh\nexec %s -e "DROP DATABASE IF EXISTS $1; CREATE DATABASE $1"\n' "$my" >reset.sh
printf '#!/bin/sh\nexec %s "$1" <"$2"\n' "$my" >floor.sh
chmod +x reset.sh floor.sh
url() { echo "mysql://root@localhost/$1?unix_socket=$sock"; }
# with_history FILE: the floor's FILE with each version-row statement in a
# transaction with a history row
with_history() {
	/usr/bin/python3 - "$1" <<-'EOF'
	import sys
	print("CREATE TABLE h (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, version_table VARCHAR(128) NOT NULL, "
	      "revision VARCHAR(32) NOT NULL, direction VARCHAR(9) NOT NULL, operation VARCHAR(6) NOT NULL, "
	      "checksum VARCHAR(64), applied_at VARCHAR(32) NOT NULL, duration_ms INTEGER, "
	      "retort_version VARCHAR(32) NOT NULL, applied_by VARCHAR(255));")
	for line in open(sys.argv[1]):
	    line = line.rstrip("\n")
	    if "alembic_version" in line and not line.startswith("CREATE"):
	        print("START TRANSACTION;\n%s\nINSERT INTO h (version_table, revision, direction, operation, "
	              "checksum, applied_at, duration_ms, retort_version, applied_by) VALUES ('alembic_version', "
	              "'b00000000001', 'upgrade', 'run', REPEAT('0', 64), UTC_TIMESTAMP(3), 1, '0', USER());\nCOMMIT;"
	              % line)
	    else:
	        print(line)
	EOF
}

# rows W N NAME...: interleave.py's medians (its table on stderr) into
# $results, each with the peak RSS (MB) of one more run, "-" for the floor;
# the commands are in $cmd_NAME, their preparations in $prep_NAME
rows() {
	local w=$1 n=$2 name args=() table ms mb c p
	shift 2
	for name; do
		c=cmd_$name p=prep_$name
		args+=(-p "$name=${!p}" "$name=${!c}")
	done
	if ! table=$(/usr/bin/python3 "$here/interleave.py" -n "$runs" -w 1 "${args[@]}"); then
		echo "bench: W12 failed ($w, N=$n)" >&2
		return 0
	fi
	echo "$table" >&2
	for name; do
		ms=$(echo "$table" | awk -F' *\\| *' -v t="$name" '$2 == t { sub(/ ms$/, "", $3); print $3 }')
		mb=-
		if [ "${name#floor}" = "$name" ]; then
			p=prep_$name c=cmd_$name
			${!p} >/dev/null 2>&1
			# shellcheck disable=SC2086  # the command is a word list
			mb=$(/usr/bin/time -f %M ${!c} 2>&1 >/dev/null | tail -1 | awk '{printf "%.1f", $1/1024}')
		fi
		printf '%s\t%s\t%s\t%s\t%s\n' "$w" "$n" "$name" "$ms" "$mb" >>"$results"
	done
}

for n in $sizes; do
	/usr/bin/python3 "$here/gen.py" linear "m$n" "$n"
	m=$mw/m$n
	prep_retort="./reset.sh b_retort"
	cmd_retort="$retort -q -u $(url b_retort) -d $m/retort upgrade head"
	prep_dbmate="./reset.sh b_dbmate"
	cmd_dbmate="$dbmate --url mysql://root@/b_dbmate?socket=$sock --migrations-dir $m/dbmate --no-dump-schema migrate"
	prep_floor="./reset.sh b_floor"
	cmd_floor="./floor.sh b_floor $m/floor1.sql"
	with_history "$m/floor1.sql" >"$m/floorh.sql"
	with_history "$m/floor1_down.sql" | sed 1d >"$m/floorh_down.sql"
	prep_floor_history="./reset.sh b_floorh"
	cmd_floor_history="./floor.sh b_floorh $m/floorh.sql"
	rows "W12 MariaDB" "$n" retort floor floor_history ${dbmate:+dbmate}
	# the last runs left every database at head: check that they got there
	last=$(printf 'b%011d' "$n")
	for db in b_retort b_floor; do
		v=$($my -N -e "SELECT version_num FROM $db.alembic_version" 2>&1) || true
		[ "$v" = "$last" ] || echo "bench: W12: $db is at '$v', not $last" >&2
	done

	# downgrade base: from what each tool's own upgrade left
	printf '#!/bin/sh\n./reset.sh b_retort && exec %s\n' "$cmd_retort" >up_retort.sh
	printf '#!/bin/sh\n./reset.sh b_floor && exec ./floor.sh b_floor %s\n' "$m/floor1.sql" >up_floor.sh
	printf '#!/bin/sh\n./reset.sh b_floorh && exec ./floor.sh b_floorh %s\n' "$m/floorh.sql" >up_floorh.sh
	chmod +x up_retort.sh up_floor.sh up_floorh.sh
	prep_retort=./up_retort.sh
	cmd_retort="$retort -q -u $(url b_retort) -d $m/retort downgrade base"
	prep_floor=./up_floor.sh
	cmd_floor="./floor.sh b_floor $m/floor1_down.sql"
	prep_floor_history=./up_floorh.sh
	cmd_floor_history="./floor.sh b_floorh $m/floorh_down.sql"
	rows "W12 downgrade base, MariaDB" "$n" retort floor floor_history
	rm -rf "$m"
done
$my -e "DROP DATABASE IF EXISTS b_retort; DROP DATABASE IF EXISTS b_dbmate; DROP DATABASE IF EXISTS b_floor; DROP DATABASE IF EXISTS b_floorh"
[ -n "${BENCH_RESULTS:-}" ] || column -t -s "$(printf '\t')" "$results"
