#!/usr/bin/env bats
# Credentials never appear in any output.  Every secret here holds the core
# "Zq9" (each fragment between its special characters is a token Zq9a,
# Zq9b, ...), so one case-insensitive grep for the core catches a password
# shown whole, %-encoded, JSON-escaped, or only in part (a masker that
# stops too early).  After every run, stdout, stderr, the webhook bodies and
# every file retort wrote are grepped; every URL naming our user must show
# its password as *** and, where the table says the URL is shown, it is.
#
# Tables: every command (reachable with -v, reachable with -q, a closed
# port, a wrong password; on MySQL too), every password form (DATABASE_URL,
# DATABASE_URL_FILE, -u, --url, PGPASSWORD, retort.ini, alembic.ini;
# plain, %-encoded, raw # / ? @ % :, ?password=), the URLs that commands
# take as arguments (diff --from/--to/--dev-url, wait TARGET), --notify
# webhooks, and malformed URLs.  The reachable and wrong-password cases use
# the PostgreSQL test server over TCP (role retort_sec, its password set per
# case) and skip, saying why, without it; the closed-port and malformed
# cases need no server.
#
# The last five cases are leaks this file found in the masker, kept as
# regression tests: '?' then '@' in a raw password, a raw '#' in
# ?password=, a %-encoded password key, no "://", and a sqlite URL with a
# user and password.

load helpers

CORE=Zq9
ROLE=retort_sec
# every special character a password may hold; in a URL % is written %25
PW_ALL='Zq9a#Zq9b/Zq9c?Zq9d@Zq9e%Zq9f:Zq9g'
PW_PLAIN='Zq9aZq9b'
PW_NOQ='Zq9a#Zq9b/Zq9c@Zq9d%Zq9e:Zq9f'   # raw is unambiguous without '?'
PW_NOAT='Zq9a#Zq9b/Zq9c?Zq9d%Zq9e:Zq9f'  # ... or without '@'
HOOK_SECRET='hookuser:Zq9hookpw@'        # a webhook's credentials and path are secrets too
HOOK_PATH='hooks/T0/Zq9hookpath'

# pct S: S %-encoded for a URL's userinfo or query
pct() {
	local s=$1 i c
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in [A-Za-z0-9._~-]) printf '%s' "$c" ;; *) printf '%%%02X' "'$c" ;; esac
	done
}

# raw S: S as written raw in a URL: only % is encoded
raw() { printf '%s' "${1//%/%25}"; }

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

setup_file() {
	# a port on 127.0.0.1 that nobody listens on, for the unreachable cases
	CLOSED_PORT=$(free_port)
	export CLOSED_PORT
	# a role of our own whose password each case sets: retort_pw's is
	# the other files' (RETORT_TEST_PG_PASSWORD)
	if [ -n "${RETORT_TEST_PG_DIR:-}" ]; then
		"$RETORT_TEST_PG_BIN/psql" -X -q -h "$RETORT_TEST_PG_DIR" -p "$RETORT_TEST_PG_PORT" -U postgres -d postgres \
			-c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE')
				THEN CREATE ROLE $ROLE LOGIN; END IF; END \$\$" >/dev/null
	fi
}

teardown_file() {
	[ -z "${RETORT_TEST_MYSQL_DIR:-}" ] || my_admin "DROP USER IF EXISTS '$ROLE'@'%'" || true
	[ -n "${RETORT_TEST_PG_DIR:-}" ] || return 0
	local db
	db=$(cat "$BATS_FILE_TMPDIR/pg_db" 2>/dev/null) || true
	psql_() { "$RETORT_TEST_PG_BIN/psql" -X -q -h "$RETORT_TEST_PG_DIR" -p "$RETORT_TEST_PG_PORT" -U postgres "$@" >/dev/null 2>&1; }
	[ -z "$db" ] || psql_ -d "$db" -c "DROP OWNED BY $ROLE"
	psql_ -d postgres -c "DROP ROLE IF EXISTS $ROLE" || true
}

setup() {
	test_dir_setup || return 1
	unset PGPASSWORD PGPASSFILE
	db_setup
	BG_PIDS="" OWN=""
	mkdir .cap
	linear3   # and the schema it builds, for check, diff and autogenerate
	printf 'CREATE TABLE %s (id integer PRIMARY KEY);\n' a b c >migrations/schema.sql
}

