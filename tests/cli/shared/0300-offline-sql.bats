#!/usr/bin/env bats
# Covers offline SQL (`--sql`) on every backend (tests/run.sh runs this
# file once per backend): the script of an upgrade, applied by the
# database's own client to an empty database, reaches exactly the tables,
# columns and version rows an online upgrade reaches; so do the scripts of
# a downgrade to a revision and to base, which leaves nothing behind.
# Alembic's layout of the script: 0800-offline-sql.bats.

load ../helpers
shared_scenarios

@test "the offline script reaches the online state, up, down and down to base" {
	linear3
	db_other offline >/dev/null
	rt upgrade head --sql >up.sql
	db_load up.sql offline
	rt upgrade head
	[ "$(db_shape offline)" = "$(db_shape)" ]
	[ -n "$(db_shape)" ]
	[ "$(db_sql 'SELECT * FROM alembic_version' offline)" = "$(db_versions)" ]
	rt downgrade 3c4d:1a2b --sql >down.sql
	db_load down.sql offline
	rt downgrade 1a2b
	[ "$(db_shape offline)" = "$(db_shape)" ]
	[ "$(db_sql 'SELECT * FROM alembic_version' offline)" = "1a2b3c4d5e6f" ]
	rt downgrade 1a2b:base --sql >base.sql
	db_load base.sql offline
	[ "$(db_tables offline)" = "" ]
}
