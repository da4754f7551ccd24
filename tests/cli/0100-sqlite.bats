#!/usr/bin/env bats
# Covers what only the SQLite driver does when it migrates: the migration
# lock is an flock on the database file, and a lock held by someone else
# times out with exit status 4 (concurrent runners on every backend:
# shared/0110-concurrent-runs.bats).  Upgrades, downgrades, stamps and their errors on every
# backend: shared/0100-upgrade-downgrade.bats.

load helpers
backend sqlite

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
