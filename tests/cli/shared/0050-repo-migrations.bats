#!/usr/bin/env bats
# Covers the repository's own migrations/ (what `make demo` applies and the
# compose journeys run) on every backend (tests/run.sh runs this file once
# per backend): they apply, revert to base and apply again cleanly, with
# their foreign keys in place, and `check` finds the database matching
# migrations/schema.sql.

load ../helpers
shared_scenarios

@test "the repository's migrations round-trip" {
	cp -r "$BATS_TEST_DIRNAME/../../../migrations" .
	run rt upgrade head
	[ "$status" -eq 0 ]
	run rt check
	echo "$output"
	[ "$status" -eq 0 ]
	run rt downgrade base
	[ "$status" -eq 0 ]
	# MySQL's DDL sections keep their progress beside the version table
	[ "$(db_tables)" = "$(by_backend sqlite=alembic_version postgresql=alembic_version \
		mysql='alembic_version retort_progress')" ]
	run rt upgrade head
	[ "$status" -eq 0 ]
	[ "$(db_tables)" = "alembic_version customers order_lines orders products$(by_backend sqlite= \
		postgresql= mysql=' retort_progress')" ]
	# the foreign keys hold on every backend (SQLite enforces them per connection)
	case $TEST_BACKEND in
	sqlite) run db_sql "PRAGMA foreign_keys = ON; INSERT INTO orders (id, customer_id) VALUES (1, 42)" ;;
	*) run db_sql "INSERT INTO orders (id, customer_id) VALUES (1, 42)" ;;
	esac
	[ "$status" -ne 0 ]
	[[ $output == *[Ff][Oo][Rr][Ee][Ii][Gg][Nn]* ]]
}
