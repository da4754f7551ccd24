#!/usr/bin/env bats
# Covers upgrade/migrate, downgrade, rollback and stamp, the same on every
# backend (tests/run.sh runs this file once per backend): the steps run and
# what they print; the version rows (Alembic's table, one row per head,
# under any table name, online and offline); that a failing migration
# leaves neither its DDL nor a version change behind and is reported at its
# file:line:col with the database's own message; transaction:false
# sections, and resuming one that stopped part-way (unless a statement that
# ran was edited); --single-transaction; and what is refused before
# anything runs.
# MySQL commits implicitly around DDL: there a failing section's DDL stays,
# the error says what ran, and --single-transaction refuses DDL (by_backend
# says what each database does).
# Locking: 0110-concurrent-runs.bats; backend-only behaviour:
# 1000-postgresql.bats, 1700-mysql.bats.

load ../helpers
shared_scenarios

@test "upgrade head applies every migration, records the head, and current shows it" {
	linear3
	run rt upgrade head
	[ "$status" -eq 0 ]
	[[ "$output" == *"upgrade <base> -> 1a2b3c4d5e6f, create a ("*" ms)"* ]]
	[[ "$output" == *"upgrade 2b3c4d5e6f7a -> 3c4d5e6f7a8b, create c"* ]]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
	[ "$(db_tables)" = "a alembic_version b c" ]
	run rt current
	[ "$output" = "3c4d5e6f7a8b (head)" ]
}

@test "the version table is exactly Alembic's" {
	linear3
	rt upgrade head
	[ "$(db_column alembic_version version_num)" = "varchar(32) not null" ]
	# MySQL names every primary key PRIMARY, whatever CREATE TABLE says
	pk=$(by_backend sqlite=alembic_version_pkc postgresql=alembic_version_pkc mysql=PRIMARY)
	[ "$(db_key alembic_version)" = "$pk PRIMARY KEY (version_num)" ]
}

@test "a version table named by a keyword or with a space is quoted, online and offline" {
	linear3
	for vt in order "my versions"; do
		run rt --version-table "$vt" upgrade head
		[ "$status" -eq 0 ]
		[ "$(rt -q --version-table "$vt" current)" = "3c4d5e6f7a8b (head)" ]
		[ "$(db_sql "SELECT version_num FROM \"$vt\"")" = "3c4d5e6f7a8b" ]
		[ "$(db_key "$vt")" = "$(by_backend sqlite="${vt}_pkc" postgresql="${vt}_pkc" mysql=PRIMARY) PRIMARY KEY (version_num)" ]
		db_sql "DROP TABLE a; DROP TABLE b; DROP TABLE c; DROP TABLE \"$vt\""
		rt -q --version-table "$vt" upgrade head --sql >offline.sql
		db_load offline.sql
		[ "$(db_sql "SELECT version_num FROM \"$vt\"")" = "3c4d5e6f7a8b" ]
		[ "$(db_tables)" = "a b c $vt" ]
		db_sql "DROP TABLE a; DROP TABLE b; DROP TABLE c; DROP TABLE \"$vt\""
	done
}

@test "upgrade with no target means head; migrate is an alias" {
	linear3
	run rt migrate 2b3c
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "2b3c4d5e6f7a" ]
	run rt upgrade
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
	run rt upgrade head
	[ "$status" -eq 0 ]
	[[ "$output" == *"nothing to upgrade"* ]]
}

@test "upgrade +1 and to an older revision" {
	linear3
	rt upgrade +1
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
	rt upgrade head
	run rt upgrade 1a2b3c4d5e6f
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
}

@test "downgrade -1, -2, rollback -s 2 and downgrade base; check sees the pending ones" {
	linear3
	rt upgrade head
	run rt downgrade -1
	[ "$status" -eq 0 ]
	[[ "$output" == *"downgrade 3c4d5e6f7a8b -> 2b3c4d5e6f7a, create c"* ]]
	[ "$(db_versions)" = "2b3c4d5e6f7a" ]
	[ "$(db_tables)" = "a alembic_version b" ]
	rt upgrade head
	run rt downgrade -2
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
	run rt check
	[ "$status" -eq 1 ]
	rt upgrade head
	run rt rollback -s 2
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
	run rt downgrade base
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "" ]
	[ "$(db_tables)" = "alembic_version" ]
}

