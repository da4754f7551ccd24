#!/usr/bin/env bats
# Bad input, one case a line: each command line below must exit with the
# given status, say the given fragment, and leave the database exactly as
# it was (same bytes).  Targets of every form, option values and URLs.

load helpers

# status | fragment | arguments (eval'd)
cases() {
	cat <<'TABLE'
64|must move by 1 to 1000000 steps|downgrade -4294967297
64|must move by 1 to 1000000 steps|upgrade +4294967297
64|must move by 1 to 1000000 steps|upgrade +2147483648
64|must move by 1 to 1000000 steps|downgrade -0
64|must move by 1 to 1000000 steps|upgrade +0
64|must move by 1 to 1000000 steps|upgrade 1a2b+99999999999
64|must move by 1 to 1000000 steps|downgrade core@-99999999999
64|the target is empty|upgrade ''
64|the target is empty|downgrade ''
64|the target is empty|stamp ''
64|the revision is empty; give an id|show ''
64|can't use --purge with --sql|stamp --purge 1a2b3c4d5e6f --sql
64|takes a whole number of at least 1, not '0'|rollback -s 0
64|takes a whole number of at least 1, not 'x'|rollback --steps x
64|takes a non-negative number, not '-1'|--lock-timeout -1 upgrade head
64|takes a non-negative number, not 'soon'|--wait-timeout soon current
64|takes a non-negative number, not 'nan'|--statement-timeout nan current
64|takes auto, always or never|--color=sometimes current
64|takes true or false|RETORT_SINGLE_TRANSACTION=maybe upgrade head
64|unexpected argument 'b' to 'upgrade'|upgrade a b
64|'downgrade' needs an argument|downgrade
64|is a global option: put it before the command|upgrade head -q
64|unknown command 'frobnicate'|frobnicate
64|no closing ']'|-u 'postgres://app:x@[::1:1/db' current
64|bad percent-escape|-u 'postgresql://u:%zz@h/db' current
64|unsupported database url scheme|-u 'oracle://u@h/db' current
2|didn't produce 1 migrations|upgrade +1 && retort -q downgrade base && retort -q downgrade -1
TABLE
}

@test "every bad input of the table: its exit status, its message, the database unchanged" {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;" "-- Branch Labels: core"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "create b" "CREATE TABLE b (id INTEGER PRIMARY KEY);" "DROP TABLE b;"
	rt -q upgrade 1a2b3c4d5e6f
	retort() { rt "$@"; }
	n=0
	while IFS='|' read -r want frag args; do
		n=$((n + 1))
		before=$(cksum <"$TEST_DIR/test.db")
		got=0
		case $args in
		*"&&"*) eval "rt -q downgrade base >/dev/null 2>&1; rt -q $args" >out 2>&1 || got=$? ;;
		[A-Z]*=*) eval "env ${args%% *} $RETORT_WRAP \"$RETORT_BIN\" ${args#* }" >out 2>&1 || got=$? ;;
		*) eval "rt $args" >out 2>&1 || got=$? ;;
		esac
		[ "$got" -eq "$want" ] || { echo "case $n ($args): exit $got, want $want: $(cat out)"; return 1; }
		grep -qF -- "$frag" out || { echo "case $n ($args): no '$frag' in: $(cat out)"; return 1; }
		case $args in
		*"&&"*) rt -q upgrade 1a2b3c4d5e6f ;;
		*) [ "$(cksum <"$TEST_DIR/test.db")" = "$before" ] ||
			{ echo "case $n ($args) changed the database"; return 1; } ;;
		esac
	done < <(cases)
	[ "$n" -ge 25 ]
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
}

