#!/usr/bin/env bats
# Covers Alembic projects as they are (issue #17, part 1): retort reads
# versions/*.py revisions without running Python, in every header form
# Alembic's templates wrote; a .py and a .sql with one Revision ID are one
# revision; the read-only commands print byte for byte what the real
# Alembic (Debian's python3-alembic) prints on the same project; upgrading
# through a revision that has no SQL is refused before anything runs; and
# alembic.ini is read as projects write it (long lines, -n/--name,
# placeholders, Alembic-only keys, several version locations).  Every
# fixture project is written by the test itself with the real `alembic`.
# Skips loudly when Alembic is not installed.

load helpers

# The real Alembic.  Debian's 1.8 lists version files in os.listdir order,
# which varies between filesystems; newer Alembic sorts them by name, as
# retort does (ties between branches follow file order), so the listing is
# sorted here too, as in tests/diff/alembic_diff.py.
alembic() {
	/usr/bin/python3 - "$@" <<'PY'
import sys
import alembic.script.base as base
listing = base.Script._list_py_dir.__func__
base.Script._list_py_dir = classmethod(lambda cls, sd, path: sorted(listing(cls, sd, path)))
from alembic.config import main
main(argv=sys.argv[1:], prog="alembic")
PY
}

# Alembic prints a branch point's children ("Branches into:") and a
# revision's labels in Python set order, which changes from run to run;
# retort prints them in file order and sorted.  Sort both sides' lists.
sets_sorted() {
	awk '/^(Branches into|Branch names): / {
		p = index($0, ": "); n = split(substr($0, p + 2), v, ", ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j] < v[j-1]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
		s = substr($0, 1, p + 1); for (i = 1; i <= n; i++) s = s (i > 1 ? ", " : "") v[i]; print s; next
	} { print }'
}

# A fresh `alembic init` project in the test directory, on the test's database.
init_project() {
	/usr/bin/python3 -c 'import alembic' 2>/dev/null ||
		skip "python3-alembic is not installed (apt-get install python3-alembic)"
	alembic init mig >/dev/null
	sed -i "s|^sqlalchemy.url = .*|sqlalchemy.url = $DATABASE_URL|" alembic.ini
	unset DATABASE_URL   # both tools read the URL from alembic.ini
}

newrev() {
	alembic revision "$@" >/dev/null
}

# same ARGS...: `alembic ARGS` and `retort ARGS` print the same bytes and
# both succeed.
same() {
	alembic "$@" >alembic.raw 2>alembic.err || { cat alembic.err; echo "alembic $* failed"; return 1; }
	rt "$@" >retort.raw 2>retort.err || { cat retort.err; echo "retort $* failed"; return 1; }
	sets_sorted <alembic.raw >alembic.out
	sets_sorted <retort.raw >retort.out
	if ! cmp -s alembic.out retort.out; then
		echo "alembic and retort differ on '$*':"
		diff alembic.out retort.out
		return 1
	fi
}

# same_lines ARGS...: the same lines in any order (Alembic prints a set:
# a branch point's children, in an order that changes from run to run).
same_lines() {
	alembic "$@" 2>alembic.err | sets_sorted | sort >alembic.out || { cat alembic.err; return 1; }
	rt "$@" | sets_sorted | sort >retort.out || return 1
	diff alembic.out retort.out
}

