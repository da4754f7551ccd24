#!/usr/bin/env bash
# A network path that goes silent in the middle of an upgrade, for real:
# run inside a private network namespace (unshare -n), it starts a private
# PostgreSQL there on 127.0.0.1, starts `retort upgrade head` over TCP on a
# migration that sleeps, then drops every packet of that port (iptables)
# for DROP_SECONDS, so that neither end hears the other: no reset, no FIN,
# just silence.  It prints what happened as KEY=VALUE lines for
# tests/cli/1600-faults.bats to check:
#   keepalive_timer   the socket had a keepalive timer while retort waited
#   status, elapsed   retort's exit status and seconds from the drop
#   output            retort's stderr (several lines, then END_OUTPUT)
#   rerun             the exit status of a second `upgrade head`
#   versions          the version rows after the rerun
# Needs: RETORT_BIN, a work directory as $1 holding migrations/, root in
# the namespace, iptables and PostgreSQL's server binaries.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:?work directory}
query=${2:-}                   # extra URL parameters (the deadline)
DROP_SECONDS=${DROP_SECONDS:-6}
cd "$work" || exit 1

ip link set lo up || exit 1
pg_env=$("$here/pg/server.sh" start) || { echo "no PostgreSQL server" >&2; exit 3; }
eval "$pg_env"
trap '"$here/pg/server.sh" stop "$RETORT_TEST_PG_DIR"' EXIT
port=$RETORT_TEST_PG_PORT
url="postgresql://retort_pw:$RETORT_TEST_PG_PASSWORD@127.0.0.1:$port/postgres${query:+?$query}"
"$RETORT_TEST_PG_BIN/psql" -X -q -h "$RETORT_TEST_PG_DIR" -p "$port" -U postgres -d postgres \
	-c "GRANT CREATE ON SCHEMA public TO retort_pw" -c "CREATE SEQUENCE slow_once" \
	-c "GRANT USAGE ON SEQUENCE slow_once TO retort_pw" >/dev/null || exit 1

DATABASE_URL=$url ${RETORT_WRAP:-} "$RETORT_BIN" upgrade head 2>err >/dev/null &
victim=$!
# wait until the migration is running on the server
for _ in $(seq 1 100); do
	n=$("$RETORT_TEST_PG_BIN/psql" -X -At -h "$RETORT_TEST_PG_DIR" -p "$port" -U postgres -d postgres \
		-c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep%' AND state = 'active' AND pid <> pg_backend_pid()")
	[ "$n" = 1 ] && break
	sleep 0.1
done
# the client's socket arms its keepalive timer once it sits idle
timer=no
for _ in $(seq 1 50); do
	if ss -tno state established "( dport = :$port )" | grep -q 'timer:(keepalive'; then
		timer=yes
		break
	fi
	sleep 0.1
done
echo "keepalive_timer=$timer"
t0=$EPOCHREALTIME
iptables -A INPUT -p tcp --dport "$port" -j DROP
iptables -A INPUT -p tcp --sport "$port" -j DROP
(sleep "$DROP_SECONDS"; iptables -F INPUT) &
wait "$victim"
echo "status=$?"
echo "elapsed=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')"
echo output=
cat err
echo END_OUTPUT
wait
DATABASE_URL=$url ${RETORT_WRAP:-} "$RETORT_BIN" -q --lock-timeout 60 upgrade head >rerun.log 2>&1
echo "rerun=$?"
cat rerun.log
echo "versions=$(DATABASE_URL=$url "$RETORT_BIN" current 2>/dev/null | tr '\n' ' ')"
