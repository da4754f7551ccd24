#!/usr/bin/python3
"""bench/gen_graph.py DIR N: N revisions with branches and merges (every 10th
revision starts a side branch from the main line; it merges back 5
revisions later), for the graph benchmarks (W6 and planning)."""
import os
import sys

d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(os.path.join(d, "versions"), exist_ok=True)
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
    with open(os.path.join(d, "versions", rid + ".sql"), "w") as f:
        f.write("-- step %d\n--\n-- Revision ID: %s\n-- Revises: %s\n\n-- migrate:upgrade\n"
                "CREATE TABLE t%d (id INTEGER PRIMARY KEY);\n\n-- migrate:downgrade\nDROP TABLE t%d;\n"
                % (i, rid, ", ".join(down), i, i))
    if not (side == rid):
        main_tip = rid
