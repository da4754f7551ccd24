#!/usr/bin/env bats
# Covers how retort ends when the world breaks under a running upgrade:
#   - a network path that goes silent (every packet dropped, in a private
#     network namespace) ends in a connection error within the keepalive
#     deadline the URL sets, says where the database is, and the rerun
#     completes; by default the deadline is about a minute (keepalives
#     after 30 s idle) on retort's side and on the server's;
#   - a server restart mid-migration is a lost connection, then retort
#     connects again and says where the database is;
#   - a full disk under SQLite fails naming the migration, changes nothing,
#     and the rerun completes once there is room.
# These need root-like powers (network and mount namespaces, iptables);
# where the machine does not give them, the tests skip saying so.
# kill -9 at random moments, on every backend: shared/0400-kill9.bats.

load helpers

teardown() {
	[ -n "${TEST_DIR:-}" ] || return 0
	db_teardown
	[ -z "${OWN_PG:-}" ] || "$BATS_TEST_DIRNAME/../pg/server.sh" stop "$OWN_PG"
	test_dir_teardown
}

# A migration that sleeps SECONDS on its first run only (the sequence
# slow_once must exist), then creates table a.
slow_once() {
	mkrev 1a2b3c4d5e6f "" "slow once" \
		"SELECT pg_sleep(CASE WHEN nextval('slow_once') = 1 THEN $1 ELSE 0 END); CREATE TABLE a (id int);" \
		"DROP TABLE a;"
}

# pg_tcp_url: the test database over TCP, with the password in DATABASE_URL.
pg_tcp_url() {
	pq "GRANT CREATE ON SCHEMA public TO retort_pw; GRANT USAGE ON SEQUENCE slow_once TO retort_pw" 2>/dev/null
	echo "postgresql://retort_pw:$RETORT_TEST_PG_PASSWORD@127.0.0.1:$RETORT_TEST_PG_PORT/$PG_DB"
}

need_netns() {
	command -v iptables >/dev/null || skip "iptables is not installed (apt-get install iptables)"
	command -v ss >/dev/null || skip "ss is not installed (apt-get install iproute2)"
	unshare -n iptables -L INPUT >/dev/null 2>&1 ||
		skip "no private network namespace with iptables here (unshare -n needs root or user namespaces)"
}

@test "faults: a silent network path ends within the URL's keepalive deadline, and the rerun completes" {
	switch_backend postgresql
	need_netns
	slow_once 12
	run unshare -n env RETORT_BIN="$RETORT_BIN" RETORT_WRAP="$RETORT_WRAP" DROP_SECONDS=6 \
		"$BATS_TEST_DIRNAME/../faults/silent-path.sh" "$TEST_DIR" \
		"keepalives_idle=1&keepalives_interval=1&keepalives_count=2&tcp_user_timeout=3000"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"keepalive_timer=yes"* ]]
	[[ "$output" == *"status=2"* ]]
	# dropped at 0 s, detected after about 3 s, connected again once the
	# path heals at 6 s: well before the 12 s sleep would have ended
	elapsed=$(sed -n 's/^elapsed=//p' <<<"$output")
	awk -v e="$elapsed" 'BEGIN { exit !(e < 11) }'
	[[ "$output" == *"the connection to the database was lost during upgrade <base> -> 1a2b3c4d5e6f"* ]]
	[[ "$output" == *"connected again: the database is at <base>"* ]]
	[[ "$output" == *"rerun=0"* ]]
	[[ "$output" == *"versions=1a2b3c4d5e6f (head)"* ]]
}

@test "faults: by default retort's TCP connection sends keepalives after 30 s of silence" {
	switch_backend postgresql
	command -v ss >/dev/null || skip "ss is not installed (apt-get install iproute2)"
	pq "CREATE SEQUENCE slow_once"
	slow_once 10
	DATABASE_URL=$(pg_tcp_url) rt -q upgrade head &
	victim=$!
	# once the migration sleeps on the server, the socket sits idle with
	# its keepalive timer armed (however slowly retort started: valgrind)
	timer=
	for _ in $(seq 1 300); do
		timer=$(ss -tno state established "( dport = :$RETORT_TEST_PG_PORT )" |
			grep -o 'timer:(keepalive,[^)]*)' | head -n 1)
		[ -z "$timer" ] || break
		sleep 0.1
	done
	wait $victim
	echo "timer: $timer"
	# "timer:(keepalive,28sec,0)": within the 30 s idle time, not the system's two hours
	[[ "$timer" =~ ^timer:\(keepalive,([0-9]+)sec,0\)$ ]]
	[ "${BASH_REMATCH[1]}" -le 30 ]
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
}

