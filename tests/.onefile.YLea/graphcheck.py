#!/usr/bin/python3
"""Reads what `retort graph` and `retort history --graph` print back into
graphs, for tests/cli/0620-graph.bats.

    graphcheck.py edges dot|mermaid < OUTPUT
        one line per node ("node ID: LABEL", labels unescaped, lines joined
        by " / ") and per edge ("A -> B", dependencies "A .-> B"), sorted
    graphcheck.py lanes < HISTORY_GRAPH
        the edges the drawing shows, found by following every lane down
        from each '*' to the '*' it reaches ("A -> B", sorted); the node
        of a '*' is the revision id its entry names (after "-> ")
    graphcheck.py random RETORT FIRST COUNT
        for the differential test's random graphs (tests/diff's generator,
        run with its seeds), check that graph --format dot and mermaid have
        every node once and exactly the Revises edges and dependencies,
        that history --graph lists history's entries in its order, each
        once, and that its lanes show exactly the Revises edges.  Exit 1 on
        the first failure, saying what differs.
"""
import collections
import os
import re
import subprocess
import sys
import tempfile

LANE_CHARS = set("|/\\_*-. ")


def unescape_dot(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append("\n" if s[i + 1] == "n" else s[i + 1])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


DOT_STR = r'"((?:[^"\\]|\\.)*)"'


def parse_dot(text):
    nodes, edges = {}, []
    for line in text.splitlines():
        line = line.strip()
        m = re.fullmatch(DOT_STR + r" -> " + DOT_STR + r"( \[style=dashed\])?;", line)
        if m:
            edges.append((unescape_dot(m.group(1)), unescape_dot(m.group(2)), bool(m.group(3))))
            continue
        m = re.fullmatch(DOT_STR + r" \[label=" + DOT_STR + r"(.*)\];", line)
        if m:
            nid = unescape_dot(m.group(1))
            if nid in nodes:
                raise SystemExit("node %s twice" % nid)
            nodes[nid] = unescape_dot(m.group(2))
            continue
        if line.startswith("//") or line in ("digraph revisions {", "node [shape=box];", "}"):
            continue
        raise SystemExit("unexpected DOT line: %r" % line)
    return nodes, edges


def unescape_mermaid(s):
    s = s.replace("<br>", "\n")
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), s)


def parse_mermaid(text):
    names, nodes, edges = {}, {}, []
    lines = text.splitlines()
    if len(lines) < 2 or lines[1] != "flowchart TD":
        raise SystemExit("not a Mermaid flowchart: %r" % lines[:2])
    for line in lines[2:]:
        line = line.strip()
        m = re.fullmatch(r'(rev\d+)\["([^"]*)"\]', line)
        if m:
            label = m.group(2)
            if re.search(r'[#&<>*_`\\\[\]{}|%~$]', re.sub(r"#\d+;|<br>", "", label)):
                raise SystemExit("unescaped character in Mermaid label %r" % label)
            label = unescape_mermaid(label)
            rid = label.split(" ")[0].split("\n")[0]
            if m.group(1) in names or rid in nodes:
                raise SystemExit("node %s twice" % rid)
            names[m.group(1)] = rid
            nodes[rid] = label
            continue
        m = re.fullmatch(r"(rev\d+) (-->|-\.->) (rev\d+)", line)
        if m:
            edges.append((m.group(1), m.group(3), m.group(2) == "-.->"))
            continue
        if line.startswith("classDef ") or line.startswith("class "):
            continue
        raise SystemExit("unexpected Mermaid line: %r" % line)
    try:
        edges = [(names[a], names[b], d) for a, b, d in edges]
    except KeyError as e:
        raise SystemExit("edge to an undeclared node %s" % e)
    return nodes, edges


def show(nodes, edges):
    out = ["node %s: %s" % (k, v.replace("\n", " / ")) for k, v in nodes.items()]
    out += ["%s %s %s" % (a, ".->" if d else "->", b) for a, b, d in edges]
    return sorted(out)


def split_lanes(line):
    """The lanes part of a history --graph line, and its entry text."""
    i = 0
    while i < len(line) and line[i] in LANE_CHARS:
        i += 1
    while i > 0 and line[i - 1] == " ":
        i -= 1
    return line[:i], line[i:].lstrip(" ")


def entry_id(text):
    """The revision an entry names: "A, B -> ID (head), message"."""
    return text.split(" -> ", 1)[1].split(" ")[0].rstrip(",")


