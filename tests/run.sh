#!/usr/bin/env bash
# Runs every test and ends with one line "N passed, M failed[, K skipped]":
#   1. the cmocka unit tests (tests/unit, built by make into $UNIT_DIR);
#   2. the bats CLI tests in tests/cli/*.bats, once each;
#   3. the shared CLI scenarios in tests/cli/shared/*.bats once per backend
#      (RETORT_TEST_BACKEND=sqlite, then postgresql, then mysql), every test
#      name starting with "[BACKEND] ".
# With two cores, 2 runs beside 1 and 3 (see "Two lanes" below).
# All of it is TAP, each CLI result with its time in ms (bats --timing),
# printed line by line as it arrives, so a test that hangs
# leaves every earlier result on the screen.  A unit binary that crashes or
# stops early, a bats run that dies, and a test that outlives its time
# limit (a hang: RETORT_TEST_TIMEOUT seconds, default 300, 1800 under
# RETORT_WRAP) count as failures; the exit status is non-zero if anything
# failed.
# RETORT_WRAP (e.g. "valgrind ...") wraps every program run.
# RETORT_TEST_BACKENDS (default "sqlite postgresql mysql") chooses the
# backends of the shared scenarios; the MySQL tests skip without mysql.
# RETORT_TEST_CLI_DIR runs the bats files of another directory (laid out
# as tests/cli) instead, and RETORT_TEST_FILES and RETORT_TEST_SHARED only
# some of them (below).
# RETORT_TEST_JOBS=1 runs everything in one lane.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${RETORT_BIN:?set RETORT_BIN to the retort binary}"
: "${UNIT_DIR:?set UNIT_DIR to the built unit tests}"
cli=${RETORT_TEST_CLI_DIR:-$here/cli}
# RETORT_TEST_BACKENDS narrows the backends (CI's valgrind pass leaves out
# mysql, which ASan+LSan cover); a backend left out is skipped, saying so.
backends=${RETORT_TEST_BACKENDS:-sqlite postgresql mysql}
# under RETORT_WRAP (valgrind) everything runs many times slower
limit=${RETORT_TEST_TIMEOUT:-$([ -n "${RETORT_WRAP:-}" ] && echo 1800 || echo 300)}
export RETORT_BIN RETORT_WRAP="${RETORT_WRAP:-}" BATS_TEST_TIMEOUT=$limit
unset RETORT_TEST_BACKEND

# The servers started here are stopped on the way out.
stop_servers=()
trap 'for s in "${stop_servers[@]}"; do $s; done' EXIT

# A private PostgreSQL server for the PostgreSQL tests, unless one is given.
# Without one those tests skip, saying why (RETORT_TEST_PG_MISSING).
if [ -z "${RETORT_TEST_PG_URL:-}" ]; then
	if ! "$RETORT_BIN" --version 2>/dev/null | grep -q '^libpq'; then
		export RETORT_TEST_PG_MISSING="retort was built without the PostgreSQL driver (make DRIVERS=\"sqlite postgresql\")"
		echo "# SKIP: $RETORT_TEST_PG_MISSING; the PostgreSQL tests will be skipped"
	elif pg_env=$("$here/pg/server.sh" start); then
		eval "$pg_env"
		stop_servers+=("$here/pg/server.sh stop $RETORT_TEST_PG_DIR")
	else
		export RETORT_TEST_PG_MISSING="no PostgreSQL server binaries (apt-get install postgresql-15)"
		echo "# SKIP: $RETORT_TEST_PG_MISSING; the PostgreSQL tests will be skipped"
	fi
fi

# A private MariaDB server for the MySQL tests, the same way.
if [ -z "${RETORT_TEST_MYSQL_URL:-}" ]; then
	if [[ " $backends " != *" mysql "* ]]; then
		export RETORT_TEST_MYSQL_MISSING="mysql is not among RETORT_TEST_BACKENDS ($backends) in this run"
		echo "# SKIP: $RETORT_TEST_MYSQL_MISSING; the MySQL tests will be skipped"
	elif ! "$RETORT_BIN" --version 2>/dev/null | grep -q '^libmariadb'; then
		export RETORT_TEST_MYSQL_MISSING="retort was built without the MySQL driver (make DRIVERS=\"... mysql\")"
		echo "# SKIP: $RETORT_TEST_MYSQL_MISSING; the MySQL tests will be skipped"
	elif my_env=$("$here/mysql/server.sh" start); then
		eval "$my_env"
		stop_servers+=("$here/mysql/server.sh stop $RETORT_TEST_MYSQL_DIR")
	else
		export RETORT_TEST_MYSQL_MISSING="no MariaDB server binaries (apt-get install mariadb-server: mariadb-install-db, mariadbd)"
		echo "# SKIP: $RETORT_TEST_MYSQL_MISSING; the MySQL tests will be skipped"
	fi