# The branchy project: a root, a child, a labelled branch from the root that
# depends on the child, a second root in another version location with its
# own label, and a merge of two heads.
branchy_project() {
	init_project
	mkdir extra
	sed -i "s|^# version_locations = .*|version_locations = %(here)s/mig/versions:%(here)s/extra|" alembic.ini
	sed -i "s|^version_path_separator = .*|version_path_separator = os|" alembic.ini
	newrev -m "create users" --version-path mig/versions --rev-id a1a1a1a1a1a1
	newrev -m "add email" --rev-id b2b2b2b2b2b2
	newrev -m "audit log" --head a1a1a1a1a1a1 --splice --branch-label audit --rev-id c3c3c3c3c3c3
	newrev -m "audit needs email" --head audit@head --depends-on b2b2b2b2b2b2 --rev-id d4d4d4d4d4d4
	newrev -m "reports root" --head base --branch-label reports --version-path extra \
		--rev-id e5e5e5e5e5e5
	alembic merge -m "join users and audit" b2b2b2b2b2b2 d4d4d4d4d4d4 --rev-id f6f6f6f6f6f6 >/dev/null
}

@test "a linear project of .py files: history, heads, branches, current and show print what Alembic prints" {
	init_project
	newrev -m "create users" --rev-id 1975ea83b712
	newrev -m "add email" --rev-id ae1027a6acf5
	newrev -m "add orders" --rev-id 27c6a30d7c24
	for args in "history" "history -v" "history -r 1975ea83b712:ae1027a6acf5" "history -r ae10:heads" \
		"heads" "heads -v" "branches" "current" "show head" "show ae10"; do
		same $args
	done
	alembic upgrade ae1027a6acf5 2>/dev/null
	for args in "current" "current -v" "history --indicate-current" "history -v -r current:"; do
		same $args
	done
	run rt showmigrations
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '[X] 1975ea83b712 create users\n[X] ae1027a6acf5 add email\n[ ] 27c6a30d7c24 add orders')" ]
}

@test "branches, labels, depends_on and a merge across two version locations print what Alembic prints" {
	branchy_project
	[ -e extra/e5e5e5e5e5e5_reports_root.py ]
	same_lines branches
	same_lines branches -v
	for args in "history" "history -v" "heads" "heads -v" \
		"show f6f6f6f6f6f6" "show d4d4" "show audit@head" "history -r audit@base:audit@head" \
		"history -r a1a1a1a1a1a1:f6f6f6f6f6f6"; do
		same $args
	done
	alembic upgrade d4d4d4d4d4d4 2>/dev/null
	same_lines current   # two rows: Alembic prints a set
	# retort's stamp writes the rows Alembic then reads
	rt stamp heads
	[ "$(db_versions)" = "e5e5e5e5e5e5 f6f6f6f6f6f6" ]
	run alembic current
	[[ "$output" == *"e5e5e5e5e5e5 (head)"* ]]
	[[ "$output" == *"f6f6f6f6f6f6 (head) (mergepoint)"* ]]
	same_lines current
}

@test "upgrade and downgrade through revisions without SQL are refused before anything runs, naming each" {
	branchy_project
	for args in "upgrade heads" "upgrade heads --sql" "upgrade reports@head"; do
		run rt $args
		[ "$status" -eq 2 ] || { echo "$args: $output"; return 1; }
		[[ "$output" != *"nothing to upgrade"* ]]
		[[ "$output" == *"retort convert"* ]]
	done
	run rt upgrade heads
	[[ "${lines[0]}" == "retort: error: upgrade needs the SQL of 6 revisions that have only an Alembic .py file, and retort does not run Python; nothing was run" ]]
	[[ "$output" == *"  a1a1a1a1a1a1  $TEST_DIR/mig/versions/a1a1a1a1a1a1_create_users.py"* ]]
	[[ "$output" == *"  e5e5e5e5e5e5  $TEST_DIR/extra/e5e5e5e5e5e5_reports_root.py"* ]]
	[[ "$output" == *"  f6f6f6f6f6f6  $TEST_DIR/mig/versions/f6f6f6f6f6f6_join_users_and_audit.py"* ]]
	[ -z "$(db_tables)" ]
	# check lists what is pending; it never says "up to date"
	run rt check
	[ "$status" -eq 1 ]
	[[ "$output" == *"6 migrations pending"* ]]
	# Alembic migrates; retort still refuses to revert through Python
	alembic upgrade heads 2>/dev/null
	run rt downgrade reports@-1
	[ "$status" -eq 2 ]
	[[ "$output" == *"downgrade needs the SQL of 1 revision that has only an Alembic .py file"* ]]
	[[ "$output" == *"  e5e5e5e5e5e5  "* ]]
	[ "$(db_versions)" = "e5e5e5e5e5e5 f6f6f6f6f6f6" ]
	run rt check
	[ "$status" -eq 0 ]
}

