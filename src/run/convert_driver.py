# retort convert's driver: run by src/run/convert.c with the project's own
# Python (python3 -c THIS INI SECTION LOCATION OFFLINE_URL DEV_URL REV...),
# it loads the project's Alembic, alembic.ini (with LOCATION, the script
# directory retort resolved, as its script_location; "" keeps the ini's)
# and env.py, inside the app's context when env.py uses Flask (as
# `flask db` runs it), and, for each revision named, renders its upgrade
# and its downgrade as SQL:
#
#   - offline (as `alembic upgrade A:B --sql` does), one revision at a time,
#     in this one process, on a URL that names only the dialect;
#   - or, for a revision that cannot be rendered offline (it reads through
#     a connection, or Alembic raised), recorded online against DEV_URL, a
#     scratch database, by a before_cursor_execute listener, while the
#     whole history is upgraded from base to the heads and back.
#
# It also scans each revision's source with `ast` for what makes a
# conversion depend on data or on Python logic.  It never decides what to
# write: it hands retort records on its standard output,
#
#   KIND FIELD... LENGTH\n  then LENGTH bytes of UTF-8 and \n
#
#   VTABLE - - N      the version table's name
#   SCRIPT REV up|down N   the script Alembic wrote (BEGIN/COMMIT, version rows, comments)
#   FLAG REV up|down LINE N  a construct to review, and why
#   NEEDDEV REV - N   offline rendering cannot work, and why
#   FAIL REV - N      Alembic raised: the exception, with the file:line in the revision
#   ERROR - - N       the whole run failed: why, and what to do
#
# and exits 3 when Alembic cannot be imported.  Anything env.py prints goes
# to standard error.
import ast
import contextlib
import io
import os
import re
import sys
import traceback

OUT = os.fdopen(os.dup(1), "wb")
os.dup2(2, 1)
sys.stdout = sys.stderr


def record(kind, rev="-", direction="-", text="", line=None):
    data = text.encode("utf-8", "replace")
    head = [kind, rev or "-", direction or "-"]
    if line is not None:
        head.append(str(line))
    head.append(str(len(data)))
    OUT.write((" ".join(head) + "\n").encode() + data + b"\n")
    OUT.flush()


try:
    import alembic  # noqa: F401
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory
except Exception as e:  # ImportError, or a broken installation
    sys.stderr.write("%s: %s\n" % (type(e).__name__, e))
    sys.exit(3)

class DriverError(Exception):
    """The whole run cannot go on; the message says why and what to do."""


# ---- Flask-Migrate ----

FLASK_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+flask(?:\.\w+)*[ \t]+import|import[ \t]+flask)\b", re.M)


def flask_app(script):
    """The Flask app, when env.py imports flask (Flask-Migrate's reads
    current_app), loaded as `flask db` loads it: FLASK_APP, else app.py or
    wsgi.py in the working directory.  None for any other env.py."""
    try:
        with open(script.env_py_location, encoding="utf-8") as f:
            uses_flask = FLASK_IMPORT.search(f.read())
    except OSError:
        return None
    if not uses_flask:
        return None
    try:
        from flask.cli import ScriptInfo
    except ImportError as e:
        raise DriverError("%s imports flask, which %s cannot import (%s); run convert with the "
                          "project's Python (the python setting), e.g. a virtualenv's bin/python"
                          % (script.env_py_location, sys.executable, e))
    try:
        return ScriptInfo(app_import_path=os.environ.get("FLASK_APP") or None).load_app()
    except Exception as e:
        raise DriverError("%s uses Flask, so convert loads the app as `flask db` does, and that "
                          "failed: %s: %s" % (script.env_py_location, type(e).__name__,
                                              str(e).strip().splitlines()[0] if str(e).strip() else ""))


# ---- the static scan ----

LIVE = "reads through a connection (%s)"


def dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def is_op_call(node):
    return isinstance(node, ast.Call) and dotted(node.func).startswith("op.")


