#!/usr/bin/env bats
# Covers interoperability with the real Alembic (Debian's python3-alembic):
# a database migrated by Alembic is read and continued by retort, and the
# other way round, through the same alembic_version table.  Skips loudly
# when Alembic is not installed.

load helpers

setup_alembic() {
	alembic_linear3 "sqlite:///$TEST_DIR/test.db"
}

@test "retort continues a database that Alembic migrated" {
	setup_alembic
	linear3
	alembic upgrade 2b3c4d5e6f7a
	run rt current
	[ "$status" -eq 0 ]
	[ "$output" = "2b3c4d5e6f7a" ]
	run rt upgrade head
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
	[ "$(db_tables)" = "a alembic_version b c" ]
}

@test "Alembic continues a database that retort migrated, and the tables are identical" {
	setup_alembic
	linear3
	rt upgrade 2b3c
	run alembic current
	[[ "$output" == *"2b3c4d5e6f7a"* ]]
	alembic upgrade head
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
	retort_ddl=$(db_sql "SELECT sql FROM sqlite_master WHERE name='alembic_version'")
	rm test.db
	alembic upgrade head
	alembic_ddl=$(db_sql "SELECT sql FROM sqlite_master WHERE name='alembic_version'")
	[ "$retort_ddl" = "$alembic_ddl" ]
	rt downgrade -1
	run alembic current
	[[ "$output" == *"2b3c4d5e6f7a"* ]]
}