fi

pass=0 fail=0 skip=0
# Each failure is printed again at the very end, just above the tally, so
# that a log seen only by its head and tail (a CI page) still shows what
# failed and why.  Both lanes append to one file, a whole failure per write.
recap=$(mktemp "${TMPDIR:-/tmp}/retort-recap.XXXXXX")
stop_servers+=("rm -f $recap")

# recap_add LINE...: keep one failure for the recap, its first 4 lines
# (the result, where it failed, the assertion) and its last 30.
recap_add() {
	local -a keep=("$@")
	if [ $# -gt 34 ]; then
		keep=("${@:1:4}" "#   ... $(($# - 34)) lines, in the log above ..." "${@: -30}")
	fi
	printf '# %s\n' "${keep[@]}" >>"$recap"   # comments: TAP counts each result once
}

# tap NAME CMD...: run CMD, print its TAP (stdout and stderr) line by line
# as it comes, and tally it.  CMD failing without a failed test, or
# printing fewer results than its plan (1..N) announced, is one failure more.
tap() {
	local name=$1 line planned=0 seen=0 failed=0 rc
	local -a failure=()   # the lines of the failure being read, if any
	shift
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case $line in
		"ok "*|"not ok "*|"# unit: "*|"# bats: "*)
			[ ${#failure[@]} -eq 0 ] || recap_add "${failure[@]}"
			failure=() ;;
		*) [ ${#failure[@]} -eq 0 ] || failure+=("$line") ;;
		esac
		case $line in
		1..*) planned=${line#1..}; planned=${planned%%[!0-9]*} ;;
		# a skip, however the runner spells it (cmocka: "not ok N # SKIP")
		"ok "*"# skip"*|"ok "*"# SKIP"*|"not ok "*"# SKIP"*) skip=$((skip + 1)) seen=$((seen + 1)) ;;
		"not ok "*) fail=$((fail + 1)) seen=$((seen + 1)) failed=1 failure=("$line") ;;
		"ok "*) pass=$((pass + 1)) seen=$((seen + 1)) ;;
		esac
	done < <("$@" 2>&1)
	[ ${#failure[@]} -eq 0 ] || recap_add "${failure[@]}"
	wait $! && rc=0 || rc=$?
	local why="exit status $rc"
	[ $rc -ne 124 ] || why="killed after $limit s"
	if [ "$seen" -lt "${planned:-0}" ]; then
		echo "not ok - $name stopped after $seen of its $planned tests ($why)"
		recap_add "not ok - $name stopped after $seen of its $planned tests ($why)"
		fail=$((fail + 1))
	elif [ $rc -ne 0 ] && [ $failed -eq 0 ]; then
		echo "not ok - $name ended with $why"
		recap_add "not ok - $name ended with $why"
		fail=$((fail + 1))
	fi
}

# cmocka writes its TAP with stdio: line-buffer it (stdbuf) so that it
# streams; the sanitizers then must not insist on coming first.
linebuf=()
if command -v stdbuf >/dev/null; then
	linebuf=(stdbuf -oL)
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
fi

unit_tests() {
	local t
	for t in "$UNIT_DIR"/test_*; do
		[ -x "$t" ] || continue
		echo "# unit: ${t##*/}"
		CMOCKA_MESSAGE_OUTPUT=TAP tap "${t##*/}" timeout -k 10 "$limit" "${linebuf[@]}" $RETORT_WRAP "$t"
	done
}

# RETORT_TEST_FILES and RETORT_TEST_SHARED (glob patterns, e.g. "0500-*
# 1000-*") narrow the CLI files and the shared scenario files; the ones
# left out are named, as skipped.
# pick VAR DIR: the .bats files of DIR that VAR's patterns name (all
# without VAR) into `picked`.
pick() {
	local var=$1 dir=$2 f p keep left_out=""
	local -a patterns
	read -ra patterns <<<"${!var:-}"
	picked=()
	for f in "$dir"/*.bats; do
		keep=${!var:+no}
		for p in "${patterns[@]}"; do
			# shellcheck disable=SC2254
			case ${f##*/} in $p | $p.bats) keep= ;; esac
		done
		if [ -z "$keep" ]; then picked+=("$f"); else left_out+=" ${f##*/}"; fi
	done
	[ -z "$left_out" ] || echo "# SKIP: not in $var (${!var}), these files of $dir do not run:$left_out"
}
pick RETORT_TEST_FILES "$cli"
cli_files=("${picked[@]}")
pick RETORT_TEST_SHARED "$cli/shared"
shared_files=("${picked[@]}")