@test "a .sql twin gives its .py revision the SQL, and the pair is one revision" {
	init_project
	newrev -m "create users" --rev-id 1975ea83b712
	newrev -m "add email" --rev-id ae1027a6acf5
	for id in 1975ea83b712:"" ae1027a6acf5:1975ea83b712; do
		IFS=: read -r rev down <<<"$id"
		printf -- '-- twin\n--\n-- Revision ID: %s\n-- Revises: %s\n\n-- migrate:upgrade\nCREATE TABLE t_%s (id INTEGER);\n-- migrate:downgrade\nDROP TABLE t_%s;\n' \
			"$rev" "$down" "$rev" "$rev" >"mig/versions/${rev}_twin.sql"
	done
	# still Alembic's history: the .py files give the path and the message
	same history -v
	same heads
	rt upgrade head
	[ "$(db_tables)" = "alembic_version t_1975ea83b712 t_ae1027a6acf5" ]
	run alembic current
	[[ "$output" == *"ae1027a6acf5 (head)"* ]]
	same current
	rt downgrade base
	[ "$(db_tables)" = "alembic_version" ]
}

@test "a .py and a .sql with one id and different headers are an error naming both files" {
	init_project
	newrev -m "create users" --rev-id 1975ea83b712
	newrev -m "add email" --rev-id ae1027a6acf5
	printf -- '-- Revision ID: ae1027a6acf5\n-- Revises:\n\n-- migrate:upgrade\nSELECT 1;\n' >mig/versions/ae1027a6acf5_twin.sql
	run rt heads
	[ "$status" -eq 2 ]
	[[ "$output" == *"mig/versions/ae1027a6acf5_twin.sql:2 and mig/versions/ae1027a6acf5_add_email.py:14 both define revision 'ae1027a6acf5', with different down revisions ('' and '1975ea83b712')"* ]]
	printf -- '-- Revision ID: ae1027a6acf5\n-- Revises: 1975ea83b712\n-- Branch Labels: x\n\n-- migrate:upgrade\nSELECT 1;\n' >mig/versions/ae1027a6acf5_twin.sql
	run rt heads
	[ "$status" -eq 2 ]
	[[ "$output" == *"with different branch labels ('x' and '')"* ]]
	# a key one file does not give at all is named as missing, not as line 0
	sed -i '/^branch_labels/d' mig/versions/ae1027a6acf5_add_email.py
	run rt heads
	[ "$status" -eq 2 ]
	[[ "$output" == *"mig/versions/ae1027a6acf5_twin.sql:3 and mig/versions/ae1027a6acf5_add_email.py (no branch_labels) both define revision 'ae1027a6acf5', with different branch labels ('x' and '')"* ]]
	printf -- '-- Revision ID: ae1027a6acf5\n-- Revises: 1975ea83b712\n\n-- migrate:upgrade\nSELECT 1;\n' >mig/versions/ae1027a6acf5_twin.sql
	echo "branch_labels = ('y',)" >>mig/versions/ae1027a6acf5_add_email.py
	line=$(grep -n '^branch_labels' mig/versions/ae1027a6acf5_add_email.py | cut -d: -f1)
	run rt heads
	[ "$status" -eq 2 ]
	[[ "$output" == *"mig/versions/ae1027a6acf5_twin.sql (no '-- Branch Labels:' line) and mig/versions/ae1027a6acf5_add_email.py:$line both define revision 'ae1027a6acf5', with different branch labels ('' and 'y')"* ]]
}