def literal_sql(node):
    """A string constant, or text()/sa.text() of one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.Call) and dotted(node.func).split(".")[-1] == "text" and node.args:
        return literal_sql(node.args[0])
    return False


def constant_rows(node):
    if not isinstance(node, (ast.List, ast.Tuple)):
        return False
    for row in node.elts:
        if not isinstance(row, ast.Dict):
            return False
        for v in row.values:
            try:
                ast.literal_eval(v)
            except Exception:
                return False
    return True


def scan_body(fn):
    """(live, flags) of one function: lists of (line, reason)."""
    live, flags = [], []
    for node in ast.walk(fn):
        if isinstance(node, (ast.If, ast.For, ast.While, ast.Try, ast.AsyncFor)):
            if any(is_op_call(n) for n in ast.walk(node)):
                kind = type(node).__name__.lower()
                flags.append((node.lineno, "control flow around op calls (%s)" % kind))
        if isinstance(node, ast.Call):
            name = dotted(node.func)
            last = name.split(".")[-1]
            if last == "get_bind":
                live.append((node.lineno, LIVE % (name + "()")))
            elif name.endswith("get_context().connection") or last in ("exec_driver_sql",):
                live.append((node.lineno, LIVE % name))
            elif name == "op.execute" and node.args and not literal_sql(node.args[0]):
                arg = node.args[0]
                if isinstance(arg, (ast.JoinedStr, ast.BinOp, ast.Name)) or (
                        isinstance(arg, ast.Call) and dotted(arg.func).endswith("format")):
                    flags.append((node.lineno, "SQL built at run time (op.execute)"))
            elif name == "op.bulk_insert" and len(node.args) > 1 and not constant_rows(node.args[1]):
                flags.append((node.lineno, "bulk_insert of computed rows"))
        if isinstance(node, ast.Attribute) and node.attr == "connection" and \
                dotted(node.value).endswith("get_context"):
            live.append((node.lineno, LIVE % "op.get_context().connection"))
    return live, flags


def scan(path):
    """{'up'|'down': (live, flags)}; a helper's findings count where it is called."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    funcs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    out = {}
    for direction, name in (("up", "upgrade"), ("down", "downgrade")):
        fn = funcs.get(name)
        if fn is None:
            out[direction] = ([], [])
            continue
        live, flags = scan_body(fn)
        called = {dotted(n.func) for n in ast.walk(fn) if isinstance(n, ast.Call)}
        for helper in sorted(called & (set(funcs) - {"upgrade", "downgrade"})):
            hl, hf = scan_body(funcs[helper])
            live += hl
            flags += hf
        out[direction] = (sorted(set(live)), sorted(set(flags)))
    return out


# ---- rendering ----

def ancestors(script, revs):
    seen, todo = set(), list(revs)
    while todo:
        r = script.get_revision(todo.pop())
        for d in r._all_down_revisions:
            if d not in seen:
                seen.add(d)
                todo.append(d)
    return seen


def parents(script, sc):
    """sc's down revisions and dependencies, without those implied by another."""
    direct = list(sc._all_down_revisions)
    implied = ancestors(script, direct)
    return [d for d in direct if d not in implied]


class PlanError(Exception):
    pass


def run_one(cfg, script, sc, direction, as_sql, buf=None):
    """Run sc's upgrade or downgrade alone through env.py."""
    rev = sc.revision
    if direction == "up":
        start, dest = parents(script, sc) or "base", rev

        def fn(heads, context):
            steps = script._upgrade_revs(dest, heads)
            return check(steps)
    else:
        from alembic.util import to_tuple
        down = list(to_tuple(sc.down_revision, default=()))
        start, dest = [rev], (down[0] if down else "base")

        def fn(heads, context):
            return check(script._downgrade_revs(dest, (rev,)))

    def check(steps):
        if len(steps) != 1 or steps[0].revision.revision != rev:
            raise PlanError("Alembic planned %d steps (%s) for %s alone" % (
                len(steps), ", ".join(s.revision.revision for s in steps), rev))
        return steps

    cfg.output_buffer = buf
    kw = dict(fn=fn, as_sql=as_sql, destination_rev=dest)
    if as_sql:
        kw["starting_rev"] = start
    with EnvironmentContext(cfg, script, **kw) as env:
        script.run_env()
        ctx = env.get_context() if env._migration_context is not None else None
    return ctx


def in_file(exc, path):
    return any(os.path.abspath(fs.filename) == os.path.abspath(path)
               for fs in traceback.extract_tb(exc.__traceback__))


