#!/usr/bin/env bats
# Covers checksums of applied migrations, the same on every backend: each
# run, in either direction, writes a row in retort_history (beside
# alembic_version, never in it) with the revision, the direction, the
# SHA-256 of the section's normalized text, when, how long, retort's
# version and who; in the transaction of its version row, so a failing
# migration leaves none.  check (exit 1), status and current -v name every
# applied migration whose file changed since it ran, but not one that only
# changed its line ends (CRLF), gained a byte order mark or trailing blank
# lines; history --runs shows when each ran (-v alone stays Alembic's, byte
# for byte); stamp writes 'stamp' rows, and stamp --accept-checksums records
# a reviewed change.  A database migrated before retort recorded checksums,
# or by Alembic, has "no record" and never fails check; Alembic upgrades a
# database that retort migrated, its history table beside.  --sql prints
# the same history rows.

load ../helpers
shared_scenarios

# The file of revision ID.
revfile() {
	ls migrations/versions/"$1"_*.sql
}

# The SHA-256 of a section whose normalized text is $1 (a final LF added).
sha() {
	printf '%s\n' "$1" | sha256sum | cut -d' ' -f1
}

@test "each run writes its history row: revision, direction, checksum, when, how long, version, who" {
	linear3
	rt upgrade head
	rt downgrade -1
	[ "$(db_sql 'SELECT revision, direction, operation FROM retort_history ORDER BY id')" = "1a2b3c4d5e6f|upgrade|run
2b3c4d5e6f7a|upgrade|run
3c4d5e6f7a8b|upgrade|run
3c4d5e6f7a8b|downgrade|run" ]
	# the checksum is SHA-256 of the section's text, normalized (computed here independently)
	[ "$(db_sql "SELECT checksum FROM retort_history WHERE revision = '1a2b3c4d5e6f'")" = \
		"$(sha 'CREATE TABLE a (id INTEGER PRIMARY KEY);')" ]
	[ "$(db_sql "SELECT checksum FROM retort_history WHERE direction = 'downgrade'")" = \
		"$(sha 'DROP TABLE c;')" ]
	run db_sql "SELECT applied_at, duration_ms, retort_version, applied_by FROM retort_history ORDER BY id"
	[ "${#lines[@]}" -eq 4 ]
	for l in "${lines[@]}"; do
		IFS='|' read -r at ms version who <<<"$l"
		[[ "$at" =~ ^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z$ ]]
		[[ "$ms" =~ ^[0-9]+$ ]]
		[ "$version" = "$(rt --version | head -1 | cut -d' ' -f2)" ]
		[ -n "$who" ]
	done
	# who: the database user where there is one
	[[ "$(db_sql 'SELECT applied_by FROM retort_history WHERE id = 1')" == \
		$(by_backend sqlite="*@*" postgresql="postgres (retort)" mysql="root@*") ]]
	# Alembic's table is untouched: still exactly its one column
	[ "$(db_sql "SELECT version_num FROM alembic_version")" = "2b3c4d5e6f7a" ]
}

@test "check reports only a real edit: CRLF line ends, a byte order mark, trailing blank lines are not edits" {
	linear3
	rt upgrade head
	f1=$(revfile 1a2b3c4d5e6f) f2=$(revfile 2b3c4d5e6f7a) f3=$(revfile 3c4d5e6f7a8b)
	sed -i 's/$/\r/' "$f1"
	{ printf '\xef\xbb\xbf'; cat "$f2"; } >bom && mv bom "$f2"
	sed -i 's/^CREATE TABLE c (id INTEGER PRIMARY KEY);$/&\n\n   \n\t\n/' "$f3"
	run rt check
	[ "$status" -eq 0 ]
	[ "$output" = "the database is up to date at 3c4d5e6f7a8b" ]
	# a real edit, in the BOM file: only it is reported, with its file
	sed -i 's/CREATE TABLE b (id INTEGER PRIMARY KEY);/CREATE TABLE b (id INTEGER PRIMARY KEY, x INTEGER);/' "$f2"
	run rt check
	[ "$status" -eq 1 ]
	[[ "$output" == *"1 applied migration changed since it ran:"* ]]
	[[ "$output" == *"  2b3c4d5e6f7a  $f2  (applied 20"* ]]
	[[ "$output" == *"retort stamp --accept-checksums REV..."* ]]
	[[ "$output" != *1a2b3c4d5e6f* && "$output" != *3c4d5e6f7a8b\ \ * ]]
	run rt check --json
	[ "$status" -eq 1 ]
	[[ "$output" == *'"ok":false'* ]]
	[[ "$output" == *'"edited":[{"revision":"2b3c4d5e6f7a","file":"'"$f2"'"'* ]]
	# a comment added in the upgrade section is an edit too; the header, the
	# downgrade section and a pending revision are not what was applied
	sed -i 's/^CREATE TABLE c (id INTEGER PRIMARY KEY);$/& -- c/' "$f3"
	sed -i -e 's/^-- create a\r$/-- create the a table\r/' -e 's/^DROP TABLE a;/DROP TABLE IF EXISTS a;/' "$f1"
	mkrev 4d5e6f7a8b9c 3c4d5e6f7a8b "create d" "CREATE TABLE d (id INTEGER PRIMARY KEY);" "DROP TABLE d;"
	run rt check
	[ "$status" -eq 1 ]
	[[ "$output" == *"is not up to date"* ]]
	[[ "$output" == *"2 applied migrations changed since they ran:"* ]]
	[[ "$output" == *"  3c4d5e6f7a8b  $f3  (applied "* ]]
	[[ "$output" != *"$f1"* && "$output" != *"4d5e6f7a8b9c  "* ]]
}

@test "status and current -v name the edited migration; history --runs shows when each ran" {
	linear3
	rt upgrade head
	sed -i 's/CREATE TABLE a (id INTEGER PRIMARY KEY);/CREATE TABLE a (id INTEGER PRIMARY KEY, y INTEGER);/' \
		"$(revfile 1a2b3c4d5e6f)"
	run rt status
	[ "$status" -eq 0 ]
	[[ "$output" == *"checksums: 2 match, 1 edited since applied, 0 with no record"* ]]
	[[ "$output" == *"  1a2b3c4d5e6f  $(revfile 1a2b3c4d5e6f)  (applied "* ]]
	run rt current -v
	[ "$status" -eq 0 ]
	[[ "$output" == *"1 applied migration changed since it ran:
  1a2b3c4d5e6f  $(revfile 1a2b3c4d5e6f)  (applied "* ]]
	rt downgrade base
	rt upgrade 1a2b
	run rt history --runs
	[ "$status" -eq 0 ]
	[ "$(grep -c '^Ran: upgrade at 20.* by .*, [0-9]* ms, retort ' <<<"$output")" -eq 4 ]
	[ "$(rt history -v)" = "$(grep -v '^Ran: ' <<<"$output")" ]
	[ "$(grep -c '^Ran: downgrade at ' <<<"$output")" -eq 3 ]
	# a downgrade and a new upgrade record anew: the edit is the applied text now
	run rt check
	[ "$status" -eq 1 ]
	[[ "$output" == *"is not up to date"* && "$output" != *"changed since"* ]]
}

@test "stamp writes rows marked as stamped, with the checksum the database is declared to match" {
	linear3
	rt stamp head
	[ "$(db_sql 'SELECT revision, direction, operation FROM retort_history ORDER BY id')" = "1a2b3c4d5e6f|upgrade|stamp
2b3c4d5e6f7a|upgrade|stamp
3c4d5e6f7a8b|upgrade|stamp" ]
	[ -z "$(db_sql "SELECT duration_ms FROM retort_history WHERE duration_ms IS NOT NULL")" ]
	run rt check
	[ "$status" -eq 0 ]
	rt stamp 1a2b
	[ "$(db_sql "SELECT revision FROM retort_history WHERE direction = 'downgrade' AND operation = 'stamp' ORDER BY id" | tr '\n' ' ')" = "2b3c4d5e6f7a 3c4d5e6f7a8b " ]
	run rt history --runs
	[[ "$output" == *"Stamped: downgrade at "* ]]
}

@test "stamp --accept-checksums records a reviewed change; only of applied revisions" {
	linear3
	rt upgrade 2b3c
	f=$(revfile 1a2b3c4d5e6f)
	sed -i 's/CREATE TABLE a (id INTEGER PRIMARY KEY);/CREATE TABLE a (id INTEGER PRIMARY KEY); -- reviewed/' "$f"
	run rt check
	[ "$status" -eq 1 ]
	run rt stamp --accept-checksums 1a2b
	[ "$status" -eq 0 ]
	[[ "$output" == *"Accepted the checksum of 1a2b3c4d5e6f ($f)"* ]]
	[ "$(db_versions)" = "2b3c4d5e6f7a" ]
	[ "$(db_sql "SELECT operation, checksum FROM retort_history ORDER BY id DESC LIMIT 1")" = \
		"accept|$(sha 'CREATE TABLE a (id INTEGER PRIMARY KEY); -- reviewed')" ]
	run rt check
	[ "$status" -eq 1 ]
	[[ "$output" == *"is not up to date"* && "$output" != *"changed since"* ]]
	run rt history --runs
	[[ "$output" == *"Accepted: checksum at "* ]]
	# a revision that is not applied has nothing to accept; nothing is written
	n=$(db_sql 'SELECT count(*) FROM retort_history')
	run rt stamp --accept-checksums 3c4d
	[ "$status" -eq 2 ]
	[[ "$output" == *"revision '3c4d' is not applied to this database"* ]]
	run rt stamp --accept-checksums 1a2b 3c4d
	[ "$status" -eq 2 ]
	[ "$(db_sql 'SELECT count(*) FROM retort_history')" = "$n" ]
	run rt stamp --accept-checksums 1a2b --sql
	[ "$status" -eq 64 ]
}

@test "a failing migration leaves no history row" {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "broken" "INSERT INTO a VALUES (1);
INSERT INTO nowhere VALUES (1);" "-"
	run rt upgrade head
	[ "$status" -ne 0 ]
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
	[ "$(db_sql 'SELECT revision FROM retort_history')" = "1a2b3c4d5e6f" ]
	# and a failing first migration on a new database leaves no table either
	# (MySQL creates its tables first, DDL commits there, and a section with DDL
	# runs statement by statement: what ran stays, but no history row is written)
	fresh=$(db_other fresh)
	rm -rf migrations
	mkrev 1a2b3c4d5e6f "" "broken" "CREATE TABLE a (id INTEGER PRIMARY KEY);
INSERT INTO nowhere VALUES (1);" "-"
	run rt -u "$fresh" upgrade head
	[ "$status" -ne 0 ]
	[ "$(db_tables fresh)" = "$(by_backend sqlite='' postgresql='' mysql='a alembic_version retort_progress')" ]
	run db_sql 'SELECT count(*) FROM retort_history' fresh
	if [ "$TEST_BACKEND" = mysql ]; then [ "$output" = 0 ]; else [ "$status" -ne 0 ]; fi
}

@test "a database migrated before retort recorded checksums says no record, and check passes" {
	linear3
	rt upgrade head
	db_sql 'DROP TABLE retort_history'
	run rt check
	[ "$status" -eq 0 ]
	[[ "$output" == *"no record of the checksum of 3 applied revisions (applied before retort recorded checksums, or by Alembic): not compared"* ]]
	run rt status
	[[ "$output" == *"checksums: 0 match, 0 edited since applied, 3 with no record"* ]]
	run rt history --runs
	[ "$(grep -c '^Ran: no record$' <<<"$output")" -eq 3 ]
	# the next run creates the table again and records itself
	mkrev 4d5e6f7a8b9c 3c4d5e6f7a8b "create d" "CREATE TABLE d (id INTEGER PRIMARY KEY);" "DROP TABLE d;"
	rt upgrade head
	run rt status
	[[ "$output" == *"checksums: 1 match, 0 edited since applied, 3 with no record"* ]]
}

@test "--sql prints the history rows an online run writes" {
	linear3
	rt -q upgrade head --sql >offline.sql
	[ "$(grep -c '^INSERT INTO retort_history ' offline.sql)" -eq 3 ]
	[ "$(grep -c '^CREATE TABLE IF NOT EXISTS retort_history ' offline.sql)" -eq 1 ]
	db_load offline.sql
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
	[ "$(db_sql "SELECT revision, direction, operation, checksum FROM retort_history ORDER BY id" | head -1)" = \
		"1a2b3c4d5e6f|upgrade|run|$(sha 'CREATE TABLE a (id INTEGER PRIMARY KEY);')" ]
	# offline there is no duration to record
	[ "$(db_sql 'SELECT count(*) FROM retort_history WHERE duration_ms IS NULL')" = "3" ]
	run rt check
	[ "$status" -eq 0 ]
	rt -q downgrade head:base --sql >down.sql
	db_load down.sql
	[ "$(db_sql "SELECT count(*) FROM retort_history WHERE direction = 'downgrade'")" = "3" ]
}

# Alembic (Debian's python3-alembic) on this backend's database: the same
# three revisions as Python scripts.  MySQL through PyMySQL
# (python3-pymysql), SQLAlchemy's mysql+pymysql://.
setup_alembic() {
	local url=$DATABASE_URL
	if [ "$TEST_BACKEND" = mysql ]; then
		/usr/bin/python3 -c 'import pymysql' 2>/dev/null ||
			skip "no MySQL driver for Python here to run Alembic (apt-get install python3-pymysql)"
		url=mysql+pymysql://${url#mysql://}
	fi
	alembic_linear3 "$url"
}

@test "Alembic upgrades and downgrades a database retort migrated, beside retort_history" {
	setup_alembic
	linear3
	rt upgrade 2b3c
	alembic upgrade head
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
	# what Alembic ran has no record; what retort ran still matches
	run rt check
	[ "$status" -eq 0 ]
	[[ "$output" == *"no record of the checksum of 1 applied revision "* ]]
	run rt status
	[[ "$output" == *"checksums: 2 match, 0 edited since applied, 1 with no record"* ]]
	alembic downgrade base
	[ "$(db_versions)" = "" ]
	rt upgrade head
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
}

@test "a database Alembic migrated says no record and check passes" {
	setup_alembic
	linear3
	alembic upgrade head
	run rt check
	[ "$status" -eq 0 ]
	[[ "$output" == *"no record of the checksum of 3 applied revisions"* ]]
	[ "$(db_tables)" = "a alembic_version b c" ]
	run rt history --runs
	[ "$(grep -c '^Ran: no record$' <<<"$output")" -eq 3 ]
}