def trace_lanes(lines):
    """Follow the drawing: each '*' goes down its lanes to the '*'s they
    reach.  Junction (r, x) sits below row r in column x; '|' joins
    (r-1, x) to (r, x), '/' (r-1, x+1) to (r, x-1), '\\' (r-1, x-1) to
    (r, x+1), but a '/' right after a run of '_' lands on the run, which
    carries it under the lanes to its left end; the '-' and '.' of a fan
    leave the node at their columns."""
    rows = [split_lanes(l) for l in lines]
    grid = [r[0] for r in rows]
    node_at = {}
    for r, (lanes, text) in enumerate(rows):
        if "*" in lanes:
            node_at[(r, lanes.index("*"))] = entry_id(text)
    rails = {}
    for r, g in enumerate(grid):
        for m in re.finditer(r"_(?:._)*", g):
            rails[(r, m.end())] = (r, m.start() - 1)

    def ch(r, x):
        return grid[r][x] if 0 <= r < len(grid) and 0 <= x < len(grid[r]) else " "

    edges = []
    for (r0, c0), nid in node_at.items():
        start = [(r0, c0)] + [(r0, x) for x in range(c0 + 1, len(grid[r0])) if grid[r0][x] in "-."]
        seen, todo = set(), list(start)
        reached = []
        while todo:
            r, x = todo.pop()
            if (r, x) in seen:
                continue
            seen.add((r, x))
            n = r + 1
            if ch(n, x) == "*":
                reached.append(node_at[(n, x)])
                continue
            if ch(n, x) == "|":
                todo.append((n, x))
            if ch(n, x - 1) == "/":
                todo.append(rails.get((n, x - 2), (n, x - 2)))
            if ch(n, x + 1) == "\\":
                todo.append((n, x + 2))
        edges += ["%s -> %s" % (nid, p) for p in reached]
    return sorted(edges)


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        raise SystemExit("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr))
    return p.stdout


def check_random(retort, first, count):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "diff"))
    os.environ["PYTHONHASHSEED"] = "0"
    import random
    import alembic_diff
    nrev = nedge = 0
    for seed in range(first, first + count):
        revs = alembic_diff.gen_graph(random.Random(seed))
        with tempfile.TemporaryDirectory() as top:
            d = os.path.join(top, "m")
            alembic_diff.write_retort(revs, d)
            base = [retort, "-q", "-d", d]
            want = sorted(["%s -> %s" % (r["id"], p) for r in revs for p in r["down"]] +
                          ["%s .-> %s" % (r["id"], p) for r in revs for p in r["deps"]])
            for fmt, parse in (("dot", parse_dot), ("mermaid", parse_mermaid)):
                nodes, edges = parse(run(base + ["graph", "--format", fmt]))
                got = sorted("%s %s %s" % (a, ".->" if dep else "->", b) for a, b, dep in edges)
                if got != want:
                    raise SystemExit("seed %d: %s edges differ:\n  got  %s\n  want %s"
                                     % (seed, fmt, got, want))
                if sorted(nodes) != sorted(r["id"] for r in revs):
                    raise SystemExit("seed %d: %s nodes differ" % (seed, fmt))
            plain = run(base + ["history"]).splitlines()
            drawn = run(base + ["history", "--graph"]).splitlines()
            entries = [split_lanes(l)[1] for l in drawn if "*" in split_lanes(l)[0]]
            if entries != plain:
                raise SystemExit("seed %d: history --graph entries differ from history:\n%s"
                                 % (seed, "\n".join(drawn)))
            for l in drawn:
                lanes, text = split_lanes(l)
                if ("*" in lanes) != bool(text) or lanes.count("*") > 1:
                    raise SystemExit("seed %d: a line mixes lanes and text: %r" % (seed, l))
            ids = [entry_id(e) for e in entries]
            if collections.Counter(ids) != collections.Counter(r["id"] for r in revs):
                raise SystemExit("seed %d: history --graph does not list each revision once" % seed)
            lanes_want = sorted(e for e in want if " -> " in e)
            got = trace_lanes(drawn)
            if got != lanes_want:
                raise SystemExit("seed %d: the lanes show other edges:\n  got  %s\n  want %s\n%s"
                                 % (seed, got, lanes_want, "\n".join(drawn)))
            nrev += len(revs)
            nedge += len(want)
    print("%d graphs, %d revisions, %d edges: all drawn exactly once" % (count, nrev, nedge))


def main():
    mode = sys.argv[1]
    if mode == "edges":
        parse = {"dot": parse_dot, "mermaid": parse_mermaid}[sys.argv[2]]
        print("\n".join(show(*parse(sys.stdin.read()))))
    elif mode == "lanes":
        print("\n".join(trace_lanes(sys.stdin.read().splitlines())))
    elif mode == "random":
        check_random(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
