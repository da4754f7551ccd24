#!/usr/bin/env bats
# Covers the wait probe (`retort wait`, --wait, --wait-timeout,
# RETORT_WAIT_TIMEOUT) against TCP, HTTP and PostgreSQL targets that are
# down, come up late, or refuse us for good; the image's "no default
# database" rule (RETORT_REQUIRE_URL); and --notify webhooks on success,
# failure and an unreachable or failing webhook.

load helpers

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_bg CMD...: run a helper in the background, remembered for teardown.
start_bg() {
	"$@" >"$TEST_DIR/bg.$BG_N" 2>&1 &
	BG_PIDS="${BG_PIDS:-} $!"
	BG_N=$((BG_N + 1))
}

# run_logged LOG CMD...: like bats' run, but the output goes to LOG as it
# is written, so a tcpproxy.py started on LOG can react to it.
run_logged() {
	local log=$1
	shift
	status=0
	"$@" >"$log" 2>&1 || status=$?
	output=$(cat "$log")
}

# webhook [STATUS]: a local webhook; sets HOOK_URL, bodies go to hook.log.
webhook() {
	local out="$TEST_DIR/bg.$BG_N"
	start_bg python3 "$BATS_TEST_DIRNAME/webhook.py" "$TEST_DIR/hook.log" "${1:-200}"
	for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.05; done
	HOOK_URL="http://127.0.0.1:$(head -1 "$out")"
}

pg_tcp_url() {   # the test database over TCP with a password, on port $1
	echo "postgresql://retort_pw:$RETORT_TEST_PG_PASSWORD@127.0.0.1:$1/${2:-$PG_DB}"
}

pg_setup_tcp() {   # a PostgreSQL database, and let retort_pw create tables in it
	switch_backend postgresql
	pq "GRANT CREATE ON SCHEMA public TO retort_pw"
}

setup() {
	test_dir_setup || return 1
	db_setup
	BG_N=0
}

teardown() {
	for p in ${BG_PIDS:-}; do kill "$p" 2>/dev/null || true; done
	db_teardown
	test_dir_teardown
}

@test "wait: a TCP port that stays closed ends in exit 3 at the deadline, with the last error" {
	port=$(free_port)
	start=$(date +%s%N)
	run rt wait --timeout 1.5 "tcp://127.0.0.1:$port"
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$status" -eq 3 ]
	[[ $output == *"waiting up to 1.5 s for tcp://127.0.0.1:$port"* ]]
	[[ $output == *"timed out after 1.5 s waiting for 'tcp://127.0.0.1:$port'; last try: "*"refused"* ]]
	[ "$ms" -ge 1400 ] && [ "$ms" -lt 4000 ]
}

@test "wait: a TCP port that opens late is waited for" {
	port=$(free_port)
	start_bg python3 "$BATS_TEST_DIRNAME/tcpproxy.py" "$port" 9 "$TEST_DIR/wait.log"
	run_logged "$TEST_DIR/wait.log" rt wait --timeout 20 "tcp://127.0.0.1:$port"
	[ "$status" -eq 0 ]
	[[ $output == *"not ready yet: connecting to 127.0.0.1 port $port: Connection refused"* ]]
	[[ $output == *"tcp://127.0.0.1:$port is ready"* ]]
}

@test "wait: HTTP 2xx is ready, 5xx is not" {
	webhook 204
	run rt wait --timeout 5 "$HOOK_URL/healthz"
	[ "$status" -eq 0 ]
	webhook 503
	run rt wait --timeout 1 "$HOOK_URL/healthz"
	[ "$status" -eq 3 ]
	[[ $output == *"last try: HTTP status 503"* ]]
}

@test "wait: malformed targets are refused at once" {
	run rt wait --timeout 30 tcp://nohostport
	[ "$status" -eq 64 ]
	[[ $output == *"wait target 'tcp://nohostport' is not tcp://HOST:PORT"* ]]
	run rt wait --timeout 30 "oracle://u:secret@h/db"
	[ "$status" -eq 64 ]
	[[ $output == *"unsupported database url scheme 'oracle'"* ]]
	[[ $output != *secret* ]]
	run rt wait --timeout -1
	[ "$status" -eq 64 ]
}

@test "wait: with no target it waits for the configured database" {
	run rt wait --timeout 5
	[ "$status" -eq 0 ]
	[[ $output == *"sqlite:///$TEST_DIR/test.db is ready"* ]]
	export DATABASE_URL="sqlite:///$TEST_DIR/not/yet/x.db"
	run rt wait --timeout 0.5
	[ "$status" -eq 3 ]
	[[ $output == *"directory '$TEST_DIR/not/yet' does not exist (yet)"* ]]
}

