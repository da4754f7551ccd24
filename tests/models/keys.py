"""The objects a schema comparison names, as sorted keys ("table t",
"column t.c", "index i", "constraint c", "type e"), so the differential
test can hold retort's `check --json` drift against Alembic's own
autogenerate comparison (alembic.autogenerate.compare_metadata) of the
same models and database.

    keys.py alembic URL MODULE:ATTR   Alembic's differences (compare_type on)
    keys.py retort < check.json       retort's drift lines

Alembic's known blind spots are left out of its side and printed on
stderr: the expression-based indexes it says it cannot reflect (it then
reports them as missing every time).
"""
import importlib
import json
import re
import sys
import warnings


def alembic_keys(url, spec):
    import sqlalchemy as sa
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    sys.path.insert(0, ".")
    module, _, attr = spec.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    md = getattr(obj, "metadata", obj)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg2://" + url[len("postgresql://"):]
    engine = sa.create_engine(url)
    with warnings.catch_warnings(record=True) as caught, engine.connect() as conn:
        warnings.simplefilter("always")
        # retort's own tables are left out, as docs/alembic-compat.md tells
        # Alembic users to do with this hook
        ctx = MigrationContext.configure(conn, opts={
            "compare_type": True,
            "include_name": lambda name, type_, parent: not (
                type_ == "table" and name in ("retort_history", "retort_progress", "retort_lock")),
        })
        diffs = compare_metadata(ctx, md)
    blind = set()
    for w in caught:
        m = re.search(r"Skipped unsupported reflection of expression-based index (\S+)", str(w.message))
        if m:
            blind.add("index " + m.group(1))
    keys = set()

    def add(d):
        if isinstance(d, list):
            for x in d:
                add(x)
            return
        op = d[0]
        if op in ("add_table", "remove_table"):
            keys.add("table " + d[1].name)
        elif op in ("add_column", "remove_column"):
            keys.add("column %s.%s" % (d[2], d[3].name))
        elif op.startswith("modify_"):
            keys.add("column %s.%s" % (d[2], d[3]))
        elif op in ("add_index", "remove_index"):
            keys.add("index " + d[1].name)
        elif op in ("add_constraint", "remove_constraint", "add_fk", "remove_fk"):
            keys.add("constraint %s" % d[1].name)
        else:
            keys.add("%s ?" % op)
    add(diffs)
    for b in sorted(blind & keys):
        sys.stderr.write("left out, Alembic cannot reflect it: %s\n" % b)
    return keys - blind


def retort_keys(doc):
    keys = set()
    for line in doc["drift"]:
        m = re.match(r"table ([^\s:]+): column ([^\s:]+)", line)
        if m:
            keys.add("column %s.%s" % m.groups())
            continue
        # a constraint by its name (SQLite's change lines name an unnamed
        # one by its text, which no name of Alembic's can equal)
        m = re.match(r"table \S+: constraint (\S+)", line)
        if m:
            keys.add("constraint " + m.group(1))
            continue
        m = re.match(r"(table|index|type|view|sequence) ([^\s:]+)", line)
        keys.add("%s %s" % m.groups() if m else "? " + line)
    return keys


if sys.argv[1] == "alembic":
    out = alembic_keys(sys.argv[2], sys.argv[3])
else:
    out = retort_keys(json.load(sys.stdin))
print("\n".join(sorted(out)))
