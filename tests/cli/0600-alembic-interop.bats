#!/usr/bin/env bats
# Covers interoperability with the real Alembic (Debian's python3-alembic):
# a database migrated by Alembic is read and continued by retort, and the
# other way round, through the same alembic_version table.  Skips loudly
# when Alembic is not installed.

load helpers

setup_alembic() {
	if ! /usr/bin/python3 -c 'import alembic' 2>/dev/null; then
		skip "python3-alembic is not installed (apt-get install python3-alembic)"
	fi
	/usr/bin/python3 -m alembic init -q pyal >/dev/null 2>&1 || /usr/bin/python3 -m alembic init pyal >/dev/null
	sed -i "s|^sqlalchemy.url.*|sqlalchemy.url = sqlite:///$TEST_DIR/test.db|" alembic.ini
	mv alembic.ini pyal.ini
	# the same three revisions as Python scripts
	for spec in "1a2b3c4d5e6f:None:a" "2b3c4d5e6f7a:'1a2b3c4d5e6f':b" "3c4d5e6f7a8b:'2b3c4d5e6f7a':c"; do
		IFS=: read -r id down t <<<"$spec"
		cat >"pyal/versions/$id.py" <<PY
"""create $t"""
revision = '$id'
down_revision = $down
branch_labels = None
depends_on = None
from alembic import op
def upgrade():
    op.execute("CREATE TABLE $t (id INTEGER PRIMARY KEY)")
def downgrade():
    op.execute("DROP TABLE $t")
PY
	done
}

alembic() {
	/usr/bin/python3 -m alembic -c pyal.ini "$@"
}

@test "retort continues a database that Alembic migrated" {
	setup_alembic
	linear3
	alembic upgrade 2b3c4d5e6f7a
	run rt current
	[ "$status" -eq 0 ]
	[ "$output" = "2b3c4d5e6f7a" ]
	run rt upgrade head
	[ "$status" -eq 0 ]
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
	[ "$(db_tables)" = "a alembic_version b c" ]
}

@test "Alembic continues a database that retort migrated, and the tables are identical" {
	setup_alembic
	linear3
	rt upgrade 2b3c
	run alembic current
	[[ "$output" == *"2b3c4d5e6f7a"* ]]
	alembic upgrade head
	[ "$(db_versions)" = "3c4d5e6f7a8b" ]
	retort_ddl=$(db_sql "SELECT sql FROM sqlite_master WHERE name='alembic_version'")
	rm test.db
	alembic upgrade head
	alembic_ddl=$(db_sql "SELECT sql FROM sqlite_master WHERE name='alembic_version'")
	[ "$retort_ddl" = "$alembic_ddl" ]
	rt downgrade -1
	run alembic current
	[[ "$output" == *"2b3c4d5e6f7a"* ]]
}
