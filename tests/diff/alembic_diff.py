#!/usr/bin/python3
"""Differential test: retort against the real Alembic (Debian's python3-alembic).

For each seed: generate a random revision graph (linear runs, branch points,
merges, branch labels, depends_on; 10-40 revisions), write it both as Alembic
Python scripts and as retort SQL files whose migrations log what they run,
then run the same random command sequence with both tools against two SQLite
databases.  After every command compare: success or failure, the migrations
executed (in order), and the version rows; at the end, the text that
history, heads, branches and current print, with retort reading its .sql
files and then Alembic's own .py files.

Alembic runs in-process through its command API.  Debian's Alembic 1.8.1
lists version files in os.listdir order; newer Alembic sorts them by name,
which is what retort does (ties between branches follow file order), so the
listing is sorted here too.

Differences that docs/alembic-compat.md documents are accepted and counted
separately; anything else is a disagreement.

usage: alembic_diff.py RETORT_BIN FIRST_SEED COUNT [--verbose]
Exit status 0 when every command agreed (or deviated as documented).
"""
import io
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import warnings
import contextlib

# Alembic iterates Python sets in places (which row `downgrade -1` starts
# from, which parent row a merge keeps), so its outcome can depend on hash
# randomization: pin it, so that a seed always replays the same way.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, PYTHONHASHSEED="0"))

import alembic.command
import alembic.script.base
from alembic.config import Config

_orig_list = alembic.script.base.Script._list_py_dir.__func__


def _sorted_list(cls, scriptdir, path):
    return sorted(_orig_list(cls, scriptdir, path))


alembic.script.base.Script._list_py_dir = classmethod(_sorted_list)

ENV_PY = '''
from alembic import context
from sqlalchemy import engine_from_config, pool
config = context.config
def run():
    engine = engine_from_config(config.get_section(config.config_ini_section),
                                prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()
run()
'''


def gen_graph(rng):
    """A list of dicts: id, down (list), deps (list), label (or None), in file order."""
    n = rng.randint(10, 40)
    revs = []
    labels = 0
    for i in range(n):
        rid = "r%02d%s" % (i, "".join(rng.choice("0123456789abcdef") for _ in range(6)))
        heads = [r["id"] for r in revs if not any(r["id"] in o["down"] for o in revs)]
        roll = rng.random()
        if not revs or roll < 0.06:
            down = []                                   # a new root
        elif roll < 0.18 and len(heads) >= 2:
            down = rng.sample(heads, 2)                 # a merge
        elif roll < 0.38:
            down = [rng.choice(revs)["id"]]             # a branch from anywhere
        else:
            down = [rng.choice(heads)]                  # continue a branch
        deps = []
        if revs and rng.random() < 0.1:
            cand = [r["id"] for r in revs if r["id"] not in down]
            if cand:
                deps = [rng.choice(cand)]
        label = None
        if (not down or rng.random() < 0.12) and labels < 4:
            labels += 1
            label = "lbl%d" % labels
        revs.append({"id": rid, "down": down, "deps": deps, "label": label})
    # file order differs from creation order now and then
    order = list(range(n))
    rng.shuffle(order)
    for k, r in enumerate(revs):
        r["file"] = "%02d_%s" % (order[k], r["id"])
    return revs


def write_alembic(revs, d):
    os.makedirs(os.path.join(d, "versions"))
    with open(os.path.join(d, "env.py"), "w") as f:
        f.write(ENV_PY)
    with open(os.path.join(d, "script.py.mako"), "w") as f:
        f.write("")
    for r in revs:
        down = "None" if not r["down"] else repr(r["down"][0] if len(r["down"]) == 1 else tuple(r["down"]))
        deps = "None" if not r["deps"] else repr(tuple(r["deps"]))
        label = "None" if not r["label"] else repr((r["label"],))
        with open(os.path.join(d, "versions", r["file"] + ".py"), "w") as f:
            f.write('"""%s"""\nrevision = %r\ndown_revision = %s\nbranch_labels = %s\n'
                    'depends_on = %s\nfrom alembic import op\n'
                    'def upgrade():\n    op.execute("INSERT INTO log (what) VALUES (\'up %s\')")\n'
                    'def downgrade():\n    op.execute("INSERT INTO log (what) VALUES (\'down %s\')")\n'
                    % (r["id"], r["id"], down, label, deps, r["id"], r["id"]))


