#!/usr/bin/env bats
# Covers `retort convert` (issue #17, part 2): the .sql twin of every
# Alembic .py revision, rendered by the project's own Alembic and env.py
# (Debian's python3-alembic): offline for the configured dialect, or
# recorded against a --dev-url scratch database when offline rendering
# cannot work (SQLite batch mode, reads through op.get_bind()), which is
# never the configured database however its URL is spelled.  After
# convert, retort alone takes a database that Alembic upgraded half way
# to head, Alembic agrees on where it is, the schema of that database and
# of one retort builds from base equals the one Alembic builds from base,
# the listings are Alembic's, and downgrade base empties them (one helper,
# fixture_matrix, checks all of it for each fixture).  Data-dependent
# revisions carry a visible WARNING; existing .sql files are never
# overwritten; a missing Alembic, a raising revision or a broken env.py
# fail clearly, exit non-zero and write nothing for what failed.  Every
# fixture project is written by the test with the real `alembic`, or with
# `flask db` (Debian's python3-flask-migrate) for the Flask-Migrate layout,
# whose env.py runs only inside the app's context.

load helpers

PY=/usr/bin/python3

alembic() {
	"$PY" -m alembic "$@"
}

# A fresh `alembic init` project on URL ($1, default the test's database).
init_project() {
	"$PY" -c 'import alembic' 2>/dev/null ||
		skip "python3-alembic is not installed (apt-get install python3-alembic)"
	alembic init mig >/dev/null
	local url=${1:-$DATABASE_URL}
	sed -i "s|^sqlalchemy.url = .*|sqlalchemy.url = ${url//&/\\&}|" alembic.ini
	unset DATABASE_URL   # both tools read the URL from alembic.ini
}

# set_bodies FILE UPGRADE-BODY DOWNGRADE-BODY: the revision's two `pass`
# function bodies replaced (lines separated by \n, indented by four spaces here).
set_bodies() {
	"$PY" - "$@" <<'PY'
import re, sys
path, up, down = sys.argv[1:]
body = lambda b: "\n".join("    " + l for l in b.split("\\n"))
s = open(path).read()
s = re.sub(r"(def upgrade\(\)[^:]*:\n)    pass", lambda m: m.group(1) + body(up), s)
s = re.sub(r"(def downgrade\(\)[^:]*:\n)    pass", lambda m: m.group(1) + body(down), s)
open(path, "w").write(s)
PY
}

# newrev ID MESSAGE UPGRADE-BODY DOWNGRADE-BODY [alembic revision options]:
# a revision written by Alembic, its bodies given (set_bodies).
newrev() {
	local id=$1 msg=$2 up=$3 down=$4
	shift 4
	alembic revision -m "$msg" --rev-id "$id" "$@" >/dev/null
	set_bodies mig/versions/"${id}"_*.py "$up" "$down"
}

# The linear project: users, a column and an index, orders.
linear_project() {
	init_project "$@"
	newrev 1975ea83b712 "create users" \
		"op.create_table('users', sa.Column('id', sa.Integer, primary_key=True),\n    sa.Column('name', sa.String(50), nullable=False))" \
		"op.drop_table('users')"
	newrev ae1027a6acf5 "add email" \
		"op.add_column('users', sa.Column('email', sa.String(200)))\nop.create_index('ix_users_email', 'users', ['email'], unique=True)" \
		"op.drop_index('ix_users_email', table_name='users')\nop.execute('ALTER TABLE users DROP COLUMN email')"
	newrev 27c6a30d7c24 "add orders" \
		"op.create_table('orders', sa.Column('id', sa.Integer, primary_key=True),\n    sa.Column('user_id', sa.Integer, sa.ForeignKey('users.id')))" \
		"op.drop_table('orders')"
}

# How fixture_matrix runs each tool on a database URL ($1): Alembic through
# a copy of alembic.ini naming that URL, retort with -u.  The Flask-Migrate
# test redefines both (the app's DATABASE_URL, -c migrations/alembic.ini).
fx_alembic() {
	local url=$1
	shift
	sed "s|^sqlalchemy.url = .*|sqlalchemy.url = ${url//&/\\&}|" alembic.ini >fx.ini
	alembic -c fx.ini "$@" 2>/dev/null
}
fx_rt() {
	local url=$1
	shift
	rt -u "$url" "$@"
}
# retort dump of URL.  Alembic's offline scripts indent with four spaces
# where its online DDL has a tab, and SQLite keeps the text: runs of white
# space count as one.
fx_dump() {
	fx_rt "$1" dump | tr -s ' \t' ' '
}
# fx_at_head URL: what a test checks besides, when retort has taken URL to heads.
fx_at_head() { :; }

# fx_db NAME VAR: VAR set to the URL of another database NAME on this
# backend, made in this shell (not in $(...)), so that the teardown drops it.
fx_db() {
	db_other "$1" >"$TEST_DIR/fx.url"
	printf -v "$2" %s "$(cat "$TEST_DIR/fx.url")"
}

