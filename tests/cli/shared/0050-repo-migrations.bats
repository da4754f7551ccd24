#!/usr/bin/env bats
# Covers the repository's own migrations/ (what `make demo` applies and the
# compose journeys run) on every backend (tests/run.sh runs this file once
# per backend): they apply, revert to base and apply again cleanly, with
# their foreign keys in place, and `check` finds the database matching
# migrations/schema.sql; and the daily Make targets (migrate,
# makemigrations, migrate-check, migrate-rollback) run on a copy of it.

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

# The daily loop through the repository's own Make targets, on a copy of
# the repository, with the host's binary (RETORT_LOCAL=1: scripts/migrate.sh
# --local, no container): makemigrations autogenerates from
# migrations/schema.sql, and finds nothing while the database matches it.
@test "make makemigrations: a schema.sql change becomes a revision that migrate applies" {
	root=$BATS_TEST_DIRNAME/../../..
	mkdir repo
	cp -r "$root/Makefile" "$root/scripts" "$root/migrations" repo/
	cd repo
	export RETORT_LOCAL=1 RETORT_BIN
	mk() { make --no-print-directory "$@"; }
	run mk makemigrations
	[ "$status" -ne 0 ] # make's own 2, for the recipe's 64
	[[ "$output" == *'usage: make makemigrations msg="what changes"'* ]]
	mk migrate
	run mk makemigrations msg=nothing
	[ "$status" -eq 0 ]
	[[ "$output" == *"No changes in schema detected."* ]]
	[ "$(ls migrations/versions | wc -l)" -eq 4 ]
	# a column and a table more in the schema
	sed -i 's/^    phone      VARCHAR(32)$/    phone      VARCHAR(32),\n    vip        BOOLEAN/' migrations/schema.sql
	printf '\nCREATE TABLE coupons (\n    code    VARCHAR(16) PRIMARY KEY,\n    percent INTEGER NOT NULL\n);\n' >>migrations/schema.sql
	run mk makemigrations msg="add vip and coupons"
	[ "$status" -eq 0 ]
	f=$(ls migrations/versions/*_add_vip_and_coupons.sql)
	grep -q "^-- Revises: 9e4a3f5d6b43$" "$f"
	grep -Eiq '^ALTER TABLE `?customers`? ADD (COLUMN )?`?vip`? +(BOOLEAN|tinyint)' "$f"
	grep -Eiq '^CREATE TABLE `?coupons`?' "$f"
	grep -Eiq '^DROP TABLE `?coupons`?;' "$f"
	run mk migrate-check
	[ "$status" -ne 0 ]
	[[ "$output" == *"1 migration pending"* ]]
	mk migrate
	run mk migrate-check
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"matches the schema in migrations/schema.sql"* ]]
	[[ " $(db_tables) " == *" coupons "* ]]
	mk migrate-rollback
	[[ " $(db_tables) " != *" coupons "* ]]
}
