#!/usr/bin/env bats
# Covers what a kill -9 at any moment of an upgrade leaves behind, on every
# backend and in both transaction modes: the database is always exactly at
# a revision (each migration's table and rows are there if and only if its
# version is recorded; with --single-transaction, at base or at head), the
# dead run's lock does not stop the next one, and a plain rerun takes the
# database to head.  Each trial kills at a random moment within the time a
# whole upgrade takes; the trial count is RETORT_FAULT_TRIALS (default 8, 2
# under RETORT_WRAP), and a failing trial prints its kill delay.  The
# database is read once the dead run's session has ended: PostgreSQL goes on
# with the migrations it was sent (each whole, with its version row) until
# it sees the client gone, within client_connection_check_interval (5 s).
# The network faults (silent path, server restart): ../1600-faults.bats.

load ../helpers
shared_scenarios
not_yet mysql "MySQL commits DDL by itself, so a kill between a statement and its progress row can leave a statement to redo by hand: these trials would fail there by design (see the README)"

REVS=20

# Twenty revisions k00000000001..k00000000020, each creating table tN and
# filling it with 500 rows in a second statement.
k_revisions() {
	local i prev rows
	rows=$(seq 1 500 | sed 's/.*/(&)/' | paste -sd,)
	for i in $(seq 1 $REVS); do
		prev=""
		[ "$i" -eq 1 ] || prev=$(printf 'k%011d' $((i - 1)))
		mkrev "$(printf 'k%011d' "$i")" "$prev" "step $i" \
			"CREATE TABLE t$i (x INTEGER);
INSERT INTO t$i VALUES $rows;" \
			"DROP TABLE t$i;"
	done
}

# consistent MODE: the database is at a revision N (0 = none) and holds
# exactly the tables t1..tN, the last one with its 500 rows; with MODE
# "single" N is 0 or $REVS.
consistent() {
	local v n=0 want="" got i
	v=$(db_versions)
	case $v in
	"") ;;
	k*) n=$((10#${v#k})) ;;
	*) echo "version rows '$v' are not one revision"; return 1 ;;
	esac
	for i in $(seq 1 "$n"); do want="$want t$i"; done
	want=$(echo $want | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')
	got=$(db_tables | tr ' ' '\n' | grep -vx alembic_version | tr '\n' ' ' | sed 's/ $//')
	if [ "$got" != "$want" ]; then
		echo "at revision $n the tables are '$got', expected '$want'"
		return 1
	fi
	if [ "$n" -gt 0 ] && [ "$(db_sql "SELECT count(*) FROM t$n")" != 500 ]; then
		echo "t$n has $(db_sql "SELECT count(*) FROM t$n") rows, expected 500"
		return 1
	fi
	if [ "$1" = single ] && [ "$n" -ne 0 ] && [ "$n" -ne $REVS ]; then
		echo "--single-transaction left the database at revision $n of $REVS"
		return 1
	fi
}

# settled: no session of a killed run is left on the database (SQLite:
# nothing outlives the process).
settled() {
	[ "$TEST_BACKEND" = postgresql ] || return 0
	for _ in $(seq 150); do
		[ "$(db_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'retort'")" = 0 ] && return 0
		sleep 0.1
	done
	echo "the killed run's session is still there after 15 s"
	return 1
}

# kill_trials MODE [GLOBAL-OPTIONS]: the trials described at the top.
kill_trials() {
	local mode=$1 trials t0 ms delay i
	shift
	trials=${RETORT_FAULT_TRIALS:-$([ -n "$RETORT_WRAP" ] && echo 2 || echo 8)}
	k_revisions
	# how long a whole upgrade takes here, to kill within it
	t0=$EPOCHREALTIME
	rt -q "$@" upgrade head
	ms=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }')
	rt -q downgrade base
	for i in $(seq 1 "$trials"); do
		delay=$(awk -v ms="$ms" -v r="$RANDOM" 'BEGIN { printf "%.3f", ms * r / 32768 / 1000 }')
		$RETORT_WRAP "$RETORT_BIN" -q "$@" upgrade head >/dev/null 2>&1 &
		sleep "$delay"
		kill -9 $! 2>/dev/null || true
		wait $! 2>/dev/null || true
		settled
		consistent "$mode" || { echo "trial $i: killed after $delay s of about $ms ms"; return 1; }
		run rt -q --lock-timeout 30 "$@" upgrade head
		[ "$status" -eq 0 ] || { echo "trial $i (kill after $delay s): rerun: $output"; return 1; }
		[ "$(db_versions)" = "$(printf 'k%011d' $REVS)" ]
		consistent "$mode"
		rt -q downgrade base
		[ "$(db_tables | tr ' ' '\n' | grep -vx alembic_version)" = "" ]
	done
}

@test "kill -9 at random moments: one transaction per migration leaves the database at a revision" {
	kill_trials each
}

@test "kill -9 at random moments: --single-transaction leaves the database at base or at head" {
	kill_trials single --single-transaction
}
