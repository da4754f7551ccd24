#!/usr/bin/env bats
# Covers malformed migration directories: each is rejected with file:line
# (and column where it helps), exit 2, and nothing runs against the
# database.

load helpers

# refuse: run upgrade head and expect exit 2, the message, and an untouched database
refuse() {
	run rt upgrade head
	[ "$status" -eq 2 ] || { echo "status $status: $output"; return 1; }
	[[ "$output" == *"$1"* ]] || { echo "output: $output"; return 1; }
	[ "$(db_tables)" = "" ] || { echo "tables: $(db_tables)"; return 1; }
}

write() { # write FILE, content on stdin
	mkdir -p migrations/versions
	cat >"migrations/versions/$1"
}

@test "a missing Revision ID" {
	linear3
	printf -- '-- oops\n\n-- migrate:upgrade\nCREATE TABLE z (x int);\n' | write 9_oops.sql
	refuse "migrations/versions/9_oops.sql:1:1: missing '-- Revision ID: <id>' header line"
}

@test "two files with one id" {
	linear3
	cp migrations/versions/2b3c4d5e6f7a_create_b.sql migrations/versions/9_copy.sql
	refuse "migrations/versions/9_copy.sql:3:1: revision id '2b3c4d5e6f7a' is already used by 'migrations/versions/2b3c4d5e6f7a_create_b.sql'"
}

@test "an unknown down revision" {
	linear3
	mkrev 4d5e6f7a8b9c ffffffffffff "orphan" "SELECT 1;" ""
	refuse "migrations/versions/4d5e6f7a8b9c_orphan.sql:4:1: revision 4d5e6f7a8b9c revises 'ffffffffffff', which no migration file defines"
}

@test "a cycle" {
	mkrev aaaa00000001 aaaa00000002 "one" "SELECT 1;" ""
	mkrev aaaa00000002 aaaa00000001 "two" "SELECT 1;" ""
	refuse "cycle detected in revisions (aaaa00000001, aaaa00000002)"
}

@test "two upgrade sections" {
	linear3
	printf -- '-- Revision ID: 4d5e6f7a8b9c\n-- Revises: 3c4d5e6f7a8b\n\n-- migrate:upgrade\nSELECT 1;\n-- migrate:upgrade\n' | write 4d_two.sql
	refuse "migrations/versions/4d_two.sql:6:1: second '-- migrate:upgrade' section; the first is at line 4"
}

@test "text before the header" {
	linear3
	printf -- 'CREATE TABLE z (x int);\n-- Revision ID: 4d5e6f7a8b9c\n-- Revises: 3c4d5e6f7a8b\n-- migrate:upgrade\n' | write 4d_text.sql
	refuse "migrations/versions/4d_text.sql:1:1: text before the '-- migrate:upgrade' section"
}

@test "a revision id with a forbidden character, at its column" {
	printf -- '-- Revision ID: ab+cd\n-- Revises:\n-- migrate:upgrade\n' | write 1_plus.sql
	refuse "migrations/versions/1_plus.sql:1:17: character '+' not allowed in revision id 'ab+cd'"
}

@test "a duplicate branch label" {
	mkrev aaaa00000001 "" "one" "SELECT 1;" "" "-- Branch Labels: core"
	mkrev aaaa00000002 aaaa00000001 "two" "SELECT 1;" "" "-- Branch Labels: core"
	refuse "branch label 'core' in revision aaaa00000002 is already used by revision aaaa00000001"
}

@test "a missing script directory says how to make one" {
	run rt history
	[ "$status" -eq 2 ]
	[[ "$output" == *"script directory 'migrations' does not exist; run 'retort init migrations'"* ]]
}
