#!/usr/bin/env bats
# Covers concurrent runners on every backend: eight `upgrade head` runs
# started at once against one database take turns on the migration lock
# (SQLite: flock on the file; PostgreSQL: an advisory lock; MySQL:
# GET_LOCK), apply every migration exactly once, and all exit 0.
# A lock held by someone else: 0100-sqlite.bats, 1000-postgresql.bats,
# 1700-mysql.bats.

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