# history --verbose lists a branch point's "Branches into:" revisions from a
# Python frozenset of strings, whose order changes from one run of Alembic to
# the next (hash randomization): the revisions are compared, not their order.
fx_branches_sorted() {
	"$PY" -c 'import sys
for l in sys.stdin:
    h, s, t = l.rstrip("\n").partition("Branches into: ")
    print(h + s + ", ".join(sorted(t.split(", "))) if s and not h.strip() else l.rstrip("\n"))'
}

# fx_current_same URL: retort's current rows are Alembic's, byte for byte.
# Alembic prints them in the order of a Python set of revision objects
# (hashed by identity: no order), so with two heads the order is not compared.
fx_current_same() {
	local a r
	a=$(fx_alembic "$1" current | sort) r=$(fx_rt "$1" current | sort)
	[ "$r" = "$a" ] || { echo "current: retort's differs from Alembic's:"; diff <(echo "$r") <(echo "$a"); return 1; }
}

# fixture_matrix URL: the issue's checks for a converted fixture project
# whose database URL Alembic has upgraded half way, on this test's backend.
# The listings (history, history --verbose, heads, current) are Alembic's
# byte for byte; retort takes URL to heads and Alembic agrees; a database
# built from base by retort from the converted files dumps as one built
# from base by Alembic, and as URL; downgrade base by retort empties URL and
# the one it built, as Alembic's own empties its one (no table, type or
# index left, no version row), and Alembic takes URL to heads again; every
# revision that reads through op.get_bind() has its WARNING.
fixture_matrix() {
	local url=$1 alb rtb empty cmd py out u
	fx_db alb alb
	fx_db rtb rtb
	fx_db empty empty
	for cmd in history "history --verbose" heads; do
		# shellcheck disable=SC2086
		out=$(fx_alembic "$url" $cmd | fx_branches_sorted)
		# shellcheck disable=SC2086
		[ "$(fx_rt "$url" $cmd | fx_branches_sorted)" = "$out" ] ||
			{ echo "$cmd: retort's differs from Alembic's:"; diff <(fx_rt "$url" $cmd | fx_branches_sorted) - <<<"$out"; return 1; }
	done
	fx_current_same "$url"
	[ -n "$(fx_alembic "$url" current)" ] || { echo "$url is not half way"; return 1; }
	run fx_rt "$url" upgrade heads
	[ "$status" -eq 0 ] || { echo "upgrade heads: $output"; return 1; }
	fx_current_same "$url" || return 1
	out=$(fx_alembic "$url" current)
	[ "$(grep -c '(head)' <<<"$out")" = "$(fx_alembic "$url" heads | wc -l)" ] || { echo "not at every head: $out"; return 1; }
	fx_at_head "$url"
	# from base: Alembic's .py on one database, retort's .sql on another
	fx_alembic "$alb" upgrade heads
	run fx_rt "$rtb" upgrade heads
	[ "$status" -eq 0 ] || { echo "upgrade heads from base: $output"; return 1; }
	[ "$(fx_alembic "$rtb" current | sort)" = "$(fx_alembic "$alb" current | sort)" ]
	[ "$(fx_dump "$alb")" != "$(fx_dump "$empty")" ] || { echo "Alembic built nothing"; return 1; }
	[ "$(fx_dump "$rtb")" = "$(fx_dump "$alb")" ] ||
		{ echo "from base, retort's schema differs from Alembic's:"; diff <(fx_dump "$rtb") <(fx_dump "$alb"); return 1; }
	[ "$(fx_dump "$url")" = "$(fx_dump "$alb")" ] ||
		{ echo "from half way, retort's schema differs from Alembic's:"; diff <(fx_dump "$url") <(fx_dump "$alb"); return 1; }
	# downgrade base empties them
	for u in "$url" "$rtb"; do
		run fx_rt "$u" downgrade base
		[ "$status" -eq 0 ] || { echo "downgrade base: $output"; return 1; }
	done
	fx_alembic "$alb" downgrade base
	for u in "$url" "$rtb" "$alb"; do
		[ "$(fx_dump "$u")" = "$(fx_dump "$empty")" ] || { echo "not empty after downgrade base: $(fx_dump "$u")"; return 1; }
		[ -z "$(fx_alembic "$u" current)" ] && [ -z "$(fx_rt "$u" current)" ] || { echo "a version row is left in $u"; return 1; }
	done
	# Alembic still works on the database retort took there and back
	fx_alembic "$url" upgrade heads
	fx_current_same "$url"
	# the data migrations are flagged
	for py in $(grep -rl --include='*.py' 'op.get_bind()' .); do
		grep -q -- '^-- WARNING: converted from Python; review: reads through a connection (op.get_bind())' "${py%.py}.sql" ||
			{ echo "$py: no WARNING in ${py%.py}.sql"; return 1; }
	done
}