@test "downgrade needs a target, and refuses one above the current revision" {
	linear3
	run rt downgrade
	[ "$status" -eq 64 ]
	rt upgrade 1a2b
	run rt downgrade 3c4d
	[ "$status" -eq 2 ]
	[[ "$output" == *"not a valid downgrade target"* ]]
	run rt downgrade -3
	[ "$status" -eq 2 ]
	[[ "$output" == *"relative revision -3 didn't produce 3 migrations"* ]]
}

@test "a syntax error names file, line, column and step, with a caret; no DDL and no version change stay" {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "broken" "CREATE TABLE b (id INTEGER);
INSERT INTO b VALUES (1);
SELECT * FORM b;" "DROP TABLE b;"
	run rt upgrade head
	[ "$status" -eq 2 ]
	want=$(by_backend sqlite='near "FORM": syntax error' postgresql='42601: syntax error at or near "FORM"' \
		mysql="1064 (42000): You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near 'FORM b' at line 1")
	[[ "$output" == *"retort: error: migrations/versions/2b3c4d5e6f7a_broken.sql:10:10: $want (upgrade 1a2b3c4d5e6f -> 2b3c4d5e6f7a)"* ]]
	[[ "$output" == *"LINE 10: SELECT * FORM b;"$'\n'"                  ^"* ]]
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
	# MySQL: the DDL and the INSERT after it committed, and the error says so
	[ "$(db_tables)" = "$(by_backend sqlite='a alembic_version' postgresql='a alembic_version' mysql='a alembic_version b retort_progress')" ]
	ran=$(by_backend sqlite='' postgresql='' mysql='2 statement(s) before it ran outside a transaction and stay applied')
	[[ "$output" == *"$ran"* ]]
}

@test "a failing statement is reported at its line, with the database's message" {
	mkrev 1a2b3c4d5e6f "" "insert" "CREATE TABLE t (id INTEGER PRIMARY KEY);
  INSERT INTO t VALUES (1);
  INSERT INTO t VALUES (1);" "DROP TABLE t;"
	run rt upgrade head
	[ "$status" -eq 2 ]
	want=$(by_backend sqlite='UNIQUE constraint failed: t.id' \
		postgresql='23505: duplicate key value violates unique constraint' \
		mysql="1062 (23000): Duplicate entry '1' for key 'PRIMARY'")
	[[ "$output" == *"1a2b3c4d5e6f_insert.sql:10:3: $want"* ]]
	detail=$(by_backend sqlite='' postgresql='DETAIL:  Key (id)=(1) already exists.' mysql='')
	[[ "$output" == *"$detail"* ]]
	# MySQL: the version table comes first (DDL), then the CREATE TABLE commits
	[ "$(db_tables)" = "$(by_backend sqlite='' postgresql='' mysql='alembic_version retort_progress t')" ]
	[ "$(db_versions)" = "" ]
}

@test "a failing first migration leaves the database exactly as it was" {
	mkrev 1a2b3c4d5e6f "" "bad" "CREATE TABLE a (id INTEGER); SELECT * FROM missing;" "-"
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"$(by_backend sqlite='no such table: missing' postgresql='42P01: relation "missing" does not exist' \
		mysql="1146 (42S02): Table '${MY_DB:-}.missing' doesn't exist")"* ]]
	# exactly as it was, except on MySQL, whose DDL commits: that is said
	[ "$(db_tables)" = "$(by_backend sqlite='' postgresql='' mysql='a alembic_version retort_progress')" ]
	[[ "$output" == *"$(by_backend sqlite='' postgresql='' mysql='1 statement(s) before it ran outside a transaction and stay applied')"* ]]
	[ "$(db_versions)" = "" ]
}

@test "a migration may not commit the runner's transaction" {
	mkrev 1a2b3c4d5e6f "" "commits" "CREATE TABLE a (id INTEGER);
COMMIT;" "-"
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"1a2b3c4d5e6f_commits.sql:9:1: transaction control statement (COMMIT)"* ]]
	[ "$(db_tables)" = "" ]
}