def where(exc, path):
    """The innermost frame of the exception in the revision's own file."""
    here = ""
    for fs in traceback.extract_tb(exc.__traceback__):
        if os.path.abspath(fs.filename) == os.path.abspath(path):
            here = "%s:%d: " % (path, fs.lineno)
    return "%s%s: %s" % (here, type(exc).__name__, str(exc).strip().splitlines()[0] if str(exc).strip() else "")


# ---- recording against the scratch database ----

def literal(v, sqlite):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return ("1" if v else "0") if sqlite else ("TRUE" if v else "FALSE")
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (bytes, bytearray, memoryview)):
        h = bytes(v).hex()
        return "X'%s'" % h if sqlite else "'\\x%s'::bytea" % h
    return "'%s'" % str(v).replace("'", "''")


def bind_params(sql, params, sqlite):
    """The statement with its parameters written in as literals."""
    if not params:
        return sql.replace("%%", "%") if not sqlite and params is not None and "%%" in sql else sql
    out, i, n, q = [], 0, len(sql), None
    seq = iter(params) if isinstance(params, (list, tuple)) else None
    while i < n:
        c = sql[i]
        if q:
            out.append(c)
            if c == q:
                q = None
            i += 1
        elif c in "'\"":
            q = c
            out.append(c)
            i += 1
        elif sqlite and c == "?" and seq is not None:
            out.append(literal(next(seq), True))
            i += 1
        elif sqlite and c == ":" and seq is None and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_"):
            j = i + 1
            while j < n and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            out.append(literal(params[sql[i + 1:j]], True))
            i = j
        elif not sqlite and c == "%" and sql.startswith("%%", i):
            out.append("%")
            i += 2
        elif not sqlite and c == "%" and sql.startswith("%(", i):
            j = sql.index(")s", i)
            out.append(literal(params[sql[i + 2:j]], False))
            i = j + 2
        elif not sqlite and c == "%" and sql.startswith("%s", i) and seq is not None:
            out.append(literal(next(seq), False))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def is_read(sql):
    s = sql.lstrip().lower()
    return s.startswith(("select", "show", "with")) or (s.startswith("pragma") and "=" not in s)