@test "a linear SQLite project: convert, then retort takes Alembic's half-way database to head and back to base" {
	linear_project "sqlite:///$TEST_DIR/app.db"
	alembic upgrade ae1027a6acf5 2>/dev/null
	run rt convert
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *"convert: 3 converted (0 recorded against --dev-url), 0 flagged for review, 0 refused"* ]]
	for f in mig/versions/*.py; do [ -f "${f%.py}.sql" ]; done
	sql=mig/versions/1975ea83b712_create_users.sql
	[ "$(sed -n 1,4p $sql)" = "$(printf -- '-- create users\n--\n-- Revision ID: 1975ea83b712\n-- Revises: ')" ]
	grep -q '^-- Create Date: ' $sql
	grep -q '^CREATE TABLE users' $sql
	# no version-table statement, no BEGIN/COMMIT, no "-- Running upgrade" comment
	! grep -qiE 'alembic_version|^BEGIN|^COMMIT|Running upgrade' mig/versions/*.sql
	# a .py/.sql pair is one revision: the listings stay Alembic's, and so on
	fixture_matrix "sqlite:///$TEST_DIR/app.db"
}

@test "the linear project on PostgreSQL: convert, then the same matrix" {
	switch_backend postgresql
	"$PY" -c 'import psycopg2' 2>/dev/null || skip "python3-psycopg2 is not installed (Alembic online on PostgreSQL)"
	url=$DATABASE_URL
	linear_project "$url"
	alembic upgrade ae1027a6acf5 2>/dev/null
	run rt convert
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *"convert: 3 converted (0 recorded against --dev-url), 0 flagged for review, 0 refused"* ]]
	grep -qx 'CREATE TABLE users (' mig/versions/1975ea83b712_create_users.sql
	fixture_matrix "$url"
}

@test "PostgreSQL: an enum and an autocommit_block (ALTER TYPE ... ADD VALUE, CREATE INDEX CONCURRENTLY)" {
	switch_backend postgresql
	"$PY" -c 'import psycopg2' 2>/dev/null || skip "python3-psycopg2 is not installed (Alembic online on PostgreSQL)"
	url=$DATABASE_URL
	init_project "$url"
	newrev 0a0a0a0a0a01 "create orders" \
		"op.create_table('orders', sa.Column('id', sa.Integer, primary_key=True),\n    sa.Column('status', sa.Enum('new', 'paid', name='order_status'), nullable=False))" \
		"op.drop_table('orders')\nop.execute('DROP TYPE order_status')"
	newrev 0a0a0a0a0a02 "shipped orders" \
		"op.add_column('orders', sa.Column('note', sa.Text()))\nwith op.get_context().autocommit_block():\n    op.execute(\"ALTER TYPE order_status ADD VALUE 'shipped'\")\n    op.create_index('ix_orders_status', 'orders', ['status'], postgresql_concurrently=True)" \
		"with op.get_context().autocommit_block():\n    op.drop_index('ix_orders_status', table_name='orders', postgresql_concurrently=True)\nop.drop_column('orders', 'note')"
	# the common enum idiom: create and drop the type through the connection
	newrev 0a0a0a0a0a03 "order priority" \
		"sa.Enum('low', 'high', name='priority').create(op.get_bind())\nop.add_column('orders', sa.Column('priority', postgresql.ENUM('low', 'high', name='priority', create_type=False)))" \
		"op.drop_column('orders', 'priority')\nsa.Enum(name='priority').drop(op.get_bind())"
	sed -i 's/^import sqlalchemy as sa$/&\nfrom sqlalchemy.dialects import postgresql/' mig/versions/0a0a0a0a0a03_*.py
	alembic upgrade 0a0a0a0a0a01 2>/dev/null
	run rt convert
	[ "$status" -eq 2 ]
	[[ "$output" == *"2 converted (0 recorded against --dev-url), 1 flagged for review, 1 refused"* ]]
	fx_db dev dev
	run rt convert --dev-url "$dev"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *"1 converted (1 recorded against --dev-url), 1 flagged for review, 0 refused"* ]]
	[[ "$output" == *"(postgresql) ...  done"* ]]
	sql=mig/versions/0a0a0a0a0a03_order_priority.sql
	grep -qx "CREATE TYPE priority AS ENUM ('low', 'high');" $sql
	grep -qx "DROP TYPE priority;" $sql
	grep -q -- "^-- WARNING: converted from Python; review: reads through a connection (op.get_bind())" $sql
	sql=mig/versions/0a0a0a0a0a02_shipped_orders.sql
	grep -qx -- '-- migrate:upgrade transaction:false' $sql
	grep -qx -- '-- migrate:downgrade transaction:false' $sql
	grep -qx "ALTER TYPE order_status ADD VALUE 'shipped';" $sql
	grep -qx 'CREATE INDEX CONCURRENTLY ix_orders_status ON orders (status);' $sql
	grep -qx "CREATE TYPE order_status AS ENUM ('new', 'paid');" mig/versions/0a0a0a0a0a01_create_orders.sql
	grep -qx -- '-- migrate:upgrade' mig/versions/0a0a0a0a0a01_create_orders.sql
	fx_at_head() {
		[ "$(pq "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'order_status'::regtype")" = "new,paid,shipped" ]
		[ "$(pq "SELECT indexname FROM pg_indexes WHERE indexname = 'ix_orders_status'")" = ix_orders_status ]
		# retort_progress is retort's own (the transaction:false sections' resume points), empty
		[ "$(db_tables)" = "alembic_version orders retort_progress" ]
		[ "$(pq 'SELECT count(*) FROM retort_progress')" = 0 ]
	}
	fixture_matrix "$url"
	# the scratch database is back at base too
	[ "$(db_tables dev)" = alembic_version ]
}

@test "a Flask-style SQLite batch_alter_table needs a live table: refused offline, recorded with --dev-url" {
	init_project "sqlite:///$TEST_DIR/app.db"
	newrev 1a1a1a1a1a1a "create user" \
		"op.create_table('user', sa.Column('id', sa.Integer, primary_key=True),\n    sa.Column('username', sa.String(64), nullable=False))" \
		"op.drop_table('user')"
	newrev 2b2b2b2b2b2b "user email" \
		"with op.batch_alter_table('user', schema=None) as batch_op:\n    batch_op.add_column(sa.Column('email', sa.String(120), nullable=True))\n    batch_op.alter_column('username', existing_type=sa.String(64), nullable=True)\n    batch_op.create_index(batch_op.f('ix_user_email'), ['email'], unique=True)" \
		"with op.batch_alter_table('user', schema=None) as batch_op:\n    batch_op.drop_index(batch_op.f('ix_user_email'))\n    batch_op.drop_column('email')"
	alembic upgrade 1a1a1a1a1a1a 2>/dev/null
	run rt convert
	[ "$status" -eq 2 ]
	[[ "$output" == *"convert: 1 converted (0 recorded against --dev-url), 0 flagged for review, 1 refused"* ]]
	[[ "$output" == *"  2b2b2b2b2b2b  mig/versions/2b2b2b2b2b2b_user_email.py"* ]]
	[[ "$output" == *"2b2b2b2b2b2b_user_email.py:20: CommandError: This operation cannot proceed in --sql mode"* ]]
	[[ "$output" == *"pass --dev-url URL"* ]]
	[ -f mig/versions/1a1a1a1a1a1a_create_user.sql ]
	[ ! -e mig/versions/2b2b2b2b2b2b_user_email.sql ]
	# never recorded against the configured database
	run rt convert --dev-url "sqlite:///$TEST_DIR/app.db"
	[ "$status" -eq 64 ]
	[[ "$output" == *"--dev-url is the configured database"* ]]
	# nor against a database that is not empty
	sqlite3 busy.db 'CREATE TABLE keep (id INTEGER)'
	run rt convert --dev-url "sqlite:///$TEST_DIR/busy.db"
	[ "$status" -eq 2 ]
	[[ "$output" == *"the dev database is not empty (it has keep)"* ]]
	[ ! -e mig/versions/2b2b2b2b2b2b_user_email.sql ]
	[ "$(sqlite3 busy.db "SELECT group_concat(name) FROM sqlite_master")" = keep ]
	run rt convert --dev-url "sqlite:///$TEST_DIR/dev.db"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *"1 converted (1 recorded against --dev-url), 0 flagged for review, 0 refused"* ]]
	sql=mig/versions/2b2b2b2b2b2b_user_email.sql
	# the table rebuild Alembic's batch mode runs
	grep -q '^CREATE TABLE _alembic_tmp_user' $sql
	grep -q '^ALTER TABLE _alembic_tmp_user RENAME TO user;' $sql
	grep -q '^CREATE UNIQUE INDEX ix_user_email' $sql
	fixture_matrix "sqlite:///$TEST_DIR/app.db"
}

flaskdb() {
	"$PY" -m flask db "$@"
}

# A Flask-Migrate project as `flask db init` writes it: migrations/alembic.ini
# with an [alembic] section of comments only and no script_location, and an
# env.py that reads the app through Flask's current_app, for an app.py (found
# as `flask db` finds it) whose database is DATABASE_URL, SQLite here.  Its
# second revision is the batch_alter_table that Flask-Migrate generates.
flask_project() {
	"$PY" -c 'import flask_migrate, flask_sqlalchemy' 2>/dev/null ||
		skip "python3-flask-migrate is not installed (apt-get install python3-flask-migrate)"
	cat >app.py <<'EOF'
import os

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
db = SQLAlchemy(app)
migrate = Migrate(app, db)
EOF
	export DATABASE_URL="sqlite:///$TEST_DIR/app.db"
	flaskdb init >/dev/null 2>&1
	! grep -q '^script_location' migrations/alembic.ini
	grep -q '^from flask import current_app' migrations/env.py
	flaskdb revision -m "create user" --rev-id 1a1a1a1a1a1a >/dev/null 2>&1
	set_bodies migrations/versions/1a1a1a1a1a1a_*.py \
		"op.create_table('user', sa.Column('id', sa.Integer, primary_key=True),\n    sa.Column('username', sa.String(64), nullable=False))" \
		"op.drop_table('user')"
	flaskdb revision -m "user email" --rev-id 2b2b2b2b2b2b >/dev/null 2>&1
	set_bodies migrations/versions/2b2b2b2b2b2b_*.py \
		"with op.batch_alter_table('user', schema=None) as batch_op:\n    batch_op.add_column(sa.Column('email', sa.String(120), nullable=True))\n    batch_op.create_index(batch_op.f('ix_user_email'), ['email'], unique=True)" \
		"with op.batch_alter_table('user', schema=None) as batch_op:\n    batch_op.drop_index(batch_op.f('ix_user_email'))\n    batch_op.drop_column('email')"
}

@test "a Flask-Migrate project as flask db init writes it: converted inside the app's context, taken to head by retort, flask db agrees" {
	flask_project
	r() { rt -c migrations/alembic.ini "$@"; }
	flaskdb upgrade 1a1a1a1a1a1a 2>/dev/null
	run r convert
	[ "$status" -eq 2 ] || { echo "$output"; return 1; }
	[[ "$output" == *"1 converted (0 recorded against --dev-url), 0 flagged for review, 1 refused"* ]]
	[[ "$output" == *"2b2b2b2b2b2b_user_email.py:"*"CommandError: This operation cannot proceed in --sql mode"* ]]
	grep -q '^CREATE TABLE user (' migrations/versions/1a1a1a1a1a1a_create_user.sql
	cp app.db before.db
	# env.py connects to the app's database: recording stops before it runs anything there
	run r convert --dev-url "sqlite:///$TEST_DIR/dev.db"
	[ "$status" -eq 2 ]
	[[ "$output" == *"env.py connected to sqlite:///$TEST_DIR/app.db, not to the dev database"*"point the app at the scratch database, and give retort the real one with -u"* ]]
	[ ! -e migrations/versions/2b2b2b2b2b2b_user_email.sql ]
	cmp app.db before.db
	# the app on the scratch database, retort on the real one
	DATABASE_URL="sqlite:///$TEST_DIR/dev.db" run r -u "sqlite:///$TEST_DIR/app.db" convert --dev-url "sqlite:///$TEST_DIR/dev.db"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *"1 converted (1 recorded against --dev-url), 0 flagged for review, 0 refused"* ]]
	grep -q '^CREATE TABLE _alembic_tmp_user' migrations/versions/2b2b2b2b2b2b_user_email.sql
	cmp app.db before.db
	# flask db on the app's database, which DATABASE_URL names
	fx_alembic() {
		local url=$1
		shift
		DATABASE_URL=$url flaskdb "$@" 2>/dev/null
	}
	fx_rt() {
		local url=$1
		shift
		r -u "$url" "$@"
	}
	fixture_matrix "sqlite:///$TEST_DIR/app.db"
}

@test "a Flask-Migrate project: an app convert cannot find, or one on another dialect, fails the run and writes nothing" {
	flask_project
	mv app.py shop.py
	run rt -c migrations/alembic.ini convert
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "retort: error: convert: $TEST_DIR/migrations/env.py uses Flask, so convert loads the app as \`flask db\` does, and that failed: NoAppException: Could not locate a Flask application. Use the 'flask --app' option, 'FLASK_APP' environment variable, or a 'wsgi.py' or 'app.py' file in the current directory." ]
	[ -z "$(ls migrations/versions/*.sql 2>/dev/null)" ]
	export FLASK_APP=shop
	# env.py renders for the app's database, whatever retort asked
	run rt -c migrations/alembic.ini convert --dialect postgresql 1a1a
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "retort: error: convert: env.py rendered 1a1a1a1a1a1a for sqlite, not postgresql: it sets its own database URL (Flask-Migrate's takes the app's SQLALCHEMY_DATABASE_URI); convert for sqlite (its dialect option) instead, or point it at a postgresql database" ]
	[ -z "$(ls migrations/versions/*.sql 2>/dev/null)" ]
	run rt -c migrations/alembic.ini convert 1a1a
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ -f migrations/versions/1a1a1a1a1a1a_create_user.sql ]
}

# A project on URL ($1) whose second revision reads through op.get_bind():
# it converts only by recording against a --dev-url database.
data_project() {
	init_project "$1"
	newrev 3c3c3c3c3c3c "settings" \
		"op.create_table('settings', sa.Column('id', sa.Integer, primary_key=True), sa.Column('value', sa.String(20)))" \
		"op.drop_table('settings')"
	newrev 4d4d4d4d4d4d "default setting" \
		"bind = op.get_bind()\nlast = bind.execute(sa.text('SELECT max(id) FROM settings')).scalar()\nrows = [{'id': (last or 0) + 1, 'value': 'on'}]\nop.bulk_insert(sa.table('settings', sa.column('id'), sa.column('value')), rows)" \
		"op.execute('DELETE FROM settings')"
}

@test "a data migration through op.get_bind() is flagged, refused without --dev-url and converted with it" {
	data_project "sqlite:///$TEST_DIR/app.db"
	py=mig/versions/4d4d4d4d4d4d_default_setting.py
	run rt convert
	[ "$status" -eq 2 ]
	[[ "$output" == *"1 converted (0 recorded against --dev-url), 1 flagged for review, 1 refused"* ]]
	[[ "$output" == *"  4d4d4d4d4d4d  $py:20: reads through a connection (op.get_bind())"* ]]
	[[ "$output" == *"  4d4d4d4d4d4d  $py:23: bulk_insert of computed rows"* ]]
	[[ "$output" == *"pass --dev-url URL"* ]]
	[ ! -e "${py%.py}.sql" ]
	run rt convert --dev-url "sqlite:///$TEST_DIR/dev.db"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *"1 converted (1 recorded against --dev-url), 1 flagged for review, 0 refused"* ]]
	[[ "$output" == *"  4d4d4d4d4d4d  $py:20: reads through a connection (op.get_bind())"* ]]
	sql=${py%.py}.sql
	# the WARNING opens the section, naming the construct
	[ "$(grep -A1 -x -- '-- migrate:upgrade' "$sql" | sed -n 2p)" = \
		"-- WARNING: converted from Python; review: reads through a connection (op.get_bind()) ($py:20)" ]
	grep -qx -- "-- WARNING: converted from Python; review: bulk_insert of computed rows ($py:23)" "$sql"
	# what it did on the scratch database (an empty table: id 1)
	grep -qx "INSERT INTO settings (id, value) VALUES (1, 'on');" "$sql"
	! grep -qi 'select max' "$sql"
	[ "$(grep -A1 -x -- '-- migrate:downgrade' "$sql" | sed -n 2p)" = "DELETE FROM settings;" ]
	alembic upgrade 3c3c3c3c3c3c 2>/dev/null
	# what was recorded runs here: the row the scratch database got
	fx_at_head() { [ "$(sqlite3 app.db 'SELECT id, value FROM settings')" = "1|on" ]; }
	fixture_matrix "sqlite:///$TEST_DIR/app.db"
}

@test "an existing .sql file is never overwritten" {
	linear_project "sqlite:///$TEST_DIR/app.db"
	cat >mig/versions/1975ea83b712_create_users.sql <<'EOF'
-- create users
--
-- Revision ID: 1975ea83b712
-- Revises:

-- migrate:upgrade
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL); -- written by hand

-- migrate:downgrade
DROP TABLE users;
EOF
	cp mig/versions/1975ea83b712_create_users.sql hand.sql
	run rt convert
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *"convert: 2 converted"* ]]
	[[ "$output" != *"1975ea83b712_create_users.sql"* ]]
	cmp hand.sql mig/versions/1975ea83b712_create_users.sql
	cp mig/versions/ae1027a6acf5_add_email.sql email.sql
	# named, or again: kept as they are
	run rt convert 1975ea83b712 ae10
	[ "$status" -eq 0 ]
	[[ "$output" == *"1975ea83b712: kept "*"an existing .sql file is never overwritten"* ]]
	[[ "$output" == *"Nothing to convert"* ]]
	run rt convert
	[ "$status" -eq 0 ]
	[[ "$output" == *"Nothing to convert"* ]]
	cmp hand.sql mig/versions/1975ea83b712_create_users.sql
	cmp email.sql mig/versions/ae1027a6acf5_add_email.sql
	# one revision named: only that one is written
	rm mig/versions/27c6a30d7c24_add_orders.sql mig/versions/ae1027a6acf5_add_email.sql
	run rt convert 27c6
	[ "$status" -eq 0 ]
	[ -f mig/versions/27c6a30d7c24_add_orders.sql ]
	[ ! -e mig/versions/ae1027a6acf5_add_email.sql ]
}

@test "errors: no Alembic to import, a revision that raises, a broken env.py: clear, non-zero, nothing written for them" {
	linear_project "sqlite:///$TEST_DIR/app.db"
	run rt convert --python /nonexistent/python3
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "retort: error: convert needs Python with Alembic; run it where your project's Python is (tried /nonexistent/python3 (No such file or directory)); give the interpreter with --python PATH or RETORT_PYTHON, e.g. a virtualenv's bin/python" ]]
	# a Python without Alembic (python3 -I with an empty path cannot import it)
	printf '#!/bin/sh\nexec %s -I -S "$@"\n' "$PY" >nopkgs
	chmod +x nopkgs
	RETORT_PYTHON=$TEST_DIR/nopkgs run rt convert
	[ "$status" -eq 2 ]
	[[ "$output" == *"convert needs Python with Alembic"*"nopkgs (ModuleNotFoundError: No module named 'alembic')"* ]]
	[ -z "$(ls mig/versions/*.sql 2>/dev/null)" ]
	# a revision that raises: refused with file:line, the others converted; a
	# downgrade that raises NotImplementedError makes an irreversible twin
	newrev 5e5e5e5e5e5e "broken" "raise RuntimeError('boom: cannot render')" "pass"
	newrev 6f6f6f6f6f6f "one way" "op.execute('DELETE FROM users')" "raise NotImplementedError()"
	run rt convert
	[ "$status" -eq 2 ]
	[[ "$output" == *"4 converted (0 recorded against --dev-url), 0 flagged for review, 1 refused"* ]]
	grep -qx "DELETE FROM users;" mig/versions/6f6f6f6f6f6f_one_way.sql
	! grep -q "migrate:downgrade" mig/versions/6f6f6f6f6f6f_one_way.sql
	[[ "$output" == *"5e5e5e5e5e5e_broken.py:20: RuntimeError: boom: cannot render"* ]]
	[ ! -e mig/versions/5e5e5e5e5e5e_broken.sql ]
	[ -f mig/versions/27c6a30d7c24_add_orders.sql ]
	run rt convert --dev-url "sqlite:///$TEST_DIR/dev.db"
	[ "$status" -eq 2 ]
	[[ "$output" == *"recording against the dev database failed: "*"5e5e5e5e5e5e_broken.py:20: RuntimeError: boom"* ]]
	[ ! -e mig/versions/5e5e5e5e5e5e_broken.sql ]
	# env.py that cannot run: the whole run fails, nothing is written
	rm mig/versions/*.sql
	echo 'def broken(:' >>mig/env.py
	run rt convert
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "retort: error: convert: Alembic failed: SyntaxError: "* ]]
	[ -z "$(ls mig/versions/*.sql 2>/dev/null)" ]
}

@test "branches, labels, depends_on and a merge across two version locations: each twin holds its own revision's SQL" {
	init_project "sqlite:///$TEST_DIR/app.db"
	mkdir extra
	sed -i "s|^# version_locations = .*|version_locations = %(here)s/mig/versions:%(here)s/extra|" alembic.ini
	sed -i "s|^version_path_separator = .*|version_path_separator = os|" alembic.ini
	t() { echo "op.create_table('t_$1', sa.Column('id', sa.Integer, primary_key=True))"; }
	newrev a1a1a1a1a1a1 "create users" "$(t a1)" "op.drop_table('t_a1')" --version-path mig/versions
	newrev b2b2b2b2b2b2 "add email" "$(t b2)" "op.drop_table('t_b2')"
	newrev c3c3c3c3c3c3 "audit log" "$(t c3)" "op.drop_table('t_c3')" --head a1a1a1a1a1a1 --splice --branch-label audit
	newrev d4d4d4d4d4d4 "audit needs email" "$(t d4)" "op.drop_table('t_d4')" --head audit@head --depends-on b2b2b2b2b2b2
	alembic revision -m "reports root" --head base --branch-label reports --version-path extra --rev-id e5e5e5e5e5e5 >/dev/null
	alembic merge -m "join" b2b2b2b2b2b2 d4d4d4d4d4d4 --rev-id f6f6f6f6f6f6 >/dev/null
	alembic upgrade c3c3c3c3c3c3 2>/dev/null
	run rt convert
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *"6 converted"* ]]
	for id in a1 b2 c3 d4; do
		f=$(ls mig/versions/${id}${id}*.sql)
		[ "$(grep -c '^CREATE TABLE' "$f")" = 1 ] && grep -q "^CREATE TABLE t_$id " "$f"
	done
	grep -qx -- '-- Depends On: b2b2b2b2b2b2' mig/versions/d4d4d4d4d4d4_*.sql
	grep -qx -- '-- Branch Labels: reports' extra/e5e5e5e5e5e5_reports_root.sql
	grep -qx -- '-- Revises: b2b2b2b2b2b2, d4d4d4d4d4d4' mig/versions/f6f6f6f6f6f6_join.sql
	! grep -q '^[A-Z]' mig/versions/f6f6f6f6f6f6_join.sql extra/e5e5e5e5e5e5_reports_root.sql
	fx_at_head() { [ "$(sqlite3 app.db "SELECT count(*) FROM sqlite_master WHERE name LIKE 't\_%' ESCAPE '\'")" = 4 ]; }
	fixture_matrix "sqlite:///$TEST_DIR/app.db"
}

@test "no database URL and no --dialect: refused, nothing written; DATABASE_URL or --dialect chooses" {
	# as in the FastAPI template, alembic.ini names no URL (env.py computes it)
	linear_project
	sed -i '/^sqlalchemy.url = /d' alembic.ini
	run rt convert
	[ "$status" -eq 64 ]
	[ "$output" = "retort: error: convert needs a dialect: set DATABASE_URL or -u, or pass --dialect postgresql|sqlite" ]
	[ -z "$(ls mig/versions/*.sql 2>/dev/null)" ]
	[ ! -e app.db ]
	# the configured URL's dialect: nothing connects to it
	DATABASE_URL=postgresql://app@db.invalid/shop run rt convert 1975ea83b712
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *"Writing mig/versions/1975ea83b712_create_users.sql (postgresql) ...  done"* ]]
	grep -qx 'CREATE TABLE users (' mig/versions/1975ea83b712_create_users.sql
	run rt convert --dialect sqlite
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *"convert: 2 converted"* ]]
	[[ "$output" == *"ae1027a6acf5_add_email.sql (sqlite) ...  done"* ]]
}

# The refusal of a --dev-url that is the configured database ($1: how it is
# spelled); nothing converted.
refused_as_configured() {
	run rt convert --dev-url "$1"
	[ "$status" -eq 64 ] || { echo "$1: $output"; return 1; }
	[[ "$output" == *"--dev-url is the configured database: "*" are $2; convert records only against a scratch database"* ]] ||
		{ echo "$1: $output"; return 1; }
	[ -z "$(ls mig/versions/*.sql 2>/dev/null)" ]
}

@test "SQLite: --dev-url naming the configured file another way (relative, ../, a link, +driver) is refused and the file is untouched" {
	# the database Alembic stamped holds only alembic_version, so that it
	# looks empty: only its identity protects it
	data_project "sqlite:///$TEST_DIR/app.db"
	alembic stamp head 2>/dev/null
	cp app.db before.db
	ln -s app.db link.db
	for dev in sqlite:///app.db "sqlite+pysqlite:///./mig/../app.db" sqlite:///link.db "sqlite:///$TEST_DIR/app.db"; do
		refused_as_configured "$dev" "the same file"
		cmp app.db before.db
	done
	# and the other way round: the configured URL relative, --dev-url absolute
	run rt -u sqlite:///app.db convert --dev-url "sqlite:///$TEST_DIR/app.db"
	[ "$status" -eq 64 ]
	[[ "$output" == *"--dev-url is the configured database: sqlite:///$TEST_DIR/app.db and sqlite:///app.db are the same file"* ]]
	cmp app.db before.db
	# a file that does not exist yet is another database
	run rt convert --dev-url sqlite:///dev.db
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *"2 converted (1 recorded against --dev-url)"* ]]
	cmp app.db before.db
	[ "$(sqlite3 app.db "SELECT group_concat(name) FROM sqlite_master WHERE type = 'table'")" = alembic_version ]
}

@test "PostgreSQL: --dev-url naming the configured database another way (+driver, TCP, another user, a proxy) is refused and it is untouched" {
	switch_backend postgresql
	url=$DATABASE_URL
	pq "GRANT CREATE ON SCHEMA public TO retort_pw"
	data_project "$url"
	run rt stamp head
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	before=$(rt dump)
	tcp="127.0.0.1:$RETORT_TEST_PG_PORT/$PG_DB"
	for dev in "postgresql+psycopg2://postgres@/$PG_DB?port=$RETORT_TEST_PG_PORT&host=$RETORT_TEST_PG_DIR" \
		"postgresql://postgres@$tcp" "postgres://retort_pw:$RETORT_TEST_PG_PASSWORD@$tcp"; do
		refused_as_configured "$dev" "the same database on the same server"
	done
	# through a proxy on another port the URLs differ: connecting to both tells
	port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"$PY" "$BATS_TEST_DIRNAME/tcpproxy.py" "$port" "$RETORT_TEST_PG_PORT" 0 >/dev/null 2>&1 &
	PROXY_PID=$!
	for _ in $(seq 100); do (: </dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.05; done
	refused_as_configured "postgresql://retort_pw:$RETORT_TEST_PG_PASSWORD@127.0.0.1:$port/$PG_DB" \
		"one database (retort connected to both to see)"
	[[ "$output" != *"$RETORT_TEST_PG_PASSWORD"* ]]
	[ "$(rt dump)" = "$before" ]
	[ "$(db_tables)" = alembic_version ]
	[ "$(db_versions)" = 4d4d4d4d4d4d ]
	# another database on the same server, through the same proxy, is a scratch database
	"$PY" -c 'import psycopg2' 2>/dev/null || return 0
	db_other scratch >/dev/null   # not in $(...): the teardown drops it
	pq_admin "ALTER DATABASE ${PG_DB}_scratch OWNER TO retort_pw"
	run rt convert --dev-url "postgresql://retort_pw:$RETORT_TEST_PG_PASSWORD@127.0.0.1:$port/${PG_DB}_scratch"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *"2 converted (1 recorded against --dev-url)"* ]]
	[ "$(rt dump)" = "$before" ]
}

teardown() {
	[ -z "${PROXY_PID:-}" ] || kill "$PROXY_PID" 2>/dev/null || true
	[ -n "${TEST_DIR:-}" ] || return 0
	db_teardown
	test_dir_teardown
}