def write_retort(revs, d):
    os.makedirs(os.path.join(d, "versions"))
    for r in revs:
        with open(os.path.join(d, "versions", r["file"] + ".sql"), "w") as f:
            f.write("-- %s\n--\n-- Revision ID: %s\n-- Revises: %s\n" % (r["id"], r["id"], ", ".join(r["down"])))
            if r["label"]:
                f.write("-- Branch Labels: %s\n" % r["label"])
            if r["deps"]:
                f.write("-- Depends On: %s\n" % ", ".join(r["deps"]))
            f.write("\n-- migrate:upgrade\nINSERT INTO log (what) VALUES ('up %s');\n" % r["id"])
            f.write("\n-- migrate:downgrade\nINSERT INTO log (what) VALUES ('down %s');\n" % r["id"])


def gen_commands(rng, revs):
    ids = [r["id"] for r in revs]
    labels = [r["label"] for r in revs if r["label"]]
    cmds = []
    for _ in range(rng.randint(8, 16)):
        pick = rng.random()
        rid = rng.choice(ids)
        if pick < 0.2:
            cmds.append(("upgrade", "heads"))
        elif pick < 0.27:
            cmds.append(("upgrade", "head"))
        elif pick < 0.42:
            cmds.append(("upgrade", rng.choice([rid, rid[:6], rid + "+1"])))
        elif pick < 0.5:
            cmds.append(("upgrade", "+%d" % rng.randint(1, 3)))
        elif pick < 0.56 and labels:
            cmds.append(("upgrade", rng.choice(labels) + rng.choice(["@head", "@+1"])))
        elif pick < 0.66:
            cmds.append(("downgrade", "-%d" % rng.randint(1, 2)))
        elif pick < 0.78:
            cmds.append(("downgrade", rng.choice([rid, "base"])))
        elif pick < 0.84 and labels:
            cmds.append(("downgrade", rng.choice(labels) + rng.choice(["@base", "@-1"])))
        elif pick < 0.89:
            cmds.append(("stamp", rid))
        elif pick < 0.92:
            cmds.append(("stamp", rng.choice(["heads", (rid, rng.choice(ids))])))
        else:
            cmds.append(("upgrade", rng.choice(["base+1", "head-1", rid + "@head"])))
    return cmds


def db_state(path, since):
    c = sqlite3.connect(path)
    log = [r[0] for r in c.execute("SELECT what FROM log WHERE seq > ? ORDER BY seq", (since,))]
    last = c.execute("SELECT coalesce(max(seq), 0) FROM log").fetchone()[0]
    try:
        rows = sorted(r[0] for r in c.execute("SELECT version_num FROM alembic_version"))
    except sqlite3.OperationalError:
        rows = []
    c.close()
    return log, last, rows


