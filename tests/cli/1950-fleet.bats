#!/usr/bin/env bats
# Covers fleets: one command on many targets (--target, --targets FILE,
# the config's `targets =`), up to --jobs at once; a target file's
# comments and its bad lines (FILE:LINE:COL); a failing target stopping
# the start of new ones, --keep-going, --canary; the per-target lines and
# the summary table; --json; commands that refuse --target; PostgreSQL
# tenants as schemas of one database, each with its own alembic_version;
# --sql per target; passwords masked everywhere; and SIGTERM during a run
# letting the running target finish its current migration while starting
# no new one.

load helpers
bats_require_minimum_version 1.5.0

HEAD=3c4d5e6f7a8b

# dbs N: the --target options for N SQLite databases db1.db..dbN.db
dbs() {
	local i
	for i in $(seq "$1"); do printf -- '--target sqlite:///%s/db%d.db ' "$TEST_DIR" "$i"; done
}

version_of() {   # version_of N: the version row of dbN.db ("" when none)
	sqlite3 "$TEST_DIR/db$1.db" "SELECT version_num FROM alembic_version" 2>/dev/null || true
}

# broken N: dbN.db already has table b, so the second migration fails there
broken() {
	sqlite3 "$TEST_DIR/db$1.db" "CREATE TABLE b (x INTEGER)"
}

@test "fleet: 20 SQLite databases upgraded with --jobs 4 all end at head, one line each and a table" {
	linear3
	# shellcheck disable=SC2046
	run rt --jobs 4 $(dbs 20) upgrade head
	[ "$status" -eq 0 ]
	for i in $(seq 20); do [ "$(version_of "$i")" = "$HEAD" ]; done
	[ "$(grep -c '^fleet: ok  sqlite:///.*/db[0-9]*\.db  <base> -> 3c4d5e6f7a8b  3 steps' <<<"$output")" -eq 20 ]
	[[ $output == *"TARGET"*"FROM"*"TO"*"STEPS"*"TIME"*"OUTCOME"* ]]
	[[ $output == *"fleet: 20 targets: 20 ok, 0 failed, 0 not started"* ]]
	# a second run has nothing to do, and check agrees on every target
	# shellcheck disable=SC2046
	run rt $(dbs 20) check
	[ "$status" -eq 0 ]
	[ "$(grep -c '3c4d5e6f7a8b -> 3c4d5e6f7a8b  0 steps' <<<"$output")" -eq 20 ]
}

@test "fleet: each target's standard output comes as one block under its name" {
	linear3
	# shellcheck disable=SC2046
	rt $(dbs 3) upgrade head
	# shellcheck disable=SC2046
	run --separate-stderr rt $(dbs 3) current
	[ "$status" -eq 0 ]
	for i in 1 2 3; do
		grep -A1 -x -- "-- sqlite:///$TEST_DIR/db$i.db" <<<"$output" | grep -qx "$HEAD (head)"
	done
	[ "$(grep -c "^$HEAD (head)$" <<<"$output")" -eq 3 ]
	[[ $stderr == *"fleet: 3 targets: 3 ok"* ]]
}