teardown() {
	for p in $BG_PIDS; do kill "$p" 2>/dev/null || true; done
	db_teardown
	test_dir_teardown
}

# pg_role PASSWORD: the PostgreSQL test database (skip without one), and
# ROLE, with PASSWORD, may use it; sets HOSTPORT and DB.
pg_role() {
	switch_backend postgresql
	pq_admin "ALTER ROLE $ROLE PASSWORD '$1'" >/dev/null
	pq_admin "GRANT ALL ON DATABASE $PG_DB TO $ROLE"
	pq "GRANT ALL ON SCHEMA public TO $ROLE"
	HOSTPORT=127.0.0.1:$RETORT_TEST_PG_PORT DB=$PG_DB
}

# my_role PASSWORD: the MySQL test database (skip without one), and ROLE,
# with PASSWORD, may use it over TCP, and the scratch databases the schema
# commands load schemas into; sets HOSTPORT and DB.
my_role() {
	switch_backend mysql
	my_admin "CREATE USER IF NOT EXISTS '$ROLE'@'%'; ALTER USER '$ROLE'@'%' IDENTIFIED BY '$1';
		GRANT ALL ON \`$MY_DB\`.* TO '$ROLE'@'%'; GRANT ALL ON \`retort\\_scratch\\_%\`.* TO '$ROLE'@'%'"
	HOSTPORT=127.0.0.1:$RETORT_TEST_MYSQL_PORT DB=$MY_DB
}

# closed: a port on 127.0.0.1 nobody listens on; sets HOSTPORT and DB.
closed() {
	HOSTPORT=127.0.0.1:$CLOSED_PORT DB=nodb
}

# webhook: a local webhook that appends each POSTed body to hook.log;
# sets HOOK (its URL with credentials and a secret path).
webhook() {
	python3 "$BATS_TEST_DIRNAME/webhook.py" "$TEST_DIR/hook.log" "${1:-200}" >.cap/hookport 2>&1 &
	BG_PIDS="$BG_PIDS $!"
	for _ in $(seq 100); do [ -s .cap/hookport ] && break; sleep 0.05; done
	HOOK="http://${HOOK_SECRET}127.0.0.1:$(head -1 .cap/hookport)/$HOOK_PATH"
}

# leaks: where the secret shows: stdout, stderr, the webhook bodies, or a
# file retort wrote (not OWN, the config or URL file the test wrote itself).
# One grep for all of them: this runs after every command.
leaks() {
	local f where=""
	for f in $(grep -rliF ${OWN:+$(printf -- '--exclude=%s ' $OWN)} --exclude-dir=.cap \
		"$CORE" . .cap/out .cap/err); do
		case $f in
		.cap/out) where+=" stdout" ;;
		.cap/err) where+=" stderr" ;;
		./hook.log) where+=" webhook-body" ;;
		*) where+=" file:$f" ;;
		esac
	done
	printf '%s' "$where"
}

# unmasked TEXT: each URL password in TEXT that is not ***: after
# "ROLE:" up to '@', or a password= query parameter.
unmasked() {
	local t=$1 nl=$'\n' re
	re="($ROLE:[^@ $nl]*@|[?&]password=[^&\"' $nl]*)"
	while [[ $t =~ $re ]]; do
		case ${BASH_REMATCH[1]} in
		"$ROLE:***@" | ?"password=***" | ?"password=***"[:.,\;\)]) ;;
		*) printf '%s ' "${BASH_REMATCH[1]}" ;;
		esac
		t=${t#*"${BASH_REMATCH[1]}"}
	done
}

# rcase EXPECT SHOWN ARGS...: run `retort ARGS`; its exit status must be
# EXPECT ('*': any), the secret must show nowhere, every URL naming ROLE
# must mask its password, and with SHOWN=1 the masked URL must be shown.
rcase() {
	local want=$1 shown=$2 st where bad out err
	shift 2
	rt "$@" >.cap/out 2>.cap/err && st=0 || st=$?
	out=$(<.cap/out) err=$(<.cap/err)
	where=$(leaks)
	bad=$(unmasked "$out$err")
	[ "$shown" = 1 ] && [[ $out$err != *'***'* ]] && shown=missing
	if [[ $st != $want ]] || [ -n "$where" ] || [ -n "$bad" ] || [ "$shown" = missing ]; then
		echo "FAILED: retort $*"
		echo "  exit status $st (expected $want)"
		[ -z "$where" ] || echo "  the secret shows in:$where"
		[ -z "$bad" ] || echo "  unmasked: $bad"
		[ "$shown" != missing ] || echo "  the masked URL (***) is not shown"
		printf '  --- stdout\n%s\n  --- stderr\n%s\n' "$out" "$err"
		[ ! -e hook.log ] || { echo "  --- webhook"; cat hook.log; }
		return 1
	fi
}

# Every command, in the order that makes each succeed on a fresh database.
# Columns: exit status when reachable, when the port is closed, when the
# password is wrong; whether the URL is shown under -v, and under -q (when
# reachable); the command.
COMMANDS="
0 0 0 0 0 upgrade head --sql
0 3 2 1 0 wait --timeout 10
1 2 2 1 0 check
0 2 2 1 0 upgrade 2b3c
0 2 2 1 0 migrate head
0 2 2 1 1 current -v
0 2 2 1 0 history -i
0 0 0 0 0 history
0 0 0 0 0 heads
0 0 0 0 0 branches
0 2 2 1 0 show current
0 2 2 1 0 check
0 2 2 1 1 check --json
0 2 2 1 1 status
0 2 2 1 0 showmigrations
0 2 2 1 0 diff
0 2 2 1 0 dump
0 2 2 1 0 dump -o dumped.sql
0 2 2 1 0 revision --autogenerate --empty -m auto --rev-id 4d5e6f7a8b9c
0 2 2 1 0 upgrade head
0 2 2 1 0 makemigrations --empty -m auto2 --rev-id 5e6f7a8b9c0d
0 2 2 1 0 upgrade head
0 2 2 1 0 rollback
0 2 2 1 0 downgrade -1
0 2 2 1 0 stamp head
0 2 2 1 0 downgrade base
0 2 2 1 0 stamp --purge 1a2b
0 0 0 0 0 stamp --sql head
0 0 0 0 0 downgrade --sql 3c4d5e6f7a8b:base
0 0 0 0 0 merge heads -m merged --rev-id 6f7a8b9c0d1e
0 0 0 0 0 init fresh
"

# commands COLUMN GLOBAL-OPTIONS...: run every command of the table with
# the exit status of COLUMN (1 reachable, 2 closed port, 3 wrong password).
commands() {
	local col=$1 ok down badpw v q cmd want shown
	shift
	while read -r ok down badpw v q cmd; do
		[ -n "$ok" ] || continue
		case $col in 1) want=$ok ;; 2) want=$down ;; 3) want=$badpw ;; esac
		shown=0
		case " $* " in *" -v "*) shown=$v ;; *) [ "$col" != 1 ] || shown=$q ;; esac
		# shellcheck disable=SC2086
		rcase "$want" "$shown" "$@" $cmd || return 1
	done <<<"$COMMANDS"
}

# must_catch ARGS...: rcase ARGS must fail (a planted leak is caught).
must_catch() {
	if rcase "$@" >/dev/null; then
		echo "not caught: rcase $*"
		return 1
	fi
}

@test "the leak check catches a planted leak: whole, %-encoded, in part, any stream, a written file" {
	local p
	# echo stands in for retort: the masked form passes ...
	RETORT_BIN=echo rcase 0 1 "postgresql://$ROLE:***@h/db?password=***"
	RETORT_BIN=echo rcase 0 0 "postgresql://$ROLE@h/db"
	for p in "$PW_ALL" "$(pct "$PW_ALL")" "xx#Zq9b" "zQ9A"; do
		# ... the secret in any form and stream is caught
		RETORT_BIN=echo must_catch 0 0 "postgresql://$ROLE:***@h/db?x=$p"
		RETORT_BIN=bash must_catch 0 0 -c 'echo "$0" >&2' "$p"
		RETORT_BIN=bash must_catch 0 0 -c 'echo "$0" >written.sql' "$p"
		rm -f written.sql
		echo "{\"text\": \"$p\"}" >hook.log
		RETORT_BIN=true must_catch 0 0
		rm hook.log
	done
	# any password not masked is caught, even without the core
	RETORT_BIN=echo must_catch 0 0 "postgresql://$ROLE:hunter2@h/db"
	RETORT_BIN=echo must_catch 0 0 "postgresql://$ROLE@h/db?sslmode=disable&password=hunter2"
	# so are a wrong exit status and a URL that should be shown and is not
	RETORT_BIN=false must_catch 0 0
	RETORT_BIN=echo must_catch 0 1 "postgresql://$ROLE@h/db"
}

@test "every command, reachable, -v, the %-encoded password in DATABASE_URL" {
	pg_role "$PW_ALL"
	export DATABASE_URL="postgresql://$ROLE:$(pct "$PW_ALL")@$HOSTPORT/$DB"
	commands 1 -v
}

@test "every command, reachable, -q, the raw password (no '?') in --url" {
	pg_role "$PW_NOQ"
	commands 1 -q --url "postgresql://$ROLE:$(raw "$PW_NOQ")@$HOSTPORT/$DB"
}

@test "every command, a closed port, -v, the %-encoded password in DATABASE_URL_FILE" {
	closed
	give DATABASE_URL_FILE pct "$PW_ALL"
	commands 2 -v
}

@test "every command, a wrong password, -q, PGPASSWORD" {
	pg_role "$PW_ALL"
	export PGPASSWORD="${PW_ALL}wrong"
	commands 3 -q -u "postgresql://$ROLE@$HOSTPORT/$DB"
}

@test "MySQL: every command, reachable, -v, the %-encoded password in DATABASE_URL" {
	my_role "$PW_ALL"
	export DATABASE_URL="mysql+pymysql://$ROLE:$(pct "$PW_ALL")@$HOSTPORT/$DB"
	commands 1 -v
}

@test "MySQL: every command, a closed port, -v, the raw password (no '?') in DATABASE_URL" {
	closed
	export DATABASE_URL="mysql://$ROLE:$(raw "$PW_NOQ")@$HOSTPORT/$DB"
	commands 2 -v
}

@test "MySQL: every command, a wrong password, -q, the %-encoded password in --url" {
	my_role "$PW_PLAIN"
	commands 3 -q --url "mariadb://$ROLE:$(pct "$PW_ALL")@$HOSTPORT/$DB"
}

# Every way to give the password.  Columns: the source, how the password
# is written (plain: no special characters; pct: %-encoded; raw: as is,
# but % as %25; in an ini file every % doubled), the password.
FORMS="
DATABASE_URL      plain PW_PLAIN
DATABASE_URL      pct   PW_ALL
DATABASE_URL      raw   PW_NOQ
DATABASE_URL      raw   PW_NOAT
DATABASE_URL_FILE pct   PW_ALL
DATABASE_URL_FILE raw   PW_NOAT
-u                pct   PW_ALL
--url             raw   PW_NOQ
PGPASSWORD        -     PW_ALL
?password=        pct   PW_ALL
retort.ini        pct   PW_ALL
alembic.ini       raw   PW_NOQ
RETORT_CONFIG     raw   PW_NOAT
"

# give SOURCE HOW PASSWORD: hand ROLE's PASSWORD, for the database at
# HOSTPORT/DB, to retort from SOURCE, written HOW; sets G (the global
# options to pass) and SHOWN (1: a URL shown carries a masked password).
give() {
	local src=$1 how=$2 pw=$3 enc url ini
	unset DATABASE_URL DATABASE_URL_FILE PGPASSWORD RETORT_CONFIG
	rm -f retort.ini alembic.ini other.ini url.txt
	G=() SHOWN=1 OWN=
	case $how in pct) enc=$(pct "$pw") ;; *) enc=$(raw "$pw") ;; esac
	url="postgresql://$ROLE:$enc@$HOSTPORT/$DB"
	ini="[retort]
script_location = migrations
sqlalchemy.url = ${url//%/%%}"
	case $src in
	DATABASE_URL) export DATABASE_URL=$url ;;
	DATABASE_URL_FILE) OWN=url.txt && printf '  %s  \n\n' "$url" >url.txt && export DATABASE_URL_FILE=url.txt ;;
	-u | --url) G=("$src" "$url") ;;
	PGPASSWORD) export PGPASSWORD=$pw && G=(-u "postgresql://$ROLE@$HOSTPORT/$DB") SHOWN=0 ;;
	'?password=') export DATABASE_URL="postgresql://$ROLE@$HOSTPORT/$DB?password=$enc" ;;
	retort.ini) OWN=retort.ini && printf '%s\n' "$ini" >retort.ini ;;
	alembic.ini) OWN=alembic.ini && printf '%s\n' "${ini/\[retort\]/[alembic]}" >alembic.ini ;;
	RETORT_CONFIG) OWN=other.ini && printf '%s\n' "$ini" >other.ini && export RETORT_CONFIG=other.ini ;;
	*) echo "give: unknown source $src" >&2; return 1 ;;
	esac
}

@test "every password form, reachable: the command succeeds, the URL shown masked" {
	local src how var set=""
	pg_role x
	while read -r src how var; do
		[ -n "$src" ] || continue
		[ "$set" = "$var" ] || pq_admin "ALTER ROLE $ROLE PASSWORD '${!var}'" >/dev/null
		set=$var
		give "$src" "$how" "${!var}"
		rcase 0 "$SHOWN" -v "${G[@]}" status || return 1
		rcase 0 0 -q "${G[@]}" upgrade head || return 1
		rcase 0 "$SHOWN" -q "${G[@]}" check --json || return 1
		rcase 0 0 -v "${G[@]}" downgrade base || return 1
	done <<<"$FORMS"
}

@test "every password form, a closed port: the command fails, the URL shown masked" {
	local src how var
	closed
	while read -r src how var; do
		[ -n "$src" ] || continue
		give "$src" "$how" "${!var}"
		rcase 2 "$SHOWN" -v "${G[@]}" current -v || return 1
		rcase 2 0 -q "${G[@]}" status || return 1
		rcase 2 0 "${G[@]}" upgrade head || return 1
	done <<<"$FORMS"
}

@test "every password form, a wrong password: the command fails" {
	local src how var
	pg_role "${PW_ALL}-not-this"
	while read -r src how var; do
		[ -n "$src" ] || continue
		give "$src" "$how" "${!var}"
		rcase 2 "$SHOWN" -v "${G[@]}" upgrade head || return 1
		rcase 2 0 -q "${G[@]}" check --json || return 1
	done <<<"$FORMS"
}

@test "--wait-timeout and RETORT_WAIT_TIMEOUT: the deadline's error shows the URL masked" {
	closed
	give DATABASE_URL pct "$PW_ALL"
	rcase 3 1 -v --wait-timeout 1 upgrade head
	grep -q "timed out after 1 s waiting for 'postgresql://$ROLE:\*\*\*@$HOSTPORT/$DB'" .cap/err
	give --url raw "$PW_NOQ"
	RETORT_WAIT_TIMEOUT=0.3 rcase 3 1 -q "${G[@]}" status
	give DATABASE_URL pct "$PW_ALL"
	rcase 3 1 -q wait -t 0.3
}

@test "--wait-timeout, reachable: the wait ends and the command runs" {
	pg_role "$PW_ALL"
	give DATABASE_URL_FILE pct "$PW_ALL"
	rcase 0 1 -v --wait-timeout 10 upgrade head
	grep -q "postgresql://$ROLE:\*\*\*@$HOSTPORT/$DB is ready" .cap/err
	rcase 0 1 -q --wait-timeout 10 status
}

# hook_db: the webhook's bodies name the database with its password masked.
hook_db() {
	grep -q "\"database\": \"postgresql://$ROLE:\*\*\*@$HOSTPORT/$DB\"" hook.log ||
		{ echo "no masked database URL in the webhook body:"; cat hook.log; return 1; }
}

@test "--notify, reachable: success and a failed migration post bodies without the password" {
	pg_role "$PW_ALL"
	webhook
	give DATABASE_URL pct "$PW_ALL"
	rcase 0 0 -q --notify "$HOOK" upgrade 1a2b
	give retort.ini pct "$PW_ALL"
	printf 'notify_url = %s\n' "$HOOK" >>retort.ini
	rcase 0 1 -v upgrade 3c4d
	give -u raw "$PW_NOQ"
	pq_admin "ALTER ROLE $ROLE PASSWORD '$PW_NOQ'" >/dev/null
	mkrev 4d5e6f7a8b9c 3c4d5e6f7a8b "broken" "SELECT * FROM nowhere;" "SELECT 1;"
	RETORT_NOTIFY_URL=$HOOK rcase 2 1 -v "${G[@]}" upgrade head
	RETORT_NOTIFY_URL=$HOOK rcase 0 0 -q "${G[@]}" downgrade base
	rcase 0 0 -q --notify "$HOOK" "${G[@]}" stamp 3c4d
	[ "$(wc -l <hook.log)" -eq 5 ]
	[ "$(grep -c '"ok": true' hook.log)" -eq 4 ]
	hook_db
}

@test "--notify, a wrong password: the failure's body has no password" {
	pg_role "$PW_ALL"
	webhook
	give DATABASE_URL_FILE pct "${PW_ALL}-not-this"
	rcase 2 1 -v --notify "$HOOK" upgrade head
	give PGPASSWORD - "${PW_ALL}-not-this"
	RETORT_NOTIFY_URL=$HOOK rcase 2 0 -q "${G[@]}" downgrade base
	[ "$(grep -c '"ok": false.*password authentication failed' hook.log)" -eq 2 ]
	grep -q "\"database\": \"postgresql://$ROLE:\*\*\*@$HOSTPORT/$DB\"" hook.log
	grep -q "\"database\": \"postgresql://$ROLE@$HOSTPORT/$DB\"" hook.log
}

@test "--notify, a closed port: the failure's body has no password" {
	closed
	webhook
	give DATABASE_URL pct "$PW_ALL"
	rcase 2 1 -v --notify "$HOOK" upgrade head
	give alembic.ini raw "$PW_NOQ"
	rcase 2 0 -q --notify "$HOOK" stamp head
	[ "$(grep -c '"ok": false.*Connection refused' hook.log)" -eq 2 ]
	hook_db
}

@test "--notify: a webhook that fails or is down names only its origin, never its credentials or path" {
	closed
	linear3
	give DATABASE_URL pct "$PW_ALL"
	export DATABASE_URL="sqlite:///$TEST_DIR/test.db"   # a database that works, so that there is a change to post
	webhook 404   # a 4xx is not retried
	rcase 0 0 -v --notify "$HOOK" upgrade 1a2b
	grep -q "could not send the notification to http://127.0.0.1:[0-9]*/...: the webhook answered HTTP 404" .cap/err
	rcase 0 0 -q --notify "http://${HOOK_SECRET}$HOSTPORT/$HOOK_PATH" upgrade head
	grep -q "could not send the notification to http://$HOSTPORT/..." .cap/err
}

# A webhook's password may hold any character raw, as a database URL's
# may: the origin named in the warning drops the userinfo as the one URL
# parser splits it, so no part of the password shows (a split at the first
# '/', '?' or '#' used to show "http://hookuser:Zq9a/...").
@test "--notify: a webhook password holding a raw '/', '?', '#' or '%' never shows, in whole or in part" {
	local pw n=0
	closed
	linear3
	export DATABASE_URL="sqlite:///$TEST_DIR/test.db"   # a change to post each time
	for pw in 'Zq9a/Zq9b' 'Zq9a?Zq9b' 'Zq9a#Zq9b' 'Zq9a%Zq9b' 'Zq9a%2FZq9b' "$(raw "$PW_ALL")" "$PW_ALL"; do
		rcase 0 0 -v --notify "http://hookuser:$pw@$HOSTPORT/$HOOK_PATH" upgrade head || return 1
		grep -q "could not send the notification to http://$HOSTPORT/\.\.\.:" .cap/err ||
			{ echo "no warning naming the webhook's origin for password $pw:"; cat .cap/err; return 1; }
		rcase 0 0 -q --notify "http://hookuser:$pw@$HOSTPORT" downgrade base || return 1
		grep -q "could not send the notification to http://$HOSTPORT:" .cap/err ||
			{ echo "no warning naming the webhook's origin for password $pw:"; cat .cap/err; return 1; }
		n=$((n + 1))
	done
	[ "$n" -eq 7 ]
}

@test "URLs given to diff --from/--to/--dev-url and wait TARGET: reachable, wrong password, closed port" {
	pg_role "$PW_ALL"
	local ok="postgresql://$ROLE:$(pct "$PW_ALL")@$HOSTPORT/$DB"
	local badpw="postgresql://$ROLE:$(raw "$PW_NOAT")@$HOSTPORT/$DB"
	local down="postgresql://$ROLE:$(raw "$PW_NOQ")@127.0.0.1:$CLOSED_PORT/$DB"
	export DATABASE_URL=$ok
	rcase 0 0 -q upgrade head
	rcase 0 0 -v diff --from "$ok" --to schema
	rcase 0 0 -q diff --from database --to "$ok"
	rcase 0 0 -v diff --dev-url "$ok" --from head --to "$ok"
	rcase 0 1 -v wait -t 10 "$ok"
	rcase 0 1 -v wait -t 10 --db "$ok" "postgresql://$ROLE@$HOSTPORT/$DB?password=$(pct "$PW_ALL")"
	rcase 2 0 -v diff --from "$badpw" --to schema
	rcase 2 0 -q diff --dev-url "$badpw" --from head
	rcase 2 1 -q wait -t 10 "$badpw"
	rcase 2 0 -v diff --from database --to "$down"
	rcase 3 1 -q wait -t 0.3 "$down"
}

@test "malformed URLs are refused without showing the password" {
	local at="@127.0.0.1:$CLOSED_PORT/db"
	rcase 64 1 -u "postgresql://$ROLE:$(pct "$PW_ALL")@127.0.0.1:port/db" current
	rcase 64 1 -u "postgresql://$ROLE:Zq9a%ZZ$at" current
	rcase 64 1 -u "postgresql://$ROLE$at?password=Zq9a%ZZ" current
	rcase 64 1 -u "postgresql://$ROLE:$(pct "$PW_ALL")@[::1:5432/db" current
	rcase 64 1 -u "oracle://$ROLE:$(raw "$PW_NOQ")$at" current
	DATABASE_URL="postgresql://$ROLE:Zq9a$at?sslmode=bogus" rcase 2 1 -v current
	DATABASE_URL="postgresql://$ROLE:Zq9a$at?bogus=1" rcase 2 1 -v current
}

# ---- Leaks found by this file.  Each test below fails until src/ is fixed;
# its comment says where.  Exit statuses '*' leave the parse to the fix. ----

# These five were leaks this file found; each is a regression test now.
@test "a raw password holding '?' and then '@' is masked whole" {
	closed
	give DATABASE_URL raw "$PW_ALL"
	rcase '*' 0 -v current
	rcase '*' 0 -u "postgresql://$ROLE:Zq9a?Zq9b@Zq9c@$HOSTPORT/$DB" -v current
}

@test "?password= holding a raw '#' is masked to its end" {
	closed
	webhook
	export DATABASE_URL="postgresql://$ROLE@$HOSTPORT/$DB?password=Zq9a#Zq9b"
	rcase 2 1 -v --notify "$HOOK" upgrade head
}

@test "a %-encoded password= key is masked as the parser reads it" {
	closed
	rcase 2 1 -v -u "postgresql://$ROLE@$HOSTPORT/$DB?%70assword=$(pct "$PW_ALL")" current
	pg_role "$PW_ALL"
	export DATABASE_URL="postgresql://$ROLE@$HOSTPORT/$DB?%70assword=$(pct "$PW_ALL")"
	rcase 0 1 -v status
}

@test "a URL without '://' is never quoted with its password" {
	closed
	rcase 64 0 -u "$ROLE:$(pct "$PW_ALL")@$HOSTPORT/$DB" current
	rcase 64 0 -u "postgresql:/$ROLE:$(pct "$PW_ALL")@$HOSTPORT/$DB" current
}

@test "a URL glued to a global option after the command, or given as an argument, is never echoed" {
	closed
	local url="postgresql://$ROLE:$(raw "$PW_NOQ")@$HOSTPORT/$DB"
	rcase 64 0 current --url="$url"
	grep -q "as in 'retort --url URL current ...'" .cap/err
	rcase 64 0 current "-u$url"
	rcase 64 0 upgrade --target="$url" head
	rcase 64 0 current "$url"
	grep -q "argument 1 to 'current' looks like a URL" .cap/err
	rcase 64 0 upgrade "$url"
	rcase 64 0 stamp "$url"
	rcase 64 1 wait -t 0.2 "tcp://$ROLE:$(raw "$PW_NOQ")@$HOSTPORT"
	grep -q "takes no user or password" .cap/err
}

@test "a sqlite URL with user:password@host is masked too" {
	closed
	rcase 64 0 -u "sqlite://$ROLE:$(pct "$PW_ALL")@$HOSTPORT/app.db" current
}