@test "faults: the server ends retort's session by itself if retort goes silent" {
	switch_backend postgresql
	mkrev 1a2b3c4d5e6f "" "settings" \
		"CREATE TABLE s AS SELECT name, setting FROM pg_settings WHERE name IN ('tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_keepalives_count', 'tcp_user_timeout', 'idle_session_timeout', 'idle_in_transaction_session_timeout');" \
		"DROP TABLE s;"
	pq "GRANT CREATE ON SCHEMA public TO retort_pw"
	DATABASE_URL="postgresql://retort_pw:$RETORT_TEST_PG_PASSWORD@127.0.0.1:$RETORT_TEST_PG_PORT/$PG_DB" rt -q upgrade head
	run pq "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM s"
	echo "$output"
	[ "$output" = "idle_in_transaction_session_timeout=600000 idle_session_timeout=600000 tcp_keepalives_count=3 tcp_keepalives_idle=30 tcp_keepalives_interval=10 tcp_user_timeout=60000" ]
	# over a Unix socket the TCP settings mean nothing and stay as they are
	rt -q downgrade base
	rt -q upgrade head
	run pq "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM s"
	echo "$output"
	[ "$output" = "idle_in_transaction_session_timeout=600000 idle_session_timeout=600000 tcp_keepalives_count=0 tcp_keepalives_idle=0 tcp_keepalives_interval=0 tcp_user_timeout=0" ]
	# what the administrator set stays
	rt -q downgrade base
	pq "ALTER ROLE retort_pw SET idle_session_timeout = '1h'"
	DATABASE_URL="postgresql://retort_pw:$RETORT_TEST_PG_PASSWORD@127.0.0.1:$RETORT_TEST_PG_PORT/$PG_DB" rt -q upgrade head
	pq "ALTER ROLE retort_pw RESET idle_session_timeout"
	[ "$(pq "SELECT setting FROM s WHERE name = 'idle_session_timeout'")" = "3600000" ]
}

@test "faults: a server restart mid-migration is a lost connection; retort connects again and says where the database is" {
	# a server of its own: restarting the shared one would cut off the
	# tests that run beside this file (tests/run.sh's second lane)
	[ -z "${RETORT_TEST_PG_MISSING:-}" ] || skip "$RETORT_TEST_PG_MISSING"
	eval "$("$BATS_TEST_DIRNAME/../pg/server.sh" start)"
	OWN_PG=$RETORT_TEST_PG_DIR RETORT_TEST_PG_FRESH=1
	switch_backend postgresql
	pq "CREATE SEQUENCE slow_once"
	slow_once 30
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "after" "CREATE TABLE b (id int);" "DROP TABLE b;"
	rt upgrade head >out 2>&1 &
	victim=$!
	for _ in $(seq 1 100); do
		[ "$(pq "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND pid <> pg_backend_pid()")" = 1 ] && break
		sleep 0.1
	done
	(cd / && runuser -u postgres -- "$RETORT_TEST_PG_BIN/pg_ctl" -D "$RETORT_TEST_PG_DIR/data" \
		-l "$RETORT_TEST_PG_DIR/server.log" -m fast -w restart >/dev/null 3>&-)
	status=0
	wait $victim || status=$?
	cat out
	[ "$status" -ne 0 ]
	grep -q "the connection to the database was lost during upgrade <base> -> 1a2b3c4d5e6f" out
	grep -q "connected again: the database is at <base>" out
	# never pinned to a SQL line of the file
	! grep -q "1a2b3c4d5e6f_slow_once.sql:" out
	run rt -q upgrade head
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "2b3c4d5e6f7a" ]
}

@test "faults: a full disk under SQLite names the migration, changes nothing, and the rerun completes" {
	unshare -m true 2>/dev/null || skip "no private mount namespace here (unshare -m needs root or user namespaces)"
	mkrev 1a2b3c4d5e6f "" "small" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "big" \
		"CREATE TABLE big (s TEXT);
WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 20000) INSERT INTO big SELECT printf('%0100d', n) FROM c;" \
		"DROP TABLE big;"
	mkdir disk
	run unshare -m bash -c '
		mount -t tmpfs -o size=512k tmpfs disk || exit 97
		export DATABASE_URL=sqlite:///$PWD/disk/app.db
		$RETORT_WRAP "$RETORT_BIN" upgrade head; echo "status=$?"
		echo "at=$($RETORT_BIN current)"
		mount -o remount,size=16m disk
		$RETORT_WRAP "$RETORT_BIN" -q upgrade head; echo "rerun=$?"
		echo "then=$($RETORT_BIN current)"'
	echo "$output"
	[[ "$output" != *"status=97"* ]] || skip "tmpfs cannot be mounted here"
	[[ "$output" == *"upgrade <base> -> 1a2b3c4d5e6f, small"* ]]
	[[ "$output" == *"upgrade 1a2b3c4d5e6f -> 2b3c4d5e6f7a"*"database or disk is full"* ]]
	[[ "$output" == *"status=2"* ]]
	[[ "$output" == *"at=1a2b3c4d5e6f"* ]]
	[[ "$output" == *"rerun=0"* ]]
	[[ "$output" == *"then=2b3c4d5e6f7a (head)"* ]]
}