@test "pg wait: a server that comes up late is waited for; the password never shows" {
	switch_backend postgresql
	port=$(free_port)
	start_bg python3 "$BATS_TEST_DIRNAME/tcpproxy.py" "$port" "$RETORT_TEST_PG_PORT" "$TEST_DIR/wait.log"
	run_logged "$TEST_DIR/wait.log" rt wait --timeout 30 "$(pg_tcp_url "$port")"
	[ "$status" -eq 0 ]
	[[ $output == *"not ready yet: connection to server at \"127.0.0.1\", port $port failed: Connection refused"* ]]
	[[ $output == *"retort_pw:***@127.0.0.1:$port"*"is ready"* ]]
	[[ $output != *"$RETORT_TEST_PG_PASSWORD"* ]]
}

@test "pg wait: a wrong password or an unknown database fails at once, not at the deadline" {
	switch_backend postgresql
	start=$(date +%s)
	run rt wait --timeout 60 "postgresql://retort_pw:wrong-pw@127.0.0.1:$RETORT_TEST_PG_PORT/$PG_DB"
	[ "$status" -eq 2 ]
	[[ $output == *"cannot become ready by waiting"*"password authentication failed"* ]]
	[[ $output != *wrong-pw* ]]
	run rt wait --timeout 60 "$(pg_tcp_url "$RETORT_TEST_PG_PORT" no_such_db)"
	[ "$status" -eq 2 ]
	[[ $output == *'database "no_such_db" does not exist'* ]]
	run rt wait --timeout 60 "$(pg_tcp_url "$RETORT_TEST_PG_PORT")?sslmod=require"
	[ "$status" -eq 2 ]
	[[ $output == *'invalid connection option "sslmod"'* ]]
	[ $(($(date +%s) - start)) -lt 20 ]
}

@test "pg --wait-timeout: upgrade waits for the database, then migrates" {
	pg_setup_tcp
	linear3
	port=$(free_port)
	start_bg python3 "$BATS_TEST_DIRNAME/tcpproxy.py" "$port" "$RETORT_TEST_PG_PORT" 1
	export DATABASE_URL=$(pg_tcp_url "$port")
	run rt --wait-timeout 30 upgrade head
	[ "$status" -eq 0 ]
	[[ $output == *"is ready"* ]]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
}

# flaky_proxy DROP: a tcpproxy.py to the test server that closes the
# connections numbered in DROP at once (counting from its first, which
# this function makes to see it listening); sets PROXY_PORT.
flaky_proxy() {
	PROXY_PORT=$(free_port)
	start_bg python3 "$BATS_TEST_DIRNAME/tcpproxy.py" "$PROXY_PORT" "$RETORT_TEST_PG_PORT" 0 "1,$1"
	for _ in $(seq 100); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1', $PROXY_PORT)).close()" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

@test "pg --wait-timeout: a connection that fails after the wait said ready goes back to waiting" {
	pg_setup_tcp
	linear3
	# 2 is the wait's probe, which goes through; 3, the command's own
	# connection, is closed at once, as a name that stops resolving for a
	# moment or a restarting server would; 4 and 5 go through
	flaky_proxy 3
	# one connection each, none retried by libpq without TLS or GSS
	export DATABASE_URL="$(pg_tcp_url "$PROXY_PORT")?sslmode=disable&gssencmode=disable"
	run rt --wait-timeout 30 upgrade head
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"cannot connect to the database: "*"; waiting again"* ]]
	[ "$(grep -c 'is ready' <<<"$output")" -eq 2 ]
	[[ $output != *"$RETORT_TEST_PG_PASSWORD"* ]]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
	# without a wait budget the same failure is final
	flaky_proxy 2
	export DATABASE_URL="$(pg_tcp_url "$PROXY_PORT")?sslmode=disable&gssencmode=disable"
	run rt current
	echo "$output"
	[ "$status" -eq 2 ]
	[[ $output == *"cannot connect to the database: "* ]]
	[[ $output != *"waiting again"* ]]
}

@test "RETORT_WAIT_TIMEOUT gates commands that use the database, and only those" {
	linear3
	port=$(free_port)
	export DATABASE_URL="postgresql://u:secret@127.0.0.1:$port/db" RETORT_WAIT_TIMEOUT=0.5
	run rt current
	[ "$status" -eq 3 ]
	[[ $output == *"timed out after 0.5 s waiting for 'postgresql://u:***@127.0.0.1:$port/db'"* ]]
	[[ $output != *secret* ]]
	run rt history
	[ "$status" -eq 0 ]
	[[ $output == *"create c"* ]]
	RETORT_WAIT_TIMEOUT=soon run rt current
	[ "$status" -eq 64 ]
	[[ $output == *"RETORT_WAIT_TIMEOUT must be a number of seconds, not 'soon'"* ]]
}