# Bad files, one case a line: what to write (eval'd in the project, beside
# the two revisions of the test above), then the command line.  Each must
# exit with the status, say the fragment, and leave the database as it was.
# (No '|' inside a column: it is the separator.)
# status | fragment | what to write | arguments
files() {
	cat <<'TABLE'
2|9f_nul.sql:6: contains a NUL byte; migration files are text|printf -- '-- x\n-- Revision ID: 9f9f9f9f9f9f\n-- Revises: 2b3c4d5e6f7a\n\n-- migrate:upgrade\nSELECT 1;\0\n' >$V/9f_nul.sql|upgrade head
2|9f_u16.sql: looks like UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8|iconv -f UTF-8 -t UTF-16 -o $V/9f_u16.sql <<<'-- Revision ID: 9f9f9f9f9f9f'|upgrade head
2|9f_u16le.py: looks like UTF-16 (every other byte is NUL); save it as UTF-8|iconv -f UTF-8 -t UTF-16LE -o $V/9f_u16le.py <<<'revision = "9f9f9f9f9f9f"'|upgrade head
2|9f_q.sql:7:23: this quoted string or comment is never closed; nothing was run|printf -- '-- x\n-- Revision ID: 9f9f9f9f9f9f\n-- Revises: 2b3c4d5e6f7a\n\n-- migrate:upgrade\nSELECT 1;\nINSERT INTO b VALUES ('"'"'1);\n' >$V/9f_q.sql|upgrade head
2|transaction control statement (BEGIN) inside a transactional section|printf -- '-- x\n-- Revision ID: 9f9f9f9f9f9f\n-- Revises: 2b3c4d5e6f7a\n\n-- migrate:upgrade\nBEGIN;\nINSERT INTO b VALUES (1);\n' >$V/9f_t.sql|upgrade head
2|9f_h.sql:1:1: missing '-- Revision ID: <id>' header line|printf -- '-- x\n-- Revision 9f9f9f9f9f9f\n-- Revises: 2b3c4d5e6f7a\n\n-- migrate:upgrade\nSELECT 1;\n' >$V/9f_h.sql|upgrade head
2|revision id '2b3c4d5e6f7a' is already used by|printf -- '-- x\n-- Revision ID: 2b3c4d5e6f7a\n-- Revises: 1a2b3c4d5e6f\n\n-- migrate:upgrade\nSELECT 1;\n' >$V/9f_dup.sql|upgrade head
2|cycle detected in revisions (8e8e8e8e8e8e, 9f9f9f9f9f9f)|printf -- '-- x\n-- Revision ID: 9f9f9f9f9f9f\n-- Revises: 8e8e8e8e8e8e\n\n-- migrate:upgrade\nSELECT 1;\n' >$V/9f_c.sql && printf -- '-- y\n-- Revision ID: 8e8e8e8e8e8e\n-- Revises: 9f9f9f9f9f9f\n\n-- migrate:upgrade\nSELECT 1;\n' >$V/8e_c.sql|upgrade head
2|9f_w.sql:3:1: revision 9f9f9f9f9f9f revises '000000000000', which no migration file defines|{ printf -- '-- x\n-- Revision ID: 9f9f9f9f9f9f\n-- Revises: '; seq -s, -f '%012g' 0 39999; printf -- '\n-- migrate:upgrade\nSELECT 1;\n'; } >$V/9f_w.sql|upgrade head
2|retort.ini:3: malformed line; expected 'key = value', '[section]' or a comment|printf '[retort]\nscript_location = migrations\nthis is no key\n' >retort.ini|current
2|retort.ini:3: key 'Script_Location' is set a second time in [retort] (first at line 2)|printf '[retort]\nscript_location = migrations\nScript_Location = other\n' >retort.ini|current
2|retort.ini:4: section [retort] is opened a second time (first at line 1)|printf '[retort]\nscript_location = migrations\n[loggers]\n[retort]\nsqlalchemy.url = sqlite:///x.db\n' >retort.ini|current
2|retort.ini: looks like UTF-16|iconv -f UTF-8 -t UTF-16 -o retort.ini <<<'[retort]'|current
TABLE
}

@test "every bad file of the table: its exit status, its message, the database unchanged" {
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
	mkrev 2b3c4d5e6f7a 1a2b3c4d5e6f "create b" "CREATE TABLE b (id INTEGER PRIMARY KEY);" "DROP TABLE b;"
	rt -q upgrade 1a2b3c4d5e6f
	V=migrations/versions
	n=0
	while IFS='|' read -r want frag fixture args; do
		n=$((n + 1))
		before=$(cksum <"$TEST_DIR/test.db")
		eval "$fixture"
		got=0
		# 40,000 ids in one Revises: line must not take long (a wrong
		# algorithm would be quadratic); 10 s is far beyond any machine
		eval "timeout 10 $RETORT_WRAP \"$RETORT_BIN\" $args" >out 2>&1 || got=$?
		rm -f retort.ini "$V"/9f_* "$V"/8e_*
		[ "$got" -eq "$want" ] || { echo "file case $n ($fixture): exit $got, want $want: $(cat out)"; return 1; }
		grep -qF -- "$frag" out || { echo "file case $n ($fixture): no '$frag' in: $(cat out)"; return 1; }
		[ "$(cksum <"$TEST_DIR/test.db")" = "$before" ] ||
			{ echo "file case $n ($fixture) changed the database"; return 1; }
	done < <(files)
	[ "$n" -ge 13 ]
	[ "$(db_versions)" = "1a2b3c4d5e6f" ]
}

@test "config: a key read only through %(key)s is used, not called unknown" {
	linear3
	printf '[retort]\nscript_location = migrations\ndbname = app\nsqlalchemy.url = sqlite:///%%(here)s/%%(dbname)s.db\nliteral = 100%%%%(notakey)s\n' >retort.ini
	run env -u DATABASE_URL $RETORT_WRAP "$RETORT_BIN" upgrade head
	[ "$status" -eq 0 ]
	[ -f app.db ]
	[[ "$output" != *"'dbname'"* ]]
	[[ "$output" == *"retort.ini:5: unknown key 'literal'"* ]]
}

@test "config: an unknown key is warned about with its line and the nearest key" {
	linear3
	printf '[retort]\nscript_location = migrations\nsqlalchemy.urll = sqlite:///typo.db\nprepend_sys_path = .\n' >retort.ini
	run rt -q upgrade head
	[ "$status" -eq 0 ]
	[[ "$output" == *"retort.ini:3: unknown key 'sqlalchemy.urll' in [retort] is ignored; did you mean 'sqlalchemy.url'?"* ]]
	[[ "$output" != *prepend_sys_path* ]]   # an Alembic key retort has no use for
}