@test "every header form Alembic's templates wrote is read as Alembic reads it" {
	init_project
	v=mig/versions
	# Alembic 1.13's annotated template, double quotes
	cat >$v/aaaa00000001_annotated.py <<'PY'
"""Annotated root

Revision ID: aaaa00000001
Revises:
Create Date: 2026-11-22 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "aaaa00000001"
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass
PY
	# later templates: Sequence in down_revision, a tuple over several lines
	cat >$v/bbbb00000002_tuple.py <<'PY'
'''Second, in single quotes
with a second line

and a second paragraph
'''
from typing import Sequence, Union
revision: str = 'bbbb00000002'
down_revision: Union[str, Sequence[str], None] = (
    'aaaa00000001',  # the root
)
branch_labels: Union[str, Sequence[str], None] = ('core',)
depends_on = None
PY
	cat >$v/cccc00000003_list.py <<'PY'
# -*- coding: utf-8 -*-
"""side branch"""
revision = 'cccc00000003'
down_revision = ['aaaa00000001']
branch_labels = 'side'
depends_on = [
    "bbbb00000002",
]
PY
	cat >$v/dddd00000004_merge.py <<'PY'
r"""Raw \ docstring"""
revision = "dddd00000004"
down_revision = ("bbbb00000002",)
branch_labels = None
depends_on = None
PY
	# no docstring at all
	cat >$v/eeee00000005_nodoc.py <<'PY'
from alembic import op
revision = 'eeee00000005'; down_revision = 'dddd00000004'
PY
	for args in "history" "history -v" "heads" "show dddd" "show eeee00000005"; do
		same $args
	done
	same_lines branches
}

@test "a header that cannot be read without running Python is an error naming file:line:col" {
	init_project
	newrev -m "create users" --rev-id 1975ea83b712
	cat >mig/versions/ae1027a6acf5_computed.py <<'PY'
"""computed"""
import os
revision = 'ae1027a6acf5'
down_revision = os.environ.get("PREV", '1975ea83b712')
PY
	run rt history
	[ "$status" -eq 2 ]
	[ "$output" = "retort: error: mig/versions/ae1027a6acf5_computed.py:4:17: expected None, a string literal, or a tuple or list of string literals; retort reads revision headers without running Python" ]
	# several names in one assignment: Python runs it, retort names the line
	printf '"""unpacked"""\nx, y = 1, 2\nrevision, down_revision = "ae1027a6acf5", "1975ea83b712"\n' \
		>mig/versions/ae1027a6acf5_computed.py
	run rt history
	[ "$status" -eq 2 ]
	[ "$output" = "retort: error: mig/versions/ae1027a6acf5_computed.py:3:1: 'revision' is assigned together with other names; retort reads revision headers without running Python, so give it an assignment of its own ('revision = ...')" ]
}

@test "a coding comment is read as Python reads it: Latin-1 prints as Alembic prints it, other encodings are refused naming the line" {
	init_project
	printf '#!/usr/bin/env python\n# -*- coding: latin-1 -*-\n"""caf\xe9 au lait\n\nRevision ID: 1975ea83b712\n"""\nrevision = "1975ea83b712"\ndown_revision = None\n' \
		>mig/versions/1975ea83b712_cafe.py
	printf '# vim: set fileencoding=ISO-8859-1 :\n"""na\xefve"""\nrevision = "ae1027a6acf5"\ndown_revision = "1975ea83b712"\n' \
		>mig/versions/ae1027a6acf5_naive.py
	for args in "history" "history -v" "show 1975" "show ae10"; do
		same $args
	done
	[ "$(rt history)" = "$(printf '1975ea83b712 -> ae1027a6acf5 (head), na\xc3\xafve\n<base> -> 1975ea83b712, caf\xc3\xa9 au lait')" ]
	# an encoding retort does not read is refused, not printed as its bytes
	printf '# coding=cp1252\n"""caf\xe9"""\nrevision = "27c6a30d7c24"\ndown_revision = "ae1027a6acf5"\n' \
		>mig/versions/27c6a30d7c24_cp.py
	run rt history
	[ "$status" -eq 2 ]
	[ "$output" = "retort: error: mig/versions/27c6a30d7c24_cp.py:1: the coding comment declares 'cp1252'; retort reads .py revisions in UTF-8, ASCII or Latin-1: save the file as UTF-8 and drop the comment" ]
	# ASCII declared, a byte that is not: an error, as in Python
	printf '# coding: ascii\n"""caf\xe9"""\nrevision = "27c6a30d7c24"\ndown_revision = "ae1027a6acf5"\n' \
		>mig/versions/27c6a30d7c24_cp.py
	run rt history
	[ "$status" -eq 2 ]
	[ "$output" = "retort: error: mig/versions/27c6a30d7c24_cp.py:2: byte 0xe9 is not ASCII, which the coding comment on line 1 declares" ]
	run alembic history
	[ "$status" -ne 0 ]
}

@test "__init__.py, __pycache__ and compiled files are skipped, and a stray module refused, as in Alembic" {
	init_project
	newrev -m "create users" --rev-id 1975ea83b712
	/usr/bin/python3 -m py_compile mig/versions/1975ea83b712_create_users.py
	[ -n "$(ls mig/versions/__pycache__/*.pyc)" ]
	printf '# package marker\n' >mig/versions/__init__.py
	printf 'garbage' >mig/versions/0000dead.pyc
	printf 'not python' >mig/versions/.#1975ea83b712_create_users.py
	same history
	same heads
	# a module that is no revision stops both tools
	printf 'HELPER = 1\n' >mig/versions/helpers.py
	run alembic history
	[ "$status" -ne 0 ]
	[[ "$output" == *"Could not determine revision id from filename helpers.py"* ]]
	run rt history
	[ "$status" -eq 2 ]
	[[ "$output" == *"mig/versions/helpers.py: no top-level 'revision = \"<id>\"' assignment"* ]]
}

@test "recursive_version_locations reads the subfolders too, in name order" {
	init_project
	newrev -m "create users" --rev-id 1975ea83b712
	mkdir -p mig/versions/2026/11 mig/versions/__pycache__/x
	sed 's/1975ea83b712/ae1027a6acf5/g; s/^down_revision = None/down_revision = "1975ea83b712"/' \
		mig/versions/1975ea83b712_create_users.py >mig/versions/2026/11/ae1027a6acf5_nested.py
	cp mig/versions/2026/11/ae1027a6acf5_nested.py mig/versions/__pycache__/x/
	run rt heads
	[ "$output" = "1975ea83b712 (head)" ]
	sed -i 's/^\[alembic\]/[alembic]\nrecursive_version_locations = true/' alembic.ini
	run rt heads
	[ "$status" -eq 0 ]
	[ "$output" = "ae1027a6acf5 (head)" ]
	run rt history -v -r -1:
	[[ "$output" == *"Path: $TEST_DIR/mig/versions/2026/11/ae1027a6acf5_nested.py"* ]]
}

@test "alembic.ini lines of any length are read whole" {
	init_project
	newrev -m "create users" --rev-id 1975ea83b712
	mkdir extra
	# forty missing folders first, then the real ones: a 1000-character line
	locs=$(for i in $(seq -w 1 40); do printf '%%(here)s/nothing-here-%s ' "$i"; done)
	sed -i "s|^# version_locations = .*|version_locations = $locs%(here)s/mig/versions %(here)s/extra|" alembic.ini
	sed -i "s|^version_path_separator = .*|version_path_separator = space|" alembic.ini
	[ "$(grep '^version_locations' alembic.ini | wc -c)" -gt 1000 ]
	newrev -m "far away" --head base --branch-label far --version-path extra --rev-id e5e5e5e5e5e5
	same heads
	same history
	run rt heads
	[[ "$output" == *"warning: alembic.ini:"*"version location '$TEST_DIR/nothing-here-01' does not exist; skipped, as Alembic does"* ]]
	# a folder named twice is read once, as Alembic reads it
	sed -i "s|^version_locations = .*|version_locations = %(here)s/mig/versions mig/versions/ %(here)s/extra|" alembic.ini
	same heads
}

@test "-n/--name selects the ini section, as in Alembic" {
	init_project
	newrev -m "core root" --rev-id c0c0c0c0c0c0
	url=$(sed -n 's/^sqlalchemy.url = //p' alembic.ini)
	alembic init tenant_mig >/dev/null 2>&1 || true
	cat >>alembic.ini <<INI

[tenant]
script_location = %(here)s/tenant_mig
sqlalchemy.url = $url
INI
	alembic -n tenant revision -m "tenant root" --rev-id 7e7e7e7e7e7e >/dev/null
	same -n tenant heads
	same -n tenant history -v
	same heads
	run rt --name tenant heads
	[ "$output" = "7e7e7e7e7e7e (head)" ]
	run rt -n nosuch heads
	[ "$status" -eq 2 ]
	[[ "$output" == *"config file 'alembic.ini' has no [nosuch] section (named by -n/--name)"* ]]
}

@test "a placeholder or empty sqlalchemy.url says to set DATABASE_URL or -u, naming file and line" {
	init_project
	newrev -m "create users" --rev-id 1975ea83b712
	sed -i "s|^sqlalchemy.url = .*|sqlalchemy.url = driver://user:pass@localhost/dbname|" alembic.ini
	line=$(grep -n '^sqlalchemy.url' alembic.ini | cut -d: -f1)
	run rt current
	[ "$status" -eq 2 ]
	[ "$output" = "retort: error: alembic.ini:$line: sqlalchemy.url is Alembic's template placeholder 'driver://...', not a database; set DATABASE_URL (or DATABASE_URL_FILE), or pass -u/--url" ]
	[[ "$output" != *"pass@"* ]]
	sed -i "s|^sqlalchemy.url = .*|sqlalchemy.url =|" alembic.ini
	run rt upgrade head
	[ "$status" -eq 2 ]
	[[ "$output" == *"alembic.ini:$line: sqlalchemy.url is empty, not a database; set DATABASE_URL"* ]]
	[ ! -e app.db ]
	# commands that need no database work; DATABASE_URL wins over the file
	same history
	DATABASE_URL="sqlite:///$TEST_DIR/test.db" run rt current
	[ "$status" -eq 0 ]
}

@test "-v names the Alembic keys and sections retort ignores" {
	init_project
	sed -i 's/^# output_encoding = utf-8/output_encoding = utf-8/' alembic.ini
	line=$(grep -n '^output_encoding' alembic.ini | cut -d: -f1)
	run rt -v history
	[ "$status" -eq 0 ]
	[[ "$output" == *"alembic.ini:$line: 'output_encoding' is for Alembic's Python side; retort ignores it"* ]]
	[[ "$output" != *"prepend_sys_path"* ]]   # read, for package:path locations
	[[ "$output" == *"sections [loggers], [handlers], [formatters]"*"ignored (retort reads [alembic] and [DEFAULT])"* ]]
	run rt history
	[ -z "$output" ]
	# Alembic's sourceless mode would read .pyc files that retort does not: say so
	sed -i 's/^# sourceless = false/sourceless = true/' alembic.ini
	run rt history
	[[ "$output" == *"warning: alembic.ini:"*": sourceless = true: retort reads .py sources only, so a revision kept only as a .pyc file is not seen"* ]]
}

@test "revision and merge build on the .py heads" {
	branchy_project
	run rt revision -m "more audit" --head audit@head
	[ "$status" -eq 0 ]
	f=$(ls mig/versions/*_more_audit.sql)
	grep -q '^-- Revises: f6f6f6f6f6f6$' "$f"
	run rt merge -m "all in one" heads
	[ "$status" -eq 0 ]
	run rt heads
	[[ "$output" == *"(audit, reports) (head)"* ]]
	[ "${#lines[@]}" -eq 1 ]
}

@test "script_location = package:path finds the project's own package, an installed one through Python, or says how to give a path" {
	init_project
	mkdir -p src/shop
	touch src/shop/__init__.py
	mv mig src/shop/migrations
	sed -i "s|^script_location = .*|script_location = shop:migrations|; s|^prepend_sys_path = .*|prepend_sys_path = src|" alembic.ini
	newrev -m "create users" --rev-id 1975ea83b712
	newrev -m "add email" --rev-id ae1027a6acf5
	[ -e src/shop/migrations/versions/ae1027a6acf5_add_email.py ]
	same history -v
	same heads
	# an installed package (here: on PYTHONPATH, which only Python reads) is
	# asked of the project's Python
	mkdir -p site && mv src/shop site/shop
	export RETORT_PYTHON=/usr/bin/python3
	run rt heads
	[ "$status" -eq 2 ]
	PYTHONPATH=$TEST_DIR/site run rt heads
	[ "$status" -eq 0 ]
	[[ "$output" == "ae1027a6acf5 (head)" ]]
	# one that no Python here can import is refused, saying what to do
	sed -i "s|^script_location = .*|script_location = nosuchpkg:migrations|" alembic.ini
	run rt heads
	[ "$status" -eq 2 ]
	[[ "$output" == *"alembic.ini:"*": script_location 'nosuchpkg:migrations' names a folder of the Python package 'nosuchpkg', which is in none of the prepend_sys_path folders nor the working directory (src, .), and which /usr/bin/python3 cannot import either; give the folder's path instead"* ]]
}

@test "revision --version-path names a version location as Alembic matches it: relative to here, normalised, or one to create" {
	init_project
	mkdir extra
	sed -i "s|^# version_locations = .*|version_locations = %(here)s/mig/versions:%(here)s/extra:%(here)s/later|" alembic.ini
	sed -i "s|^version_path_separator = .*|version_path_separator = os|" alembic.ini
	n=0
	# each spelling: retort writes its file there, and Alembic takes it too
	for p in extra ./mig/../extra/ "$TEST_DIR/extra" later; do
		n=$((n + 1))
		run rt revision -m "retort $n" --head base --version-path "$p" --rev-id "a${n}a${n}a${n}a${n}a${n}a${n}"
		[ "$status" -eq 0 ] || { echo "$p: $output"; return 1; }
		[ -f "${p%/}/a${n}a${n}a${n}a${n}a${n}a${n}_retort_$n.sql" ]
		[[ "$p" != later ]] || [[ "$output" == *"Creating directory later ...  done"* ]]
		newrev -m "alembic $n" --head base --version-path "$p" --rev-id "b${n}b${n}b${n}b${n}b${n}b${n}"
		[ -f "${p%/}/b${n}b${n}b${n}b${n}b${n}b${n}_alembic_$n.py" ]
	done
	[ "$(rt heads | wc -l)" = 8 ]
	# a folder that is not a location: both refuse; retort names every location
	run alembic revision -m nowhere --head base --version-path mig
	[[ "$output" == *"Path mig is not represented in current version locations"* ]]
	run rt revision -m nowhere --head base --version-path mig
	[ "$status" -eq 2 ]
	[ "$output" = "retort: error: the version path 'mig' is not one of the version locations ($TEST_DIR/mig/versions, $TEST_DIR/extra, $TEST_DIR/later); give one of them, relative to the working directory or absolute" ]
	[ -z "$(ls mig/*.sql 2>/dev/null)" ]
}
