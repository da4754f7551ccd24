#!/usr/bin/env bash
# W13, PostgreSQL over a slow link: `upgrade head` of N generated migrations
# (bench/gen.py linear, one CREATE TABLE each) through bench/delayproxy.py,
# which delays every byte by BENCH_DELAY_MS (default 5) each way, so a
# round trip costs twice that.  Beside retort through the proxy:
#   local    retort straight to the server: the server-side time, which the
#            goal (1.2x of it plus a handful of round trips) is set against
#   local-1txn, retort-1txn
#            the same two with --single-transaction (the whole run one
#            transaction)
#   psql     the floor's SQL (each migration and its version row in its own
#            transaction) through the same proxy, psql -f: a round trip a
#            statement
#   dbmate   dbmate's own binary through the same proxy, where it is
#            installed (bench/run.sh fetches it)
# The last column is the waiting the link added: each one's time through it
# less the same work straight to the server (local, or local-1txn), in
# milliseconds and in round trips.
# psql and dbmate at the smallest N only: at four or five round trips a
# migration they take minutes at 1,000.
# interleaved round by round (bench/interleave.py), each database dropped
# and created before each run.  Alone it starts its own private server
# (tests/pg/server.sh, its data in /dev/shm); bench/run.sh runs it with its
# own.
#   BENCH_REMOTE_SIZES (default "100 1000"), BENCH_RUNS (default 3),
#   BENCH_NO_PEERS=1 (retort alone: no psql, no dbmate)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
retort=${RETORT_BIN:-$here/../build/retort}
runs=${BENCH_RUNS:-3}
sizes=${BENCH_REMOTE_SIZES:-"100 1000"}
delay=${BENCH_DELAY_MS:-5}
npmdir=${XDG_CACHE_HOME:-$HOME/.cache}/retort/bench-npm
dbmate=$npmdir/node_modules/@dbmate/linux-x64/bin/dbmate
rw=$(mktemp -d)
own_pg="" proxy=""
cleanup() {
	cd /
	[ -z "$proxy" ] || kill "$proxy" 2>/dev/null || true
	[ -z "$own_pg" ] || "$here/../tests/pg/server.sh" stop "$own_pg"
	rm -rf "$rw"
}
trap cleanup EXIT
if [ -z "${RETORT_TEST_PG_DIR:-}" ]; then
	eval "$(RETORT_TEST_PG_PARENT=/dev/shm "$here/../tests/pg/server.sh" start)"
	own_pg=$RETORT_TEST_PG_DIR
fi
cd "$rw"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/bin/python3 "$here/delayproxy.py" "$port" 127.0.0.1 "$RETORT_TEST_PG_PORT" "$delay" >proxy.out 2>&1 &
proxy=$!
for _ in $(seq 100); do grep -q ready proxy.out 2>/dev/null && break; sleep 0.05; done
psql="$RETORT_TEST_PG_BIN/psql -X -q -v ON_ERROR_STOP=1"
export PGPASSWORD=$RETORT_TEST_PG_PASSWORD
admin="$psql -h $RETORT_TEST_PG_DIR -p $RETORT_TEST_PG_PORT -U postgres -d postgres"
printf '#!/bin/sh\n%s -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1 OWNER retort_pw"\n' \
	"$admin" >reset.sh
chmod +x reset.sh
tcp() { echo "postgresql://retort_pw:$RETORT_TEST_PG_PASSWORD@127.0.0.1:$1/$2?sslmode=disable"; }
# a round trip through the proxy, as the tools see it
rtt=$($psql "$(tcp "$port" postgres)" -Atc "SELECT 1" >/dev/null; /usr/bin/python3 -c "
import subprocess, time
t = time.time()
for _ in range(5):
    subprocess.run(['$RETORT_TEST_PG_BIN/psql', '-X', '-q', '-At', '$(tcp "$port" postgres)', '-c', 'SELECT 1'], check=True, capture_output=True)
print('%.1f' % ((time.time() - t) / 5 * 1000))")
echo "# W13: PostgreSQL $($admin -Atc 'SHOW server_version') through bench/delayproxy.py, ${delay} ms each way; a psql connection and one query through it: ${rtt} ms"
for n in $sizes; do
	/usr/bin/python3 "$here/gen.py" linear "m$n" "$n"
	m=$rw/m$n
	args=(-n "$runs" -w 1 -t $((2 * delay)) -b retort=local -b retort-1txn=local-1txn
		-p "local=./reset.sh r_local" "local=$retort -q -u $(tcp "$RETORT_TEST_PG_PORT" r_local) -d $m/retort upgrade head"
		-p "retort=./reset.sh r_remote" "retort=$retort -q -u $(tcp "$port" r_remote) -d $m/retort upgrade head"
		-p "local-1txn=./reset.sh r_local" "local-1txn=$retort -q -u $(tcp "$RETORT_TEST_PG_PORT" r_local) -d $m/retort --single-transaction upgrade head"
		-p "retort-1txn=./reset.sh r_remote" "retort-1txn=$retort -q -u $(tcp "$port" r_remote) -d $m/retort --single-transaction upgrade head")
	[ "$n" != "${sizes%% *}" ] || [ -n "${BENCH_NO_PEERS:-}" ] || args+=(-b psql=local -p "psql=./reset.sh r_psql" "psql=$psql -d $(tcp "$port" r_psql) -f $m/floor.sql")
	if [ -x "$dbmate" ] && [ "$n" = "${sizes%% *}" ] && [ -z "${BENCH_NO_PEERS:-}" ]; then
		args+=(-b dbmate=local -p "dbmate=./reset.sh r_dbmate"
			"dbmate=$dbmate --url postgres://retort_pw:$RETORT_TEST_PG_PASSWORD@127.0.0.1:$port/r_dbmate?sslmode=disable --migrations-dir $m/dbmate --no-dump-schema migrate")
	fi
	echo "# N = $n"
	/usr/bin/python3 "$here/interleave.py" "${args[@]}"
done
