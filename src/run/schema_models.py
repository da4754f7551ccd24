"""retort's models helper, run by retort with the project's own Python for
a `python:MODULE:ATTR` schema (src/run/schema_program.c embeds this file).

It imports ATTR from MODULE, takes its SQLAlchemy MetaData (ATTR itself, or
its .metadata: a declarative base, SQLModel), and prints on stdout the DDL
that SQLAlchemy's own compiler renders for the dialect, in the order
create_all() would run it: enum types, sequences, tables, indexes,
constraints added later (use_alter), comments, and any DDL the project hangs
on the metadata's events.  Nothing touches a database.

    python -c <this file> DIALECT MODULE:ATTR [SYS_PATH...]

Exit status: 0 with the DDL on stdout; 3 when the spec is wrong or the
object is not a MetaData; 4 when this Python has no SQLAlchemy (retort then
says how to name the project's Python); otherwise Python's own (a traceback
on stderr).  On 3 and 4 the last line of stderr is "retort: MESSAGE".
"""
import importlib
import re
import sys


def fail(msg, status=3):
    sys.stderr.write("retort: " + msg + "\n")
    sys.exit(status)


def metadata_of(obj, spec):
    import sqlalchemy as sa
    if isinstance(obj, sa.MetaData):
        return obj
    md = getattr(obj, "metadata", None)
    if isinstance(md, sa.MetaData):
        return md
    fail("%s is a %s, not a SQLAlchemy MetaData, a declarative base or anything with a "
         ".metadata" % (spec, type(obj).__name__))


def main():
    dialect, spec = sys.argv[1], sys.argv[2]
    # as Alembic does with prepend_sys_path: these folders first
    sys.path[:0] = sys.argv[3:]
    module, _, attr = spec.partition(":")
    if not module or not attr:
        fail("'python:%s' is not python:MODULE:ATTR (e.g. python:app.models:Base)" % spec)
    try:
        import sqlalchemy as sa
    except ImportError:
        fail("SQLAlchemy cannot be imported by %s" % sys.executable, 4)
    obj = importlib.import_module(module)
    for part in attr.split("."):
        if not hasattr(obj, part):
            fail("%s has no attribute '%s' (looking for %s)" % (
                getattr(obj, "__name__", repr(obj)), part, spec))
        obj = getattr(obj, part)
    md = metadata_of(obj, spec)
    statements = []

    def collect(ddl, *multiparams, **params):
        statements.append(str(ddl.compile(dialect=engine.dialect)).strip())

    engine = sa.create_mock_engine(dialect + "://", collect)
    md.create_all(engine, checkfirst=False)
    out = sys.stdout
    out.write("-- DDL rendered by SQLAlchemy %s for %s from %s\n" % (sa.__version__, dialect, spec))
    for s in statements:
        # SQLAlchemy ends each column line with ", " before the newline;
        # the revision files retort writes from this carry no trailing blanks
        s = re.sub(r"[ \t]+\n", "\n", s.rstrip(";"))
        out.write(s + ";\n\n")


main()
