#!/usr/bin/env bats
# Covers the command line itself: configuration precedence (flags > env >
# retort.ini/alembic.ini > defaults), the embedded default database,
# --help for every command, --version, exit statuses and password masking.

load helpers

@test "the embedded default database is announced and used" {
	unset DATABASE_URL
	linear3
	run rt upgrade head
	[ "$status" -eq 0 ]
	[[ "$output" == *"using the embedded default database sqlite:///app.db"* ]]
	[ -f app.db ]
	run rt -q current
	[ "$output" = "3c4d5e6f7a8b (head)" ]
}

@test "flags beat the environment, which beats the config file" {
	linear3
	unset DATABASE_URL
	printf '[retort]\nscript_location = migrations\nsqlalchemy.url = sqlite:///file.db\n' >retort.ini
	rt -q upgrade 1a2b
	[ -f file.db ]
	DATABASE_URL=sqlite:///env.db rt -q upgrade 1a2b
	[ -f env.db ]
	DATABASE_URL=sqlite:///env.db rt -q -u sqlite:///flag.db upgrade 1a2b
	[ -f flag.db ]
	mv migrations elsewhere
	run rt -q -d elsewhere history
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	RETORT_DIR=elsewhere run rt -q history
	[ "${#lines[@]}" -eq 3 ]
}

@test "an alembic.ini project is read: script_location, url, %(here)s" {
	unset DATABASE_URL
	mkdir -p alembic/versions
	mkrev 1a2b3c4d5e6f "" "create a" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
	mv migrations/versions/* alembic/versions/
	printf '[alembic]\nscript_location = %%(here)s/alembic\nsqlalchemy.url = sqlite:///%%(here)s/al.db\n' >alembic.ini
	run rt -q upgrade head
	[ "$status" -eq 0 ]
	[ -f al.db ]
	run rt -c alembic.ini -q current
	[ "$output" = "1a2b3c4d5e6f (head)" ]
}

@test "every command answers --help" {
	for c in init revision makemigrations merge upgrade migrate downgrade rollback stamp current \
		 history heads branches show check showmigrations status; do
		run rt "$c" --help
		[ "$status" -eq 0 ] || { echo "$c --help failed"; return 1; }
		[[ "${lines[0]}" == "usage: retort $c"* ]] || { echo "$c: ${lines[0]}"; return 1; }
	done
	run rt --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"showmigrations"* ]]
}

@test "--version prints the linked library versions" {
	run rt --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^retort\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	[[ "$output" == *"sqlite $(sqlite3 --version | cut -d' ' -f1)"* ]]
}

@test "usage errors exit 64" {
	run rt
	[ "$status" -eq 64 ]
	run rt frobnicate
	[ "$status" -eq 64 ]
	[[ "$output" == *"unknown command 'frobnicate'"* ]]
	run rt upgrade --bogus
	[ "$status" -eq 64 ]
	[[ "$output" == *"unknown option '--bogus'"* ]]
	run rt upgrade a b
	[ "$status" -eq 64 ]
	run rt --color=sometimes current
	[ "$status" -eq 64 ]
	run rt -c missing.ini current
	[ "$status" -eq 64 ]
	[[ "$output" == *"config file 'missing.ini' cannot be read"* ]]
	run rt -x novalue current
	[ "$status" -eq 64 ]
}

@test "a malformed config file names its line" {
	printf '[retort]\nscript_location = migrations\noops\n' >retort.ini
	run rt current
	[ "$status" -eq 2 ]
	[[ "$output" == *"retort.ini:3: malformed line"* ]]
}

@test "passwords never appear in output" {
	linear3
	run rt -u 'postgresql://bob:hunter2@localhost:1/db' -v current
	[ "$status" -ne 0 ]
	[[ "$output" != *hunter2* ]]
	run rt -u 'mysql://bob:hunter2@localhost/db' -v status
	[ "$status" -ne 0 ]
	[[ "$output" != *hunter2* ]]
	[[ "$output" == *"bob:***@"* ]]
}

@test "a password in -u is warned about once; from DATABASE_URL it is not" {
	linear3
	run rt -u 'postgresql://bob:hunter2@127.0.0.1:1/db' upgrade head --sql
	[ "$status" -eq 0 ]
	[ "$(grep -c "can be read by other users in 'ps'" <<<"$output")" -eq 1 ]
	[[ "$output" != *hunter2* ]]
	DATABASE_URL='postgresql://bob:hunter2@127.0.0.1:1/db' run rt upgrade head --sql
	[[ "$output" != *"in 'ps'"* ]]
	run rt -u 'postgresql://bob@127.0.0.1:1/db' upgrade head --sql
	[[ "$output" != *"in 'ps'"* ]]
	run rt -u 'postgresql://bob@127.0.0.1:1/db?password=hunter2' upgrade head --sql
	[ "$(grep -c "can be read by other users in 'ps'" <<<"$output")" -eq 1 ]
	[[ "$output" != *hunter2* ]]
}

@test "a password with an unescaped # / ? or @ is parsed and masked alike" {
	linear3
	for pw in 'S3cr3t#PW' 'S3cr3t/PW' 'S3c?r3tPW' 'S3c@r3tPW' 'S3cr3t%PW'; do
		for cmd in status "current -v" "check --json"; do
			DATABASE_URL="postgresql://u:$pw@127.0.0.1:1/db?options=a@b" run rt -v --wait-timeout 0.2 $cmd
			[ "$status" -ne 0 ]
			[[ "$output" != *S3c* ]] || { echo "$pw $cmd: $output"; return 1; }
			[[ "$output" == *"u:***@"* ]] || { echo "$pw $cmd: $output"; return 1; }
		done
	done
	run rt -u 'postgres://app:S3cr3t@[::1:1/db' current
	[ "$status" -eq 64 ]
	[[ "$output" == *"no closing ']'"* ]]
	[[ "$output" != *S3cr3t* ]]
}

@test "colour follows --color and NO_COLOR" {
	linear3
	run rt --color=always show zzzz
	[[ "$output" == *$'\033['* ]]
	run rt --color=never show zzzz
	[[ "$output" != *$'\033['* ]]
	NO_COLOR=1 run rt show zzzz
	[[ "$output" != *$'\033['* ]]
}

@test "PostgreSQL-only options are refused on SQLite, and --version-table works there" {
	linear3
	run rt --search-path app upgrade head
	[ "$status" -eq 64 ]
	[[ "$output" == *"--search-path applies to PostgreSQL only"* ]]
	run rt --version-table my_versions upgrade head
	[ "$status" -eq 0 ]
	[ "$(db_sql 'SELECT version_num FROM my_versions')" = "3c4d5e6f7a8b" ]
	[[ "$(db_sql "SELECT sql FROM sqlite_master WHERE name = 'my_versions'")" == *"CONSTRAINT my_versions_pkc PRIMARY KEY"* ]]
}