@test "config: interpolation that fans out is stopped, not followed forever" {
	{
		echo '[retort]'
		echo 'a0 = xxxxxxxxxxxxxxxx'
		for i in 1 2 3 4 5 6 7 8 9; do
			printf 'a%d =' "$i"
			for k in $(seq 20); do printf ' %%(a%d)s' $((i - 1)); done
			echo
		done
		echo 'script_location = %(a9)s'
	} >retort.ini
	run timeout 10 "$RETORT_BIN" current
	[ "$status" -eq 2 ]
	[[ "$output" == *"grows beyond 65536 bytes"* ]]
}

@test "revision in a directory the user cannot write says how to run it as the owner" {
	mkdir -p migrations/versions
	if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
		chmod 755 "$TEST_DIR" migrations migrations/versions
		run setpriv --reuid=65534 --regid=65534 --clear-groups $RETORT_WRAP "$RETORT_BIN" -q revision -m x
	elif [ "$(id -u)" != 0 ]; then
		chmod 555 migrations/versions
		run rt -q revision -m x
	else
		skip "running as root without setpriv (util-linux): cannot lose write access"
	fi
	[ "$status" -eq 2 ]
	[[ "$output" == *"Permission denied; run retort as the user who owns that directory"* ]]
	[[ "$output" == *"scripts/migrate.sh"* ]]
	[ -z "$(ls migrations/versions)" ]
}

@test "a revision id longer than the version table holds is refused when the files are read" {
	mkrev 0123456789abcdef0123456789abcdef0 "" "too long" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"_too_long.sql:"*"is 33 characters long; the version table holds at most 32"* ]]
	[ ! -e test.db ] || [ -z "$(db_tables)" ]
	run rt -q revision -m x --rev-id 0123456789abcdef0123456789abcdef0
	[ "$status" -ne 0 ]
	# characters, as VARCHAR(32) counts them: 17 two-byte ones fit
	rm migrations/versions/*
	mkrev ééééééééééééééééé "" "accents" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
	rt -q upgrade head
	[ "$(db_versions)" = "ééééééééééééééééé" ]
}

@test "DATABASE_URL_FILE: a file over 4 KiB is refused, not cut" {
	linear3
	{ printf 'sqlite:///%s/test.db' "$TEST_DIR"; head -c 5000 /dev/zero | tr '\0' ' '; } >url.txt
	DATABASE_URL= DATABASE_URL_FILE=url.txt run rt -q current
	[ "$status" -eq 2 ]
	[[ "$output" == *"DATABASE_URL_FILE"*"larger than 4095 bytes"* ]]
}

@test "an Alembic .py revision without a .sql twin is read, and upgrading through it refused, never skipped" {
	linear3
	cat >migrations/versions/fe56fa70289e_add_users.py <<'PY'
"""add users

Revision ID: fe56fa70289e
Revises: 3c4d5e6f7a8b
"""
from alembic import op

revision: str = "fe56fa70289e"
down_revision = "3c4d5e6f7a8b"
PY
	run rt -q heads
	[ "$status" -eq 0 ]
	[ "$output" = "fe56fa70289e (head)" ]
	run rt -q upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"upgrade needs the SQL of 1 revision that has only an Alembic .py file"*"nothing was run"* ]]
	[[ "$output" == *"  fe56fa70289e  migrations/versions/fe56fa70289e_add_users.py"* ]]
	[ ! -e test.db ] || [ -z "$(db_tables)" ]
	run rt -q check
	[ "$status" -eq 1 ]
	[[ "$output" == *"fe56fa70289e, add users"* ]]
	# with its SQL twin beside it, the project works
	mkrev fe56fa70289e 3c4d5e6f7a8b "add users" "CREATE TABLE users (id INTEGER);" "DROP TABLE users;"
	run rt -q upgrade head
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "fe56fa70289e" ]
}

@test "Flask-Migrate's alembic.ini, whose [alembic] section holds only comments, is read" {
	linear3
	printf '# A generic, single database configuration.\n\n[alembic]\n# template used to generate migration files\n# file_template = %%%%(rev)s_%%%%(slug)s\n\n[loggers]\nkeys = root\n' >alembic.ini
	run rt -q upgrade head
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
	run rt -v -q current
	[ "$status" -eq 0 ]
}

@test "an alembic.ini that names no database is no reason to migrate the embedded default" {
	linear3
	printf '[alembic]\nscript_location = migrations\nsqlalchemy.echo = true\n' >alembic.ini
	run env -u DATABASE_URL $RETORT_WRAP "$RETORT_BIN" upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"alembic.ini sets no sqlalchemy.url, so its env.py must build the URL, and retort does not run env.py; set DATABASE_URL"* ]]
	[ ! -e app.db ]
	# an engine option is the Python side's, not an unknown key
	[[ "$output" != *"unknown key"* ]]
	# what needs no database still works, and DATABASE_URL is the way
	run env -u DATABASE_URL $RETORT_WRAP "$RETORT_BIN" heads
	[ "$status" -eq 0 ]
	run rt -q upgrade head
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
}
