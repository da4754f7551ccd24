#!/usr/bin/python3
"""Workloads for bench/run.sh, the same SQL for every tool.

bench/gen.py linear DIR N
    N revisions in a line; each creates one table with a primary key and two
    columns, and its downgrade drops it.  Written as:
      DIR/retort/versions/*.sql     retort
      DIR/alembic/versions/*.py     Alembic (op.execute of the same SQL)
      DIR/dbmate/*.sql              dbmate (-- migrate:up / -- migrate:down)
      DIR/floor.sql                 the database CLI's floor: each migration
                                    and its version-row change in its own
                                    transaction
      DIR/floor1.sql                the same without BEGIN/COMMIT, to run as
                                    one transaction (sqlite3 in BEGIN/COMMIT,
                                    psql -1), or in autocommit (the mariadb
                                    client: MySQL's DDL commits by itself)
      DIR/floor1_down.sql           floor1.sql's way back to base: each
                                    downgrade, newest first, and its
                                    version-row change (the last one deletes
                                    the row)
bench/gen.py graph DIR N
    N revisions with branches and merges (every 10th revision starts a side
    branch from the main line, merged back 5 revisions later), for retort
    and Alembic: the history/heads/planning workloads.
bench/gen.py big DIR MB
    One revision whose upgrade creates a table and fills it with MB
    megabytes of single-row INSERTs (a data migration or seed file), for
    retort (DIR/retort/versions) and the floor (DIR/floor.sql: the same in
    one transaction with its version row).
"""
import os
import sys

ENV_PY = '''import os
from alembic import context
from sqlalchemy import create_engine

def run():
    if context.is_offline_mode():
        context.configure(url=os.environ["BENCH_URL"], literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(os.environ["BENCH_URL"])
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=None,
                          transaction_per_migration=os.environ.get("BENCH_TXN") != "one")
        with context.begin_transaction():
            context.run_migrations()
run()
'''

VERSION_ROW = ("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
               "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));\n")


def alembic_project(d):
    os.makedirs(os.path.join(d, "alembic", "versions"), exist_ok=True)
    with open(os.path.join(d, "alembic", "env.py"), "w") as f:
        f.write(ENV_PY)
    with open(os.path.join(d, "alembic", "script.py.mako"), "w") as f:
        f.write("")
    with open(os.path.join(d, "alembic.ini"), "w") as f:
        f.write("[alembic]\nscript_location = %(here)s/alembic\n")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def retort_rev(d, rid, down, msg, up, downsql):
    write(os.path.join(d, "retort", "versions", "%s_%s.sql" % (rid, msg.replace(" ", "_"))),
          "-- %s\n--\n-- Revision ID: %s\n-- Revises: %s\n-- Create Date: 2026-11-22 10:00:00\n\n"
          "-- migrate:upgrade\n%s\n\n-- migrate:downgrade\n%s\n"
          % (msg, rid, ", ".join(down), up, downsql))


def alembic_rev(d, rid, down, msg, up, downsql):
    dr = "None" if not down else repr(down[0] if len(down) == 1 else tuple(down))
    write(os.path.join(d, "alembic", "versions", "%s_%s.py" % (rid, msg.replace(" ", "_"))),
          '"""%s"""\nrevision = %r\ndown_revision = %s\nbranch_labels = None\n'
          'depends_on = None\nfrom alembic import op\n\n'
          'def upgrade():\n    op.execute(%r)\n\n'
          'def downgrade():\n    op.execute(%r)\n' % (msg, rid, dr, up.rstrip(";"), downsql.rstrip(";")))


def linear(d, n):
    os.makedirs(os.path.join(d, "retort", "versions"), exist_ok=True)
    os.makedirs(os.path.join(d, "dbmate"), exist_ok=True)
    alembic_project(d)
    floor = [VERSION_ROW]
    floor1 = [VERSION_ROW]
    down1 = []
    prev = None
    for i in range(1, n + 1):
        rid = "b%011d" % i
        msg = "create table t%d" % i
        up = "CREATE TABLE t%d (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT);" % i
        downsql = "DROP TABLE t%d;" % i
        retort_rev(d, rid, [prev] if prev else [], msg, up, downsql)
        alembic_rev(d, rid, [prev] if prev else [], msg, up, downsql)
        write(os.path.join(d, "dbmate", "%014d_create_table_t%d.sql" % (20260101000000 + i, i)),
              "-- migrate:up\n%s\n\n-- migrate:down\n%s\n" % (up, downsql))
        if prev is None:
            ver = "INSERT INTO alembic_version (version_num) VALUES ('%s');" % rid
            unver = "DELETE FROM alembic_version WHERE version_num='%s';" % rid
        else:
            ver = "UPDATE alembic_version SET version_num='%s' WHERE version_num='%s';" % (rid, prev)
            unver = "UPDATE alembic_version SET version_num='%s' WHERE version_num='%s';" % (prev, rid)
        floor.append("BEGIN;\n%s\n%s\nCOMMIT;\n" % (up, ver))
        floor1.append("%s\n%s\n" % (up, ver))
        down1.append("%s\n%s\n" % (downsql, unver))
        prev = rid
    write(os.path.join(d, "floor.sql"), "".join(floor))
    write(os.path.join(d, "floor1.sql"), "".join(floor1))
    write(os.path.join(d, "floor1_down.sql"), "".join(reversed(down1)))


def graph(d, n):
    os.makedirs(os.path.join(d, "retort", "versions"), exist_ok=True)
    alembic_project(d)
    main_tip, side = None, None
    for i in range(1, n + 1):
        rid = "g%011d" % i
        if side and i % 10 == 5:
            down = [main_tip, side]          # merge the side branch back
            side = None
        elif i % 10 == 0 and main_tip:
            down = [main_tip]                # a side branch from the main line
            side = rid
        elif side and i % 10 in (1, 2):
            down = [side]
            side = rid
        else:
            down = [main_tip] if main_tip else []
        up = "CREATE TABLE t%d (id INTEGER PRIMARY KEY);" % i
        retort_rev(d, rid, down, "step %d" % i, up, "DROP TABLE t%d;" % i)
        alembic_rev(d, rid, down, "step %d" % i, up, "DROP TABLE t%d;" % i)
        if side != rid:
            main_tip = rid


def big(d, mb):
    os.makedirs(os.path.join(d, "retort", "versions"), exist_ok=True)
    create = "CREATE TABLE big (id INTEGER PRIMARY KEY, name TEXT, note TEXT);\n"
    rows = []
    size, i = 0, 0
    while size < mb * 1024 * 1024:
        row = "INSERT INTO big (id, name, note) VALUES (%d, 'name %d', 'a note about row %d');\n" % (i, i, i)
        rows.append(row)
        size += len(row)
        i += 1
    body = create + "".join(rows)
    with open(os.path.join(d, "retort", "versions", "0001_big.sql"), "w") as f:
        f.write("-- big\n--\n-- Revision ID: 0001\n-- Revises:\n\n-- migrate:upgrade\n")
        f.write(body)
        f.write("\n-- migrate:downgrade\nDROP TABLE big;\n")
    with open(os.path.join(d, "floor.sql"), "w") as f:
        f.write("BEGIN;\nCREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));\n")
        f.write(body)
        f.write("INSERT INTO alembic_version (version_num) VALUES ('0001');\nCOMMIT;\n")


if __name__ == "__main__":
    {"linear": linear, "graph": graph, "big": big}[sys.argv[1]](sys.argv[2], int(sys.argv[3]))