cli_tests() {
	echo "# bats: ${#cli_files[@]} files of $cli"
	[ ${#cli_files[@]} -gt 0 ] || return 0
	tap "bats $cli/*.bats" bats --tap --timing "${cli_files[@]}"
}

shared_tests() {
	local backend
	for backend in $backends; do
		echo "# bats: the shared scenarios on $backend"
		[ ${#shared_files[@]} -gt 0 ] || continue
		RETORT_TEST_BACKEND=$backend tap "bats ($backend) $cli/shared/*.bats" bats --tap --timing "${shared_files[@]}"
	done
}

# Two lanes on a machine with two cores or more (RETORT_TEST_JOBS, default
# 2 there, else 1): the first runs the CLI files, the second the unit tests
# and then the shared scenarios.  They cannot meet: each bats run names its
# databases after its own pid, and each test has its own directory.  The
# second lane's TAP goes to a file, printed once the first lane is done and
# then followed to its end, so every line appears once and in its lane's
# order; its tally is added to the first's.  A run killed before then (a
# CI timeout) prints on its way out what the file holds and was not yet
# printed, so no result of the second lane is lost with it.
jobs=${RETORT_TEST_JOBS:-$([ "$(nproc 2>/dev/null || echo 1)" -ge 2 ] && echo 2 || echo 1)}

# follow_lane: print the second lane's TAP from where the last print
# stopped, whole lines only, until the lane has ended and all is printed.
# lane_shown counts the bytes printed (a line in the making is not).
lane_shown=0
follow_lane() {
	local LC_ALL=C line partial="" ended=0
	exec {lane_fd}<"$lane/tap"
	while :; do
		while IFS= read -r line <&"$lane_fd"; do
			line=$partial$line partial=""
			printf '%s\n' "$line"
			lane_shown=$((lane_shown + ${#line} + 1))
		done
		partial+=$line   # read stopped at the end of the file inside a line
		[ $ended -eq 0 ] || break
		kill -0 "$lane_pid" 2>/dev/null || ended=1   # once more, then done
		[ $ended -eq 1 ] || sleep 0.2
	done
	if [ -n "$partial" ]; then
		printf '%s\n' "$partial"
		lane_shown=$((lane_shown + ${#partial}))
	fi
	exec {lane_fd}<&-
}

# lane_rest: on the way out of a run cut short, the second lane's TAP not
# yet printed, under a line saying so.
lane_rest() {
	local size
	size=$(LC_ALL=C wc -c <"$lane/tap" 2>/dev/null) || return 0
	[ "$size" -gt "$lane_shown" ] || return 0
	echo "# the second lane, cut short: its results so far"
	tail -c +$((lane_shown + 1)) "$lane/tap"
	[ -z "$(tail -c 1 "$lane/tap")" ] || echo
}
if ! command -v bats >/dev/null; then
	unit_tests
	echo "not ok - bats is not installed (make deps); the CLI tests did not run"
	fail=$((fail + 1))
elif [ "$jobs" -lt 2 ]; then
	unit_tests
	cli_tests
	shared_tests
else
	lane=$(mktemp -d "${TMPDIR:-/tmp}/retort-lane.XXXXXX")
	: >"$lane/tap"
	(
		pass=0 fail=0 skip=0
		unit_tests
		shared_tests
		echo "$pass $fail $skip" >"$lane/tally"
	) >>"$lane/tap" 2>&1 </dev/null &
	lane_pid=$!
	trap 'kill $lane_pid 2>/dev/null; lane_rest; rm -rf "$lane"; for s in "${stop_servers[@]}"; do $s; done' EXIT
	echo "# two lanes: the CLI files here; the unit tests and the shared scenarios alongside, printed after them"
	cli_tests
	echo "# the second lane: the unit tests and the shared scenarios"
	follow_lane
	wait $lane_pid
	if read -r p f k <"$lane/tally" 2>/dev/null; then
		pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + k))
	else
		echo "not ok - the second lane (unit tests, shared scenarios) ended without its tally"
		fail=$((fail + 1))
	fi
fi

if [ -s "$recap" ]; then
	echo "# the failures again, each with the end of its output:"
	cat "$recap"
fi
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
