#!/usr/bin/env bats
# Covers concurrent runners on every backend: eight `upgrade head` runs
# started at once against one database take turns on the migration lock
# (SQLite: flock on the file; PostgreSQL: an advisory lock; MySQL:
# GET_LOCK), apply every migration exactly once, and all exit 0; and a
# lock held by someone else (db_hold_lock) makes retort wait, naming the
# holder as its database knows it, then time out with exit status 4,
# running nothing.  A lock holder that looks orphaned: 1000-postgresql.bats;
# the lease lock behind a pooler: 1800-pgbouncer.bats.

load ../helpers
shared_scenarios

@test "eight concurrent upgrades apply every migration exactly once, and all exit 0" {
	for i in $(seq 1 20); do
		prev=""
		if [ "$i" -gt 1 ]; then prev=$(printf 'c%011d' $((i - 1))); fi
		mkrev "$(printf 'c%011d' "$i")" "$prev" "step $i" \
			"CREATE TABLE t$i (x INTEGER); INSERT INTO log VALUES ($i);" "DROP TABLE t$i;"
	done
	sed -i 's/^CREATE TABLE t1 (x INTEGER);/CREATE TABLE log (n INTEGER); CREATE TABLE t1 (x INTEGER);/' \
		migrations/versions/c00000000001_step_1.sql
	pids=()
	for p in 1 2 3 4 5 6 7 8; do
		rt -q --lock-timeout 120 upgrade head 2>"err$p" &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || { cat err*; return 1; }
	done
	[ "$(db_sql 'SELECT count(*), count(DISTINCT n) FROM log')" = "20|20" ]
	[ "$(db_versions)" = "c00000000020" ]
}

@test "a held lock times out with exit 4 and names the holder" {
	linear3
	rt -q upgrade 1a2b3c4d5e6f
	db_hold_lock
	SECONDS=0
	run rt --lock-timeout 1 upgrade head
	took=$SECONDS
	db_release_lock
	[ "$status" -eq 4 ]
	# the wait is retort's, bounded by --lock-timeout (not the holder's 60 s)
	[ -n "$RETORT_WRAP" ] || [ "$took" -lt 5 ]
	on=$(by_backend sqlite="'$TEST_DIR/test.db'" postgresql='"alembic_version"' mysql='`alembic_version`')
	[[ "$output" == *"waiting for the migration lock on $on ($LOCK_HOLDER)"* ]]
	[[ "$output" == *"timed out after 1 s waiting for the migration lock on $on ($LOCK_HOLDER); another retort is migrating this database"* ]]
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
	[[ " $(db_tables) " != *" b "* ]]
}