@test "RETORT_REQUIRE_URL: no default database, a clear error and exit 2" {
	linear3
	unset DATABASE_URL
	export RETORT_REQUIRE_URL=1
	for cmd in "upgrade head" current check "wait" "upgrade head --sql"; do
		run rt $cmd
		[ "$status" -eq 2 ]
		[[ $output == *"no database configured"*"set DATABASE_URL or DATABASE_URL_FILE, or pass -u/--url"* ]]
	done
	[ ! -e app.db ]
	run rt heads
	[ "$status" -eq 0 ]
	DATABASE_URL="sqlite:///$TEST_DIR/test.db" run rt upgrade head
	[ "$status" -eq 0 ]
}

@test "notify: a successful upgrade posts its summary as JSON" {
	linear3
	webhook
	run rt --notify "$HOOK_URL/hooks/T0/SECRET" upgrade head
	[ "$status" -eq 0 ]
	[ "$(wc -l <hook.log)" -eq 1 ]
	cut -d' ' -f2- hook.log >body.json
	python3 - <<'EOF'
import json
b = json.load(open("body.json"))
assert b["command"] == "upgrade" and b["ok"] is True and b["error"] is None, b
assert b["from"] == [] and b["to"] == ["3c4d5e6f7a8b"], b
assert [s["revision"] for s in b["steps"]] == ["1a2b3c4d5e6f", "2b3c4d5e6f7a", "3c4d5e6f7a8b"]
assert all(s["kind"] == "upgrade" and s["duration_ms"] >= 0 for s in b["steps"])
assert b["text"].startswith("retort upgrade on sqlite:///") and "3 steps" in b["text"], b["text"]
EOF
	grep -q '^application/json ' hook.log
	# nothing changed: nothing sent
	run rt --notify "$HOOK_URL/x" upgrade head
	[ "$(wc -l <hook.log)" -eq 1 ]
}

@test "notify: a wait for the lock is said on stderr and posted apart from the run's own time" {
	linear3
	webhook
	rt -q upgrade 1a2b3c4d5e6f
	# another process holds the database's lock for 1.5 s
	( exec 9>>"$TEST_DIR/test.db" && flock 9 && exec sleep 1.5 ) >/dev/null 2>&1 3>&- &
	for _ in $(seq 1 200); do
		flock -n "$TEST_DIR/test.db" true 2>/dev/null || break
		sleep 0.05
	done
	run rt --notify "$HOOK_URL/h" upgrade head
	[ "$status" -eq 0 ]
	[[ "$output" == *"waiting for the migration lock"* ]]
	[[ "$output" =~ "got the migration lock after "[0-9.]+" s" ]]
	cut -d' ' -f2- hook.log >body.json
	python3 - <<'EOF'
import json
b = json.load(open("body.json"))
assert b["wait_ms"] >= 500, b
assert b["duration_ms"] < b["wait_ms"], b
assert sum(s["duration_ms"] for s in b["steps"]) <= b["duration_ms"] + 1, b
EOF
}

@test "notify: a failed migration posts the error and where the database stopped" {
	linear3
	mkrev 4d5e6f7a8b9c 3c4d5e6f7a8b "broken" "SELECT * FROM nowhere;" "SELECT 1;"
	webhook
	export RETORT_NOTIFY_URL="$HOOK_URL/h"
	run rt upgrade head
	[ "$status" -eq 2 ]
	cut -d' ' -f2- hook.log >body.json
	python3 - <<'EOF'
import json
b = json.load(open("body.json"))
assert b["ok"] is False and "no such table: nowhere" in b["error"], b
assert b["to"] == ["3c4d5e6f7a8b"] and len(b["steps"]) == 3, b
assert "failed at step 4 of 4" in b["text"], b["text"]
EOF
}

@test "notify: a webhook that fails or cannot be reached is a warning, not a failure" {
	linear3
	webhook 500
	run rt --notify "$HOOK_URL/hooks/SECRET-PATH" upgrade 1a2b
	[ "$status" -eq 0 ]
	[[ $output == *"warning: could not send the notification to $HOOK_URL/...: the webhook answered HTTP 500"* ]]
	[ "$(wc -l <hook.log)" -eq 3 ]   # 5xx is retried, three tries in all
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
	port=$(free_port)
	run rt --notify "http://user:pw@127.0.0.1:$port/hooks/SECRET-PATH" upgrade head
	[ "$status" -eq 0 ]
	[[ $output == *"could not send the notification to http://127.0.0.1:$port/..."* ]]
	[[ $output != *SECRET-PATH* && $output != *user:pw* ]]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
}

@test "pg notify: the database URL in the summary has its password masked" {
	pg_setup_tcp
	linear3
	webhook
	export DATABASE_URL=$(pg_tcp_url "$RETORT_TEST_PG_PORT")
	run rt --notify "$HOOK_URL/h" upgrade head
	[ "$status" -eq 0 ]
	grep -q '"database": "postgresql://retort_pw:\*\*\*@127.0.0.1' hook.log
	! grep -q "$RETORT_TEST_PG_PASSWORD" hook.log
}