def run_alembic(cfg, cmd, arg):
    """(ok, kind, warnings): kind is 'error' (CommandError) or 'crash' (anything else)."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                getattr(alembic.command, cmd)(cfg, list(arg) if isinstance(arg, tuple) else arg)
            return True, None, [str(x.message) for x in w]
        except alembic.util.CommandError:
            return False, "error:" + str(sys.exc_info()[1])[:200], [str(x.message) for x in w]
        except Exception as e:   # a traceback in Alembic
            return False, "crash:" + type(e).__name__, [str(x.message) for x in w]


def ancestors(revs, rid):
    """rid and everything it revises or depends on, transitively."""
    by_id = {r["id"]: r for r in revs}
    seen, todo = set(), [rid]
    while todo:
        x = todo.pop()
        if x not in seen:
            seen.add(x)
            todo.extend(by_id[x]["down"] + by_id[x]["deps"])
    return seen


def documented(revs, cmd, arg, a, r):
    """Which documented deviation (docs/alembic-compat.md) explains this difference, if any?
    Returns (name, which database state to continue from)."""
    a_ok, a_kind, a_warn, a_log, a_rows = a
    r_ok, r_err, r_log, r_rows = r
    if cmd == "stamp" and isinstance(arg, tuple) and arg[0] == arg[1] and not r_ok and \
            "named twice" in r_err:
        return "a revision stamped twice is refused", "alembic"
    several = cmd == "stamp" and (arg == "heads" or isinstance(arg, tuple))
    if several and r_ok and ((a_ok and set(a_rows) < set(r_rows)) or a_kind == "crash:KeyError"):
        # Alembic moves every matched head onto each destination: it folds
        # rows, or crashes when a second destination finds its heads gone
        return "stamp of several destinations (Alembic folds rows or crashes)", "retort"
    if a_ok and not r_ok and cmd == "downgrade" and arg.startswith("-") and \
            any("multiple heads is ambiguous" in w for w in a_warn) and "is ambiguous" in r_err:
        return "downgrade -N from several heads", "alembic"
    if not a_ok and a_kind.startswith("crash") and not r_ok:
        return "Alembic crashes, retort refuses", "alembic"
    # Alembic < 1.13.1 (#1373): un-merging keeps a parent that is an ancestor of another
    extra = set(a_rows) - set(r_rows)
    if a_ok and r_ok and a_log == r_log and cmd == "downgrade" and set(r_rows) <= set(a_rows) and \
            extra and all(any(e in ancestors(revs, x) for x in r_rows) for e in extra):
        return "redundant row after un-merge (Alembic < 1.13.1, #1373)", "retort"
    return None, None


def norm_labels(text):
    """Several branch labels are a Python set in Alembic (hash order); retort sorts them."""
    import re
    return re.sub(r"\(([^()]*, [^()]*)\)",
                  lambda m: "(" + ", ".join(sorted(m.group(1).split(", "))) + ")", text)


def compare_outputs(cfg, retort, rdir, rdb, seed, verbose, stats):
    """history and heads must print as Alembic prints them; branches and
    current too, up to the order Alembic takes from Python sets.  retort
    prints them twice: from its .sql files, and from Alembic's own .py
    files, read without Python (src/lib/pyrev.c)."""
    adir = cfg.get_main_option("script_location")
    for cmd, args, ordered, d in [(c, a, o, d) for d in (rdir, adir) for c, a, o in
                                  (("history", [], True), ("heads", [], True),
                                   ("branches", [], False), ("current", [], False))]:
        buf = io.StringIO()
        c = Config(stdout=buf)
        c.set_main_option("script_location", cfg.get_main_option("script_location"))
        c.set_main_option("sqlalchemy.url", cfg.get_main_option("sqlalchemy.url"))
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                getattr(alembic.command, cmd)(c)
            a_out = buf.getvalue()
        except Exception as e:
            a_out = "error: %s" % type(e).__name__
        p = subprocess.run([retort, "-q", "-d", d, "-u", "sqlite:///" + rdb, cmd] + args,
                           capture_output=True, text=True)
        r_out = p.stdout if p.returncode == 0 else "error: %d %s" % (p.returncode, p.stderr)
        a_n, r_n = norm_labels(a_out), norm_labels(r_out)
        if not ordered:
            a_n, r_n = sorted(a_n.splitlines()), sorted(r_n.splitlines())
        if a_n == r_n:
            stats["agree"] += 1
        else:
            stats["disagree"] += 1
            print("seed %d: output of %s (retort reading %s files): DISAGREE\n--- alembic\n%s--- retort\n%s"
                  % (seed, cmd, ".py" if d == adir else ".sql", a_out, r_out))


def one_seed(retort, seed, verbose):
    rng = random.Random(seed)
    revs = gen_graph(rng)
    cmds = gen_commands(rng, revs)
    top = tempfile.mkdtemp(prefix="retort-diff-")
    stats = {"agree": 0, "documented": 0, "disagree": 0, "kinds": {}}
    try:
        adir, rdir = os.path.join(top, "alembic"), os.path.join(top, "retort")
        write_alembic(revs, adir)
        write_retort(revs, rdir)
        adb, rdb = os.path.join(top, "a.db"), os.path.join(top, "r.db")
        for p in (adb, rdb):
            c = sqlite3.connect(p)
            c.execute("CREATE TABLE log (seq INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT)")
            c.commit()
            c.close()
        cfg = Config()
        cfg.set_main_option("script_location", adir)
        cfg.set_main_option("sqlalchemy.url", "sqlite:///" + adb)
        a_seen = r_seen = 0
        for cmd, arg in cmds:
            a_ok, a_kind, a_warn = run_alembic(cfg, cmd, arg)
            args = list(arg) if isinstance(arg, tuple) else [arg]
            p = subprocess.run([retort, "-q", "-d", rdir, "-u", "sqlite:///" + rdb, cmd] + args,
                               capture_output=True, text=True)
            r_ok, r_err = p.returncode == 0, p.stderr.strip()
            a_log, a_seen, a_rows = db_state(adb, a_seen)
            r_log, r_seen, r_rows = db_state(rdb, r_seen)
            same = a_ok == r_ok and a_log == r_log and a_rows == r_rows
            doc, keep = (None, None) if same else documented(
                revs, cmd, arg, (a_ok, a_kind or "", a_warn, a_log, a_rows), (r_ok, r_err, r_log, r_rows))
            if same:
                stats["agree"] += 1
            elif doc:
                stats["documented"] += 1
                stats["kinds"][doc] = stats["kinds"].get(doc, 0) + 1
            else:
                stats["disagree"] += 1
            if verbose or not (same or doc):
                print("seed %d: %s %s: %s" % (seed, cmd, " ".join(args), "agree" if same else doc or "DISAGREE"))
                if not same:
                    print("  alembic: ok=%s %s log=%s rows=%s" % (a_ok, a_kind or "", a_log, a_rows))
                    print("  retort:  ok=%s log=%s rows=%s %s" % (r_ok, r_log, r_rows, r_err[:300]))
            if not same and not doc:
                # the databases have diverged: later commands compare nothing useful
                break
            if not same:
                # a documented deviation: go on from one state in both
                if keep == "alembic":
                    shutil.copyfile(adb, rdb)
                    r_seen = a_seen
                else:
                    shutil.copyfile(rdb, adb)
                    a_seen = r_seen
        if not stats["disagree"]:
            compare_outputs(cfg, retort, rdir, rdb, seed, verbose, stats)
        if stats["disagree"] and verbose:
            print("graph:", [(r["file"], r["down"], r["deps"], r["label"]) for r in revs])
    finally:
        shutil.rmtree(top)
    return stats


def main():
    retort, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    verbose = "--verbose" in sys.argv
    total = {"agree": 0, "documented": 0, "disagree": 0}
    kinds = {}
    bad_seeds = []
    for seed in range(first, first + count):
        s = one_seed(retort, seed, verbose)
        for k in total:
            total[k] += s[k]
        for k, v in s["kinds"].items():
            kinds[k] = kinds.get(k, 0) + v
        if s["disagree"]:
            bad_seeds.append(seed)
    n = sum(total.values())
    print("checks (commands, then history/heads/branches/current output per seed): %d, "
          "agreed: %d, documented deviations: %d, disagreed: %d (%.1f%% agreement)"
          % (n, total["agree"], total["documented"], total["disagree"],
             100.0 * (total["agree"] + total["documented"]) / max(n, 1)))
    for k, v in sorted(kinds.items()):
        print("  documented: %s: %d" % (k, v))
    if bad_seeds:
        print("seeds that disagreed:", " ".join(map(str, bad_seeds)))
    sys.exit(1 if bad_seeds else 0)


if __name__ == "__main__":
    main()