@test "a statement that cannot run in a transaction needs transaction:false, and runs with it" {
	mkrev 1a2b3c4d5e6f "" "create" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "vacuum" "VACUUM;" ""
	if [ "$(by_backend sqlite=refused postgresql=refused mysql=none)" = none ]; then
		# MySQL has no such statement: the DDL that ends a transaction
		# (OPTIMIZE TABLE) just runs, statement by statement
		sed -i 's/^VACUUM;$/OPTIMIZE TABLE a;/' migrations/versions/2b3c4d5e6f7a_vacuum.sql
		run rt upgrade head
		[ "$status" -eq 0 ]
		[ "$(db_versions)" = "2b3c4d5e6f7a" ]
		return
	fi
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"2b3c4d5e6f7a_vacuum.sql:8:1: 'VACUUM' cannot run inside a transaction; mark the section '-- migrate:upgrade transaction:false' (line 7)"* ]]
	[ "$(db_tables)" = "" ]
	sed -i 's/^-- migrate:upgrade$/-- migrate:upgrade transaction:false/' migrations/versions/2b3c4d5e6f7a_vacuum.sql
	run rt upgrade head
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "2b3c4d5e6f7a" ]
}

@test "a failing transaction:false section says what ran and keeps the version" {
	mkrev 1a2b3c4d5e6f "" "create" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
	cat > migrations/versions/2b3c4d5e6f7a_partial.sql <<'SQL'
-- partial
--
-- Revision ID: 2b3c4d5e6f7a
-- Revises: 1a2b3c4d5e6f

-- migrate:upgrade transaction:false
CREATE TABLE b (id INTEGER);
CREATE TABLE a (id INTEGER);

-- migrate:downgrade
DROP TABLE b;
SQL
	run rt upgrade head
	[ "$status" -eq 2 ]
	want=$(by_backend sqlite='8:14: table a already exists' postgresql='8:1: 42P07: relation "a" already exists' \
		mysql="8:1: 1050 (42S01): Table 'a' already exists")
	[[ "$output" == *"2b3c4d5e6f7a_partial.sql:$want"* ]]
	[[ "$output" == *"1 statement(s) before it ran outside a transaction and stay applied"* ]]
	[[ "$output" == *"1 of 2 statements ran; the next run resumes after them"* ]]
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
	# the progress is retort's own table, beside the version table
	[ "$(db_tables)" = "a alembic_version b retort_progress" ]
	run rt current -v
	[[ "$output" == *"Left part-way: upgrade of 2b3c4d5e6f7a, 1 statement(s) ran; the next upgrade resumes after them"* ]]
}

@test "a transaction:false section resumes after its completed statements, unless one was edited" {
	mkrev 1a2b3c4d5e6f "" "create" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "partial" "CREATE TABLE b (id INTEGER);
CREATE TABLE c (id INTEGER);
CREATE TABLE a (id INTEGER);
CREATE TABLE e (id INTEGER);" "-"
	sed -i 's/^-- migrate:upgrade$/-- migrate:upgrade transaction:false/' migrations/versions/2b3c4d5e6f7a_partial.sql
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"2 of 4 statements ran; the next run resumes after them"* ]]
	# an edited statement that ran is refused, naming it
	sed -i 's/^CREATE TABLE c (id INTEGER);$/CREATE TABLE c (id BIGINT);/' migrations/versions/2b3c4d5e6f7a_partial.sql
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"2b3c4d5e6f7a_partial.sql:9:1: statement 2 was edited since an earlier run applied it (2 of its statements ran then)"* ]]
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
	# restored, and the failing one fixed: it resumes after the two
	sed -i 's/^CREATE TABLE c (id BIGINT);$/CREATE TABLE c (id INTEGER);/; s/^CREATE TABLE a (id INTEGER);$/CREATE TABLE d (id INTEGER);/' \
		migrations/versions/2b3c4d5e6f7a_partial.sql
	run rt upgrade head
	[ "$status" -eq 0 ]
	[[ "$output" == *"resuming upgrade 1a2b3c4d5e6f -> 2b3c4d5e6f7a: 2 of 4 statements ran in an earlier run and are unchanged"* ]]
	[ "$(db_versions)" = "2b3c4d5e6f7a" ]
	[ "$(db_tables)" = "a alembic_version b c d e retort_progress" ]
	# its progress went with the version row
	[ "$(db_sql 'SELECT count(*) FROM retort_progress')" = "0" ]
	run rt current -v
	[[ "$output" != *"Left part-way"* ]]
}

