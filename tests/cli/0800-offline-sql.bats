#!/usr/bin/env bats
# Covers offline SQL (`--sql`): Alembic's layout (BEGIN/COMMIT for
# PostgreSQL, none for SQLite), that it never connects, and that an offline
# downgrade needs START:END and drops the version table at base.  That
# applying it reaches the state an online run reaches, on every backend:
# shared/0300-offline-sql.bats.

load helpers

@test "offline upgrade prints Alembic's script and never connects" {
	linear3
	DATABASE_URL='postgresql://bob:secret@127.0.0.1:1/nowhere' run rt upgrade head --sql
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "BEGIN;" ]
	[ "${lines[1]}" = "CREATE TABLE alembic_version (" ]
	[[ "$output" == *"-- Running upgrade  -> 1a2b3c4d5e6f"* ]]
	[[ "$output" == *"INSERT INTO alembic_version (version_num) VALUES ('1a2b3c4d5e6f') RETURNING alembic_version.version_num;"* ]]
	[[ "$output" == *"UPDATE alembic_version SET version_num='3c4d5e6f7a8b' WHERE alembic_version.version_num = '2b3c4d5e6f7a';"* ]]
	[ "$(grep -c '^COMMIT;$' <<<"$output")" -eq 3 ]
	DATABASE_URL='postgresql://bob:secret@127.0.0.1:1/nowhere' run rt --single-transaction upgrade 1a2b:head --sql
	[ "$(grep -c '^BEGIN;$' <<<"$output")" -eq 1 ]
	[[ "$output" != *"CREATE TABLE alembic_version"* ]]
}

@test "offline SQLite scripts have no BEGIN/COMMIT, as Alembic's" {
	linear3
	run rt upgrade head --sql
	[ "$status" -eq 0 ]
	[[ "$output" != *"BEGIN;"* ]]
	[[ "$output" == *"INSERT INTO alembic_version (version_num) VALUES ('1a2b3c4d5e6f');"* ]]
	[ ! -e test.db ]
}

@test "offline downgrade needs START:END and drops the table at base" {
	linear3
	run rt downgrade -1 --sql
	[ "$status" -eq 64 ]
	[[ "$output" == *"needs START:END"* ]]
	run rt downgrade 3c4d:base --sql
	[ "$status" -eq 0 ]
	[[ "$output" == *"-- Running downgrade 1a2b3c4d5e6f -> "* ]]
	[[ "$output" == *"DROP TABLE alembic_version;"* ]]
}
