#!/usr/bin/env bats
# Covers what only the SQLite driver does when it migrates: the migration
# lock is an flock on the database file, so concurrent runners apply every
# migration exactly once, and a lock held by someone else times out with
# exit status 4.  Upgrades, downgrades, stamps and their errors on every
# backend: shared/0100-upgrade-downgrade.bats.

load helpers
backend sqlite

@test "two concurrent upgrades apply every migration exactly once" {
	for i in $(seq 1 30); do
		prev=""
		if [ $i -gt 1 ]; then prev=$(printf 'rev%09d' $((i - 1))); fi
		mkrev "$(printf 'rev%09d' $i)" "$prev" "step $i" \
			"CREATE TABLE t$i (x INTEGER); INSERT INTO log VALUES ($i);" "DROP TABLE t$i;"
	done
	sed -i 's/^CREATE TABLE t1 (x INTEGER);/CREATE TABLE log (n INTEGER); CREATE TABLE t1 (x INTEGER);/' \
		migrations/versions/rev000000001_step_1.sql
	rt -q upgrade head 2>err1 & p1=$!
	rt -q upgrade head 2>err2 & p2=$!
	wait $p1; s1=$?
	wait $p2; s2=$?
	cat err1 err2
	[ $s1 -eq 0 ] && [ $s2 -eq 0 ]
	[ "$(db_sql 'SELECT count(*), count(DISTINCT n) FROM log')" = "30|30" ]
	[ "$(db_versions)" = "rev000000030" ]
}

@test "a held lock times out with exit status 4" {
	linear3
	rt upgrade 1a2b
	# hold the same lock retort takes (flock on the database file) in one
	# process that is killed afterwards; its output is not bats', so bats
	# does not wait for it.  Go on once it really holds the lock, however
	# slow the machine (valgrind).
	( exec 9>>"$TEST_DIR/test.db" && flock 9 && exec sleep 300 ) >/dev/null 2>&1 3>&- & holder=$!
	for _ in $(seq 1 200); do
		flock -n "$TEST_DIR/test.db" true 2>/dev/null || break
		sleep 0.05
	done
	run rt --lock-timeout 0.5 upgrade head
	kill $holder 2>/dev/null || true
	[ "$status" -eq 4 ]
	[[ "$output" == *"waiting for the migration lock"* ]]
	[[ "$output" == *"timed out after 0.5 s"* ]]
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
}