def record_dev(cfg, script, dev_url, wanted, scripts, flask=False):
    """Upgrade base -> heads and back on the scratch database, one revision
    per env.py run, recording what each wanted revision executes."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine, make_url

    from sqlalchemy import create_engine, inspect

    dev = make_url(dev_url)
    engine = create_engine(dev)
    try:
        version_table = cfg.get_main_option("version_table") or "alembic_version"
        tables = [t for t in inspect(engine).get_table_names()
                  if t not in (version_table, "alembic_version")]
        if tables:
            raise RuntimeError("the dev database is not empty (it has %s); convert upgrades "
                               "a scratch database from base: give an empty one" %
                               ", ".join(sorted(tables)[:5]))
    finally:
        engine.dispose()
    state = {"bucket": None}

    def listen(conn, cursor, statement, parameters, context, executemany):
        url = conn.engine.url
        if url.render_as_string(hide_password=False) != dev.render_as_string(hide_password=False):
            raise RuntimeError("env.py connected to %s, not to the dev database; retort records "
                               "only against the scratch database%s" % (
                                   url.render_as_string(hide_password=True),
                                   " (Flask-Migrate's env.py connects to the app's "
                                   "SQLALCHEMY_DATABASE_URI: point the app at the scratch "
                                   "database, and give retort the real one with -u)" if flask else ""))
        if state["bucket"] is None or is_read(statement):
            return
        nt = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        sqlite = conn.dialect.name == "sqlite"
        rows = parameters if executemany else [parameters]
        for p in rows:
            state["bucket"].append((nt, bind_params(statement, p, sqlite)))

    event.listen(Engine, "before_cursor_execute", listen)
    cfg.set_main_option("sqlalchemy.url", dev_url.replace("%", "%%"))
    order = list(reversed(list(script.walk_revisions("base", "heads"))))
    out = {}

    def step(sc, direction):
        state["bucket"] = [] if sc.revision in wanted else None
        try:
            run_one(cfg, script, sc, direction, False)
        finally:
            got, state["bucket"] = state["bucket"], None
        if got is not None:
            text, open_ = ["BEGIN;\n"], True
            for nt, sql in got:
                if nt and open_:
                    text.append("COMMIT;\n")
                elif not nt and not open_:
                    text.append("BEGIN;\n")
                open_ = not nt
                text.append(sql.strip().rstrip(";") + ";\n\n")
            if open_:
                text.append("COMMIT;\n")
            out[(sc.revision, direction)] = "".join(text)

    try:
        for sc in order:
            step(sc, "up")
        for sc in reversed(order):
            step(sc, "down")
    finally:
        event.remove(Engine, "before_cursor_execute", listen)
    return out


def main(argv):
    ini, section, location, offline_url, dev_url = argv[:5]
    revs = argv[5:]
    cfg = Config(ini, ini_section=section)
    if location:
        cfg.set_main_option("script_location", location.replace("%", "%%"))
    app = flask_app(ScriptDirectory.from_config(cfg))
    with app.app_context() if app is not None else contextlib.nullcontext():
        migrate = app.extensions.get("migrate") if app is not None else None
        if migrate is not None and hasattr(migrate, "migrate"):
            # Flask-Migrate's @migrate.configure callbacks, as its get_config runs them
            cfg = migrate.migrate.call_configure_callbacks(cfg)
        convert(cfg, ScriptDirectory.from_config(cfg), offline_url, dev_url, revs, app is not None)


def convert(cfg, script, offline_url, dev_url, revs, flask):
    want = offline_url.split(":")[0]
    cfg.set_main_option("sqlalchemy.url", offline_url)
    vtable = None
    pending = []
    for rev in revs:
        sc = script.get_revision(rev)
        try:
            found = scan(sc.path)
        except SyntaxError as e:
            record("FAIL", rev, text="%s:%s: SyntaxError: %s" % (sc.path, e.lineno, e.msg))
            continue
        live = []
        for direction in ("up", "down"):
            for line, reason in found[direction][0] + found[direction][1]:
                record("FLAG", rev, direction, reason, line)
            live += found[direction][0]
        if live:
            record("NEEDDEV", rev, text="%s:%d: %s" % (sc.path, live[0][0], live[0][1]))
            pending.append(sc)
            continue
        texts = {}
        try:
            for direction in ("up", "down"):
                buf = io.StringIO()
                ctx = run_one(cfg, script, sc, direction, True, buf)
                if ctx is not None and ctx.dialect.name != want:
                    raise DriverError(
                        "env.py rendered %s for %s, not %s: it sets its own database URL%s; convert "
                        "for %s (its dialect option) instead, or point it at a %s database" % (
                            rev, ctx.dialect.name, want,
                            " (Flask-Migrate's takes the app's SQLALCHEMY_DATABASE_URI)" if flask
                            else "", ctx.dialect.name, want))
                if ctx is not None and vtable is None:
                    vtable = ctx.version_table
                texts[direction] = buf.getvalue()
        except NotImplementedError as e:
            if direction == "down":
                texts["down"] = None   # irreversible
            else:
                record("NEEDDEV", rev, text=where(e, sc.path))
                pending.append(sc)
                continue
        except Exception as e:
            if not in_file(e, sc.path):
                raise   # env.py or the configuration: the whole run fails
            record("NEEDDEV", rev, text=where(e, sc.path))
            pending.append(sc)
            continue
        for direction in ("up", "down"):
            if texts[direction] is None:
                record("IRREV", rev, "down", "downgrade() raises NotImplementedError")
            else:
                record("SCRIPT", rev, direction, texts[direction])
    if pending and dev_url:
        try:
            got = record_dev(cfg, script, dev_url, {sc.revision for sc in pending}, pending, flask)
        except Exception as e:
            traceback.print_exc()
            for sc in pending:
                record("FAIL", sc.revision, text="recording against the dev database failed: " +
                       where(e, sc.path))
            got = {}
        for sc in pending:
            for direction in ("up", "down"):
                if (sc.revision, direction) in got:
                    record("SCRIPT", sc.revision, direction, got[(sc.revision, direction)])
    record("VTABLE", text=vtable or cfg.get_main_option("version_table") or "alembic_version")


try:
    main(sys.argv[1:])
except SystemExit:
    raise
except DriverError as e:
    record("ERROR", text=str(e))
    sys.exit(1)
except BaseException as e:
    record("ERROR", text="Alembic failed: %s: %s" % (type(e).__name__, str(e).strip()))
    traceback.print_exc()
    sys.exit(1)