@test "fleet: a targets file takes comments and blank lines; a bad line names FILE:LINE:COL and nothing runs" {
	linear3
	cat >targets.txt <<EOF
# the tenants
sqlite:///$TEST_DIR/db1.db

   sqlite:///$TEST_DIR/db2.db   # the second one
EOF
	run rt --targets targets.txt upgrade head
	[ "$status" -eq 0 ]
	[ "$(version_of 1)" = "$HEAD" ] && [ "$(version_of 2)" = "$HEAD" ]
	printf 'sqlite:///%s/db3.db\nsqlite:///%s/db4.db bogus\n' "$TEST_DIR" "$TEST_DIR" >bad.txt
	run rt --targets bad.txt upgrade head
	[ "$status" -eq 2 ]
	col=$(( ${#TEST_DIR} + 19 ))
	[[ $output == *"bad.txt:2:$col: unexpected 'bogus'; a target is 'URL [schema=NAME]'"* ]]
	[ ! -e db3.db ]
	printf 'sqlite:///%s/db3.db\nnosuch://x\n' "$TEST_DIR" >bad.txt
	run rt --targets bad.txt upgrade head
	[ "$status" -eq 2 ]
	[[ $output == *"bad.txt:2:1: "* ]]
	printf 'sqlite:///%s/db3.db schema=t1\n' "$TEST_DIR" >bad.txt
	run rt --targets bad.txt upgrade head
	[ "$status" -eq 2 ]
	[[ $output == *"bad.txt:1:1: schema= needs a PostgreSQL target"* ]]
	printf 'sqlite:///%s/db3.db\n  sqlite:///%s/db3.db\n' "$TEST_DIR" "$TEST_DIR" >bad.txt
	run rt --targets bad.txt upgrade head
	[ "$status" -eq 2 ]
	[[ $output == *"bad.txt:2:3: target 'sqlite:///$TEST_DIR/db3.db' is already given at bad.txt:1"* ]]
	printf '# nobody\n\n' >bad.txt
	run rt --targets bad.txt upgrade head
	[ "$status" -eq 2 ]
	[[ $output == *"bad.txt lists no target"* ]]
	[ ! -e db3.db ]
}

@test "fleet: the config's targets = lines are the fleet, unless a URL is given" {
	linear3
	unset DATABASE_URL
	cat >retort.ini <<'EOF'
[retort]
script_location = migrations
targets =
    sqlite:///%(here)s/db1.db
    sqlite:///%(here)s/db2.db
EOF
	run rt upgrade head
	[ "$status" -eq 0 ]
	[[ $output == *"fleet: 2 targets: 2 ok"* ]]
	[ "$(version_of 1)" = "$HEAD" ] && [ "$(version_of 2)" = "$HEAD" ]
	run rt -u "sqlite:///$TEST_DIR/db3.db" upgrade head
	[ "$status" -eq 0 ]
	[[ $output != *"fleet:"* ]]
	[ "$(version_of 3)" = "$HEAD" ]
	DATABASE_URL="sqlite:///$TEST_DIR/db4.db" run rt upgrade head
	[ "$status" -eq 0 ]
	[[ $output != *"fleet:"* ]]
	[ "$(version_of 4)" = "$HEAD" ]
	# commands that do not run per database ignore the config's targets
	run rt history
	[ "$status" -eq 0 ]
}

@test "fleet: a failing target stops the start of new ones; the summary names it; exit non-zero" {
	linear3
	broken 2
	# shellcheck disable=SC2046
	run rt --jobs 1 $(dbs 4) upgrade head
	[ "$status" -eq 2 ]
	[ "$(version_of 1)" = "$HEAD" ]
	[ "$(version_of 2)" = "1a2b3c4d5e6f" ]
	[ "$(version_of 3)" = "" ] && [ "$(version_of 4)" = "" ]
	[[ $output == *"fleet: failed (exit 2)  sqlite:///$TEST_DIR/db2.db  <base> -> 1a2b3c4d5e6f  1 step"* ]]
	# its own error, indented under its line
	[[ $output == *"    retort: error: "*"table b already exists"* ]]
	[[ $output == *"fleet: 4 targets: 1 ok, 1 failed, 2 not started"* ]]
	[[ $output == *"fleet: failed: sqlite:///$TEST_DIR/db2.db"* ]]
	[[ $output == *"fleet: stopped after the failure (--keep-going runs the rest)"* ]]
	grep -q "^sqlite:///$TEST_DIR/db4.db .*  not started$" <<<"$output"
}

@test "fleet: --keep-going runs the rest after a failure" {
	linear3
	broken 2
	# shellcheck disable=SC2046
	run rt --jobs 2 --keep-going $(dbs 6) upgrade head
	[ "$status" -eq 2 ]
	for i in 1 3 4 5 6; do [ "$(version_of "$i")" = "$HEAD" ]; done
	[[ $output == *"fleet: 6 targets: 5 ok, 1 failed, 0 not started"* ]]
	[[ $output == *"fleet: failed: sqlite:///$TEST_DIR/db2.db"* ]]
}

@test "fleet: --canary 1 with a failing first target starts none of the others, even with --keep-going" {
	linear3
	broken 1
	# shellcheck disable=SC2046
	run rt --canary 1 --keep-going $(dbs 5) upgrade head
	[ "$status" -eq 2 ]
	for i in 2 3 4 5; do [ "$(version_of "$i")" = "" ]; done
	[[ $output == *"fleet: 5 targets: 0 ok, 1 failed, 4 not started"* ]]
	[[ $output == *"a canary failed, so no other target was started"* ]]
	# a passing canary lets the rest run
	rm db1.db
	# shellcheck disable=SC2046
	run rt --canary 2 --jobs 3 $(dbs 5) upgrade head
	[ "$status" -eq 0 ]
	for i in 1 2 3 4 5; do [ "$(version_of "$i")" = "$HEAD" ]; done
}

@test "fleet: --json gives the targets and the summary as one JSON document" {
	linear3
	broken 3
	# shellcheck disable=SC2046
	run --separate-stderr rt --json --keep-going $(dbs 3) upgrade head
	[ "$status" -eq 2 ]
	echo "$output" >out.json
	python3 - "$TEST_DIR" <<'EOF'
import json, sys
d = json.load(open("out.json"))
assert d["command"] == "upgrade" and d["ok"] is False, d
t = d["targets"]
assert [x["target"] for x in t] == ["sqlite:///%s/db%d.db" % (sys.argv[1], i) for i in (1, 2, 3)]
assert [x["outcome"] for x in t] == ["ok", "ok", "failed"], t
assert t[0]["from"] == [] and t[0]["to"] == ["3c4d5e6f7a8b"] and t[0]["steps"] == 3
assert t[2]["exit_status"] == 2 and "table b already exists" in t[2]["stderr"]
s = d["summary"]
assert (s["targets"], s["ok"], s["failed"], s["not_started"]) == (3, 2, 1, 0), s
assert s["failed_targets"] == ["sqlite:///%s/db3.db" % sys.argv[1]]
EOF
}

# The command table declares which commands run per database (.per_target
# in src/cmd): each of them, aliases too, runs once on every target.
@test "fleet: every per-database command and alias runs once on each target" {
	linear3
	local c
	while read -r c; do
		# shellcheck disable=SC2046,SC2086
		run rt $(dbs 2) $c
		[ "$status" -eq 0 ] || { echo "$c: exit $status"; echo "$output"; return 1; }
		[ "$(grep -c '^fleet: ok  sqlite:///' <<<"$output")" -eq 2 ] ||
			{ echo "$c: not one ok line per target"; echo "$output"; return 1; }
	done <<-EOF
		upgrade 1a2b
		migrate
		current
		status
		showmigrations
		check
		downgrade -1
		rollback
		stamp head
	EOF
	[ "$(version_of 1)" = "$HEAD" ] && [ "$(version_of 2)" = "$HEAD" ]
}

@test "fleet: commands without a database refuse --target; -u and --target together are refused; the environment's targets give way" {
	linear3
	for c in history heads "revision -m x" "merge heads" branches; do
		# shellcheck disable=SC2086
		run rt --target "sqlite:///$TEST_DIR/db1.db" $c
		[ "$status" -eq 64 ]
		[[ $output == *"does not run per database, so it takes no --target/--targets; fleets run upgrade, downgrade, stamp, current, check, showmigrations and status"* ]]
	done
	run rt -u "sqlite:///$TEST_DIR/db2.db" --target "sqlite:///$TEST_DIR/db1.db" upgrade head
	[ "$status" -eq 64 ]
	[[ $output == *"-u/--url and --target/--targets both name the database"* ]]
	[ ! -e db1.db ] && [ ! -e db2.db ]
	run rt --jobs 0 --target "sqlite:///$TEST_DIR/db1.db" upgrade head
	[ "$status" -eq 64 ]
	run rt --json check
	[ "$status" -eq 64 ]
	[[ $output == *"for one database it is 'check --json'"* ]]
	run rt --json status   # no --json of its own: nothing to point at
	[ "$status" -eq 64 ]
	[[ $output == *"there are no --target/--targets here"* && $output != *"for one database"* ]]
	# targets from the environment: ignored where they mean nothing, and
	# -u names one database instead of them
	echo "sqlite:///$TEST_DIR/db1.db" >t.txt
	RETORT_TARGETS_FILE=t.txt run rt history
	[ "$status" -eq 0 ]
	RETORT_TARGETS_FILE=t.txt run rt -u "sqlite:///$TEST_DIR/db2.db" upgrade head
	[ "$status" -eq 0 ]
	[ ! -e db1.db ] && [ "$(version_of 2)" = "$HEAD" ]
	RETORT_TARGETS_FILE=t.txt run rt upgrade head
	[ "$status" -eq 0 ]
	[ "$(version_of 1)" = "$HEAD" ]
}

@test "fleet: SIGTERM lets the running target finish its current migration and starts no new one" {
	linear3
	: >db1.db
	# hold db1's migration lock until we say so
	flock db1.db sh -c 'while [ ! -e release ]; do sleep 0.05; done' 3>&- &
	holder=$!
	# shellcheck disable=SC2046
	$RETORT_WRAP "$RETORT_BIN" -v --jobs 1 $(dbs 3) upgrade head >out.log 2>err.log 3>&- &
	pid=$!
	for _ in $(seq 1200); do grep -q "fleet: started sqlite:///$TEST_DIR/db1.db" err.log && break; sleep 0.05; done
	grep -q "fleet: started sqlite:///$TEST_DIR/db1.db" err.log
	kill -TERM "$pid"
	for _ in $(seq 1200); do grep -q "fleet: terminated" err.log && break; sleep 0.05; done
	touch release
	wait "$holder"
	status=0
	wait "$pid" || status=$?
	cat err.log
	[ "$status" -eq 143 ]
	grep -q "fleet: terminated: starting no more targets; the running ones stop after their current migration" err.log
	# db1 was waiting for its lock: it ran its first migration, then stopped
	[ "$(version_of 1)" = 1a2b3c4d5e6f ]
	grep -q "stopped by a signal after 1 of 3 migrations, which stay applied" err.log
	[ ! -e db2.db ] && [ ! -e db3.db ]
	grep -q "fleet: 3 targets: 0 ok, 1 failed, 2 not started" err.log
	grep -q "stopped by a signal before starting 2 targets" err.log
}

@test "fleet: PostgreSQL tenants as schemas of one database, each with its own alembic_version" {
	switch_backend postgresql
	linear3
	for s in t1 t2 t3; do pq "CREATE SCHEMA $s"; done
	{
		echo "# three tenants in one database"
		for s in t1 t2 t3; do echo "$DATABASE_URL schema=$s"; done
	} >targets.txt
	run rt --targets targets.txt --jobs 3 upgrade head
	[ "$status" -eq 0 ]
	for s in t1 t2 t3; do
		[ "$(pq "SELECT version_num FROM $s.alembic_version")" = "$HEAD" ]
		[ "$(pq "SELECT count(*) FROM pg_tables WHERE schemaname = '$s' AND tablename IN ('a', 'b', 'c')")" = 3 ]
	done
	[ "$(pq "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 0 ]
	[[ $output == *"schema=t2  <base> -> $HEAD  3 steps"* ]]
	# one tenant moved back: only its version table changes
	run rt --target "$DATABASE_URL schema=t2" downgrade -1
	[ "$status" -eq 0 ]
	[ "$(pq "SELECT version_num FROM t2.alembic_version")" = 2b3c4d5e6f7a ]
	[ "$(pq "SELECT version_num FROM t1.alembic_version")" = "$HEAD" ]
	run rt --targets targets.txt status
	[ "$status" -eq 0 ]
	# --sql renders each tenant's script with its own version table
	run --separate-stderr rt --targets targets.txt upgrade head --sql
	[ "$status" -eq 0 ]
	[[ $output == *"-- postgresql://"*"schema=t1"* ]]
	[[ $output == *"t1.alembic_version"* ]] && [[ $output == *"t3.alembic_version"* ]]
	[ "$(pq "SELECT version_num FROM t2.alembic_version")" = 2b3c4d5e6f7a ]
	# a schema name that is not a plain name is refused where it is written
	run rt --target "$DATABASE_URL schema=a-b" current
	[ "$status" -eq 64 ]
	[[ $output == *"--target #1, column "*": schema= takes a name"* ]]
}

@test "fleet: passwords are masked in every line, the failures' included" {
	switch_backend postgresql
	linear3
	pw=$RETORT_TEST_PG_PASSWORD
	pq_admin "GRANT ALL ON DATABASE $PG_DB TO retort_pw"
	pq "GRANT ALL ON SCHEMA public TO retort_pw"
	good="postgresql://retort_pw:$pw@127.0.0.1:$RETORT_TEST_PG_PORT/$PG_DB"
	bad="postgresql://retort_pw:wrong-$pw@127.0.0.1:$RETORT_TEST_PG_PORT/$PG_DB"
	printf '%s\n%s\n' "$good" "$bad" >targets.txt
	run rt -v --keep-going --targets targets.txt upgrade head
	[ "$status" -eq 2 ]
	out=$output
	[[ $output == *"fleet: ok  postgresql://retort_pw:***@127.0.0.1"* ]]
	[[ $output == *"password authentication failed"* ]]
	run rt --json --targets targets.txt current
	out+=$output
	printf '%s\n%s schema=x y\n' "$good" "$bad" >targets.txt
	run rt --targets targets.txt current
	[ "$status" -eq 2 ]
	[[ $output == *"targets.txt:2:"*"unexpected 'y'"* ]]
	out+=$output
	[[ $out != *"$pw"* ]]
}
