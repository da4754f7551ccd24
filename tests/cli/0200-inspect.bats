#!/usr/bin/env bats
# Covers the read-only commands and their output formats (Alembic's for
# current, history, heads, branches, show): current, history, heads,
# branches, show, check, showmigrations, status.

load helpers

@test "current on an empty database prints nothing and creates nothing" {
	linear3
	run rt current
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ ! -e test.db ]
}

@test "current shows the head in Alembic's format" {
	linear3
	rt upgrade 2b3c
	run rt current
	[ "$output" = "2b3c4d5e6f7a" ]
	rt upgrade head
	run rt current
	[ "$output" = "3c4d5e6f7a8b (head)" ]
	run rt current -v
	[ "${lines[0]}" = "Current revision(s) for sqlite:///$TEST_DIR/test.db:" ]
	[ "${lines[1]}" = "Rev: 3c4d5e6f7a8b (head)" ]
	[ "${lines[2]}" = "Parent: 2b3c4d5e6f7a" ]
	# an absolute path, as Alembic prints it
	[[ "$output" == *"Path: $(pwd -P)/migrations/versions/3c4d5e6f7a8b_create_c.sql"* ]]
	[[ "$output" == *"    create c"* ]]
}

@test "history lists newest first, with ranges and the current marker" {
	linear3
	run rt history
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "2b3c4d5e6f7a -> 3c4d5e6f7a8b (head), create c" ]
	[ "${lines[1]}" = "1a2b3c4d5e6f -> 2b3c4d5e6f7a, create b" ]
	[ "${lines[2]}" = "<base> -> 1a2b3c4d5e6f, create a" ]
	run rt history -r 2b3c:
	[ "${#lines[@]}" -eq 2 ]
	run rt history -r :2b3c
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "1a2b3c4d5e6f -> 2b3c4d5e6f7a, create b" ]
	rt upgrade 2b3c
	run rt history -i
	[ "${lines[1]}" = "1a2b3c4d5e6f -> 2b3c4d5e6f7a (current), create b" ]
	run rt history -r current:
	[ "${#lines[@]}" -eq 2 ]
	run rt history -r 2b3c
	[ "$status" -eq 64 ]
	[[ "$output" == *"needs a colon"* ]]
}

@test "heads and branches mark branch points, labels and merge points" {
	mkrev aaaa00000000 "" "root" "" ""
	mkrev bbbb00000001 aaaa00000000 "left" "" "" "-- Branch Labels: lefty"
	mkrev bbbb00000002 aaaa00000000 "right" "" ""
	run rt heads
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "bbbb00000001 (lefty) (head)" ]
	[ "${lines[1]}" = "bbbb00000002 (head)" ]
	run rt branches
	[ "${lines[0]}" = "aaaa00000000 (branchpoint)" ]
	[ "${lines[1]}" = "             -> bbbb00000001 (lefty) (head)" ]
	[ "${lines[2]}" = "             -> bbbb00000002 (head)" ]
	run rt history
	[[ "$output" == *"<base> -> aaaa00000000 (branchpoint), root"* ]]
	mkrev cccc00000003 "bbbb00000001, bbbb00000002" "merge" "" ""
	run rt history
	[ "${lines[0]}" = "bbbb00000001, bbbb00000002 -> cccc00000003 (lefty) (head) (mergepoint), merge" ]
	run rt show cccc
	[ "${lines[0]}" = "Rev: cccc00000003 (head) (mergepoint)" ]
	[ "${lines[1]}" = "Merges: bbbb00000001, bbbb00000002" ]
	[ "${lines[2]}" = "Branch names: lefty" ]
}

@test "show resolves prefixes, labels and current" {
	linear3
	run rt show 2b3c
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Rev: 2b3c4d5e6f7a" ]
	[ "${lines[1]}" = "Parent: 1a2b3c4d5e6f" ]
	run rt show zzzz
	[ "$status" -eq 2 ]
	[[ "$output" == *"can't locate revision identified by 'zzzz'"* ]]
	rt upgrade head
	run rt show current
	[ "${lines[0]}" = "Rev: 3c4d5e6f7a8b (head)" ]
}

@test "check exits 1 while migrations are pending and 0 at head" {
	linear3
	rt upgrade 1a2b
	run rt check
	[ "$status" -eq 1 ]
	[[ "$output" == *"not up to date"*"2 migrations pending"* ]]
	[[ "$output" == *"3c4d5e6f7a8b, create c"* ]]
	rt upgrade head
	run rt check
	[ "$status" -eq 0 ]
	[[ "$output" == *"up to date at 3c4d5e6f7a8b"* ]]
}

@test "showmigrations and status show applied and pending revisions" {
	linear3
	rt upgrade 1a2b
	run rt showmigrations
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "[X] 1a2b3c4d5e6f create a" ]
	[ "${lines[1]}" = "[ ] 2b3c4d5e6f7a create b" ]
	[ "${lines[2]}" = "[ ] 3c4d5e6f7a8b create c" ]
	run rt status
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "database: sqlite:///$TEST_DIR/test.db" ]
	[ "${lines[1]}" = "current:  1a2b3c4d5e6f, create a" ]
	[ "${lines[2]}" = "pending:  2 migrations" ]
}

@test "a database row naming a missing revision is an error" {
	linear3
	rt upgrade head
	db_sql "UPDATE alembic_version SET version_num = 'feedfacecafe'"
	run rt current
	[ "$status" -eq 2 ]
	[[ "$output" == *"the database is at revision 'feedfacecafe', which no migration file defines"* ]]
}

@test "a file that is not a SQLite database is an error, and left as it was" {
	linear3
	printf 'not a database, only text: %0200d\n' 0 >test.db
	cp test.db before.db
	for cmd in current "upgrade head" check; do
		run rt $cmd
		[ "$status" -eq 2 ]
		[ "$output" = "retort: error: sqlite: reading the schema: file is not a database" ]
	done
	cmp test.db before.db
}
