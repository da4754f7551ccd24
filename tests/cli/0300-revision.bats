#!/usr/bin/env bats
# Covers init, revision (makemigrations: revision --autogenerate) and merge: the files they
# write, Alembic's naming rules, templates, and their refusals.

load helpers

@test "init creates the script directory and a retort.ini, and refuses a non-empty one" {
	run rt init
	[ "$status" -eq 0 ]
	[ -d migrations/versions ]
	[ -f migrations/script.sql.tmpl ]
	grep -q '^script_location = migrations$' retort.ini
	run rt init
	[ "$status" -eq 2 ]
	[[ "$output" == *"directory 'migrations' already exists and is not empty"* ]]
	run rt init other
	[ "$status" -eq 0 ]
	[ -d other/versions ]
}

@test "revision writes a parseable file on top of the head" {
	rt init
	run rt revision -m "Add users table" --rev-id 1a2b3c4d5e6f
	[ "$status" -eq 0 ]
	f=migrations/versions/1a2b3c4d5e6f_add_users_table.sql
	[ -f "$f" ]
	grep -q '^-- Add users table$' "$f"
	grep -q '^-- Revision ID: 1a2b3c4d5e6f$' "$f"
	grep -q '^-- Revises:$' "$f"
	grep -q '^-- Create Date: 20[0-9][0-9]-' "$f"
	grep -q '^-- migrate:upgrade$' "$f"
	grep -q '^-- migrate:downgrade$' "$f"
	run rt revision -m "second"
	[ "$status" -eq 0 ]
	g=$(ls migrations/versions/*_second.sql)
	grep -q '^-- Revises: 1a2b3c4d5e6f$' "$g"
	id=$(sed -n 's/^-- Revision ID: //p' "$g")
	[[ "$id" =~ ^[0-9a-f]{12}$ ]]
	run rt heads
	[ "$output" = "$id (head)" ]
}

@test "init and revision report each file they write, and -q silences them as Alembic's does" {
	run rt init
	[[ "$output" == *"Creating directory migrations/versions ...  done"* ]]
	[[ "$output" == *"Generating retort.ini ...  done"* ]]
	run rt revision -m one --rev-id aaaa00000001
	[ "$output" = "  Generating migrations/versions/aaaa00000001_one.sql ...  done" ]
	run rt -q revision -m two --rev-id aaaa00000002
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -f migrations/versions/aaaa00000002_two.sql ]
	run rt -q init other
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -d other/versions ]
}

@test "file_template, truncate_slug_length and -x reach the new file" {
	rt init
	cat > retort.ini <<'INI'
[retort]
script_location = migrations
file_template = %%(year)d_%%(month).2d_%%(rev)s_%%(slug)s
truncate_slug_length = 10
INI
	printf -- '-- ${message} (owner: ${x.owner})\n--\n-- Revision ID: ${up_revision}\n-- Revises: ${down_revision}\n\n-- migrate:upgrade\n' \
		>migrations/script.sql.tmpl
	run rt -x owner=ops revision -m "a rather long message here" --rev-id abcd12345678
	[ "$status" -eq 0 ]
	f=$(ls migrations/versions/)
	[[ "$f" =~ ^20[0-9]{2}_[01][0-9]_abcd12345678_a_rather_\.sql$ ]]
	grep -q '^-- a rather long message here (owner: ops)$' "migrations/versions/$f"
}

@test "a template placeholder typo is reported with its position" {
	rt init
	printf -- '-- ${mesage}\n' >migrations/script.sql.tmpl
	run rt revision -m x
	[ "$status" -eq 2 ]
	[[ "$output" == *"migrations/script.sql.tmpl:1:4: unknown placeholder '\${mesage}'"* ]]
	[ -z "$(ls migrations/versions)" ]
}

@test "bad revision ids and duplicate ids are refused" {
	rt init
	run rt revision -m x --rev-id "ab-cd"
	[ "$status" -eq 2 ]
	[[ "$output" == *"character '-' not allowed in revision id 'ab-cd'"* ]]
	rt revision -m x --rev-id abcdabcdabcd
	run rt revision -m y --rev-id abcdabcdabcd
	[ "$status" -eq 2 ]
	[[ "$output" == *"revision id 'abcdabcdabcd' is already in use"* ]]
}

@test "several heads: revision needs --head; --splice branches from a non-head" {
	mkrev aaaa00000000 "" "root" "" ""
	mkrev bbbb00000001 aaaa00000000 "left" "" ""
	mkrev bbbb00000002 aaaa00000000 "right" "" ""
	run rt revision -m next
	[ "$status" -eq 2 ]
	[[ "$output" == *"multiple heads are present"*"--head"* ]]
	run rt revision -m next --head bbbb00000001 --rev-id cccc00000001
	[ "$status" -eq 0 ]
	grep -q '^-- Revises: bbbb00000001$' migrations/versions/cccc00000001_next.sql
	run rt revision -m side --head aaaa00000000
	[ "$status" -eq 2 ]
	[[ "$output" == *"not a head revision; pass --splice"* ]]
	run rt revision -m side --head aaaa --splice --branch-label side --rev-id dddd00000001
	[ "$status" -eq 0 ]
	grep -q '^-- Branch Labels: side$' migrations/versions/dddd00000001_side.sql
	run rt revision -m again --head base --branch-label side
	[ "$status" -eq 2 ]
	[[ "$output" == *"branch label 'side' is already used"* ]]
}

@test "merge joins the heads" {
	mkrev aaaa00000000 "" "root" "" ""
	mkrev bbbb00000001 aaaa00000000 "left" "" ""
	mkrev bbbb00000002 aaaa00000000 "right" "" ""
	run rt merge heads -m "join" --rev-id ffff00000001
	[ "$status" -eq 0 ]
	grep -q '^-- Revises: bbbb00000001, bbbb00000002$' migrations/versions/ffff00000001_join.sql
	run rt heads
	[ "$output" = "ffff00000001 (head)" ]
	run rt merge
	[ "$status" -eq 64 ]
}

@test "depends-on expands partial ids and makes an effective head" {
	mkrev aaaa00000000 "" "root" "" ""
	mkrev bbbb00000001 aaaa00000000 "left" "" ""
	mkrev bbbb00000002 aaaa00000000 "right" "" ""
	run rt revision -m dep --head bbbb00000001 --depends-on bbbb0000000 --rev-id eeee00000001
	[ "$status" -eq 2 ]
	[[ "$output" == *"ambiguous"* ]]
	run rt revision -m dep --head bbbb00000001 --depends-on bbbb00000002 --rev-id eeee00000001
	[ "$status" -eq 0 ]
	grep -q '^-- Depends On: bbbb00000002$' migrations/versions/eeee00000001_dep.sql
	run rt heads
	[ "${lines[0]}" = "bbbb00000002 (effective head)" ]
	[ "${lines[1]}" = "eeee00000001 (head)" ]
	run rt heads --resolve-dependencies
	[ "$output" = "eeee00000001 (head)" ]
}

@test "makemigrations autogenerates, as Django's does" {
	rt init
	echo "CREATE TABLE t (id INTEGER PRIMARY KEY);" >migrations/schema.sql
	run rt -q makemigrations -m "first"
	[ "$status" -eq 0 ]
	grep -q "^CREATE TABLE t" migrations/versions/*_first.sql
	rt -q upgrade head
	run rt -q makemigrations -m "nothing"
	[ "$output" = "No changes in schema detected." ]
}

@test "revision --autogenerate with a template that has \${upgrades} and \${downgrades}" {
	rt init
	printf -- '-- ${message}\n-- Revision ID: ${up_revision}\n-- Revises: ${down_revision}\n\n-- migrate:upgrade\n${upgrades}-- end of upgrade\n\n-- migrate:downgrade\n${downgrades}' >migrations/script.sql.tmpl
	echo "CREATE TABLE t (id INTEGER PRIMARY KEY);" >migrations/schema.sql
	run rt -q revision --autogenerate -m x --rev-id tt
	[ "$status" -eq 0 ]
	f=migrations/versions/tt_x.sql
	grep -B1 -- "-- end of upgrade" "$f" | head -1 | grep -q "^CREATE TABLE t"
	[ "$(tail -1 "$f")" = "DROP TABLE t;" ]
	run rt -q upgrade head
	[ "$status" -eq 0 ]
}
