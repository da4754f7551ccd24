#!/usr/bin/env bats
# Covers tests/run.sh's two lanes, on a suite of its own (a fake unit test,
# one CLI file, one shared file; no database): the second lane's results
# (the unit tests and the shared scenarios) come once each, after the
# first lane's, and the run still ends with its one tally line; and a run
# killed while they wait for the first lane to end (a CI timeout) prints
# them on its way out instead of deleting them unseen; and every failure,
# of either lane, is printed again just above the tally with the end of
# its output, for a log seen only by its head and tail.

load helpers

setup() {
	test_dir_setup || return 1
	mkdir -p suite/cli/shared suite/unit tmp
	# the first lane's only test lasts until the test says it may end (or
	# its directory is gone).  ("@" "test": a line starting with the word
	# would be taken for a test of this file.)
	# shellcheck disable=SC2016
	printf '%s\n' "@""test \"first lane: waits for its release\" {" \
		'for _ in $(seq 300); do' \
		'	[ -e "$RELEASE" ] || [ ! -d "${RELEASE%/*}" ] && return 0' \
		'	sleep 0.1' \
		'done' \
		'return 1' \
		'}' >suite/cli/0001-first-lane.bats
	printf '%s\n' "@""test \"second lane: a shared scenario\" { true; }" \
		>suite/cli/shared/0001-second-lane.bats
	cat >suite/unit/test_fake <<-'EOF'
		#!/bin/sh
		echo "1..2"
		echo "ok 1 - second lane: a unit test"
		echo "ok 2 - second lane: another"
	EOF
	chmod +x suite/unit/test_fake
	export RELEASE=$TEST_DIR/release
}

teardown() {
	touch "$RELEASE"   # a first lane left behind by a killed run ends too
	test_dir_teardown
}

# runner: tests/run.sh on the suite, in two lanes, with its scratch files
# under tmp/ and none of the caller's narrowing or wrapping, nor this bats
# run's own variables (BATS_*), which the inner bats would take for its own.
# It replaces the shell it runs in (run it in a subshell: `run`, or `&`,
# whose $! is then run.sh's pid).
runner() {
	local -a unset=(-u RETORT_TEST_FILES -u RETORT_TEST_SHARED -u RETORT_WRAP) v
	for v in $(compgen -e | grep '^BATS_'); do unset+=(-u "$v"); done
	exec env "${unset[@]}" TMPDIR="$TEST_DIR/tmp" \
		RETORT_TEST_JOBS=2 RETORT_TEST_BACKENDS=sqlite RETORT_TEST_PG_URL=postgresql://nobody@127.0.0.1:1/none \
		RETORT_TEST_CLI_DIR="$TEST_DIR/suite/cli" UNIT_DIR="$TEST_DIR/suite/unit" \
		"$BATS_TEST_DIRNAME/../run.sh"
}

@test "two lanes: the second lane's results come once each, after the first's, and the tally ends the run" {
	touch "$RELEASE"
	run runner
	[ "$status" -eq 0 ]
	[ "$(grep -c '^ok .*second lane: a unit test' <<<"$output")" -eq 1 ]
	[ "$(grep -c '^ok .*second lane: a shared scenario' <<<"$output")" -eq 1 ]
	first=$(grep -n 'first lane: waits' <<<"$output" | cut -d: -f1)
	second=$(grep -n 'second lane: a unit test' <<<"$output" | cut -d: -f1)
	[ "$first" -lt "$second" ]
	[ "${lines[-1]}" = "4 passed, 0 failed" ]
	[ -z "$(compgen -G 'tmp/retort-lane.*')" ]
	[ -z "$(compgen -G 'tmp/retort-recap.*')" ]
	[[ $output != *"the failures again"* ]]
}

@test "two lanes: each failure is printed again above the tally, with the end of its output" {
	touch "$RELEASE"
	# shellcheck disable=SC2016
	printf '%s\n' "@""test \"first lane: fails after much output\" {" \
		'for i in $(seq 100); do echo "output line $i"; done' \
		'false' \
		'}' >suite/cli/0002-fails.bats
	printf '%s\n' '#!/bin/sh' 'echo "1..1"' 'echo "not ok 1 - second lane: a unit test that fails"' \
		'echo "# the reason it gives"' >suite/unit/test_fails
	chmod +x suite/unit/test_fails
	run runner
	[ "$status" -ne 0 ]
	[ "${lines[-1]}" = "4 passed, 2 failed" ]
	recap=$(sed -n '/^# the failures again/,$p' <<<"$output")
	[[ $recap == *"# not ok 2 first lane: fails after much output"* ]]
	[[ $recap == *"output line 100"* ]]
	[[ $recap == *"lines, in the log above"* ]]
	[[ $recap != *"output line 50"* ]]
	[[ $recap == *"# not ok 1 - second lane: a unit test that fails"* ]]
	[[ $recap == *"# # the reason it gives"* ]]
	# comments only: each result is counted once by a TAP reader
	[ "$(grep -c '^not ok' <<<"$output")" -eq 2 ]
	[ -z "$(compgen -G 'tmp/retort-recap.*')" ]
}

@test "two lanes: a run killed while the first lane runs still prints the second lane's results" {
	runner >out 2>&1 3>&- &   # not bats' fd 3: the first lane outlives the kill
	pid=$!
	# the second lane is done once it has written its tally
	for _ in $(seq 200); do ls tmp/retort-lane.*/tally >/dev/null 2>&1 && break; sleep 0.1; done
	ls tmp/retort-lane.*/tally >/dev/null
	kill -TERM "$pid"
	wait "$pid" || true
	cat out
	grep -q '^# the second lane, cut short' out
	grep -q '^ok 1 - second lane: a unit test$' out
	grep -q '^ok 2 - second lane: another$' out
	grep -q '^ok 1 second lane: a shared scenario' out
	# printed once, and its scratch directory removed all the same
	[ "$(grep -c 'second lane: a unit test' out)" -eq 1 ]
	[ -z "$(compgen -G 'tmp/retort-lane.*')" ]
}