@test "--single-transaction is all or nothing" {
	linear3
	sed -i '/^-- migrate:downgrade/,$d' migrations/versions/3c4d5e6f7a8b_create_c.sql
	printf 'SELECT * FROM missing;\n' >>migrations/versions/3c4d5e6f7a8b_create_c.sql
	run rt --single-transaction upgrade head
	[ "$status" -eq 2 ]
	# MySQL cannot hold DDL in a transaction, so it refuses before anything runs
	[[ "$output" == *"$(by_backend sqlite='every migration of this run was rolled back' \
		postgresql='every migration of this run was rolled back' \
		mysql="1a2b3c4d5e6f_create_a.sql:8:1: 'CREATE TABLE a (id INTEGER PRIMARY KEY)' is DDL, which MySQL commits implicitly")"* ]]
	[ "$(db_tables)" = "" ]
	run rt upgrade head
	[ "$status" -eq 2 ]
	[ "$(db_versions)" = "2b3c4d5e6f7a" ]
	[ "$(db_tables)" = "$(by_backend sqlite='a alembic_version b' postgresql='a alembic_version b' mysql='a alembic_version b c retort_progress')" ]
}

@test "downgrade through an irreversible migration is refused before anything runs" {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id INTEGER);" "-"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "create b" "CREATE TABLE b (id INTEGER);" "DROP TABLE b;"
	rt upgrade head
	run rt downgrade base
	[ "$status" -eq 2 ]
	[[ "$output" == *"revision 1a2b3c4d5e6f has no '-- migrate:downgrade' section"* ]]
	[ "$(db_versions)" = "2b3c4d5e6f7a" ]
	[ "$(db_tables)" = "a alembic_version b" ]
}

@test "branches: upgrade head refuses, heads applies all, one row per head" {
	mkrev aaaa00000000 "" "root" "CREATE TABLE r (x INTEGER);" "DROP TABLE r;"
	mkrev bbbb00000001 aaaa00000000 "left" "CREATE TABLE l (x INTEGER);" "DROP TABLE l;"
	mkrev bbbb00000002 aaaa00000000 "right" "CREATE TABLE g (x INTEGER);" "DROP TABLE g;"
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"multiple heads are present"*"'heads'"* ]]
	[ "$(db_tables)" = "" ]
	run rt upgrade heads
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "bbbb00000001 bbbb00000002" ]
	mkrev cccc00000003 "bbbb00000001, bbbb00000002" "merge" "" ""
	run rt upgrade head
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "cccc00000003" ]
	run rt downgrade bbbb00000001
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "bbbb00000001 bbbb00000002" ]
}

@test "a version row the migration wrote itself fails as the database says, not as a missed row" {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "writes its own row" "CREATE TABLE b (id INTEGER); INSERT INTO alembic_version VALUES ('2b3c4d5e6f7a');" "-"
	rt upgrade 1a2b
	run rt upgrade head
	[ "$status" -ne 0 ]
	[[ "$output" == *"2b3c4d5e6f7a"* ]]
	[[ "$output" == *"$(by_backend sqlite='UNIQUE constraint failed' postgresql='duplicate key' mysql='Duplicate entry')"* ]]
	[[ "$output" != *"expected to change one row"* ]]
}

@test "stamp records revisions without running them; --purge clears stale rows" {
	linear3
	run rt stamp 2b3c
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "2b3c4d5e6f7a" ]
	[ "$(db_tables)" = "alembic_version" ]
	run rt stamp base
	[ "$(db_versions)" = "" ]
	db_sql "INSERT INTO alembic_version VALUES ('deadbeef0000')"
	run rt stamp head
	[ "$status" -eq 2 ]
	[[ "$output" == *"'deadbeef0000', which no migration file defines"* ]]
	run rt stamp --purge head
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
}

@test "a version row that does not match aborts the migration" {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "meddles" "CREATE TABLE b (id INTEGER); DELETE FROM alembic_version;" "-"
	rt upgrade 1a2b
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"expected to change one row"*"'1a2b3c4d5e6f'"* ]]
	# MySQL: the section's statements committed one by one, its DELETE too
	[ "$(db_versions)" = "$(by_backend sqlite=1a2b3c4d5e6f postgresql=1a2b3c4d5e6f mysql=)" ]
	[ "$(db_tables)" = "$(by_backend sqlite='a alembic_version' postgresql='a alembic_version' mysql='a alembic_version b retort_progress')" ]
}
