#!/usr/bin/python3
"""Interleaved timing: run several commands in turn, round after round, so
that every command sees the same machine (a noisy neighbour slows all of
them alike instead of whichever ran during it), and print each one's
median, quartiles and the ratios to the first.

    bench/interleave.py [-n ROUNDS] [-w WARMUP] [-p NAME='PREPARE' ...]
                        [-t RTT_MS -b NAME=BASE ...] NAME='COMMAND ARGS' ...

COMMAND is split like a shell word list (no shell runs; no pipes).  Its
output is discarded; a non-zero exit stops the measurement.  -p gives NAME
a PREPARE command, run untimed before each of its runs (resetting its
database, as hyperfine's --prepare).  With -t, a last column says how
much longer than its BASE (-b) each such NAME took, in milliseconds and in
round trips of RTT_MS: the waiting a slow link added.
"""
import os
import shlex
import statistics
import subprocess
import sys
import time


def main(argv):
    rounds, warmup, specs, prepare, base, rtt = 40, 3, [], {}, {}, None
    i = 0
    while i < len(argv):
        if argv[i] == "-p":
            name, sep, cmd = argv[i + 1].partition("=")
            if not sep:
                sys.exit("interleave.py: -p %r is not NAME='PREPARE'" % argv[i + 1])
            prepare[name] = shlex.split(cmd)
            i += 2
            continue
        if argv[i] == "-b":
            name, sep, other = argv[i + 1].partition("=")
            if not sep:
                sys.exit("interleave.py: -b %r is not NAME=BASE" % argv[i + 1])
            base[name] = other
            i += 2
            continue
        if argv[i] == "-t":
            rtt = float(argv[i + 1])
            i += 2
            continue
        if argv[i] in ("-n", "-w"):
            val = int(argv[i + 1])
            if argv[i] == "-n":
                rounds = val
            else:
                warmup = val
            i += 2
            continue
        name, sep, cmd = argv[i].partition("=")
        if not sep:
            sys.exit("interleave.py: %r is not NAME='COMMAND'" % argv[i])
        specs.append((name, shlex.split(cmd)))
        i += 1
    if not specs:
        sys.exit(__doc__)
    for name in prepare:
        if name not in dict(specs):
            sys.exit("interleave.py: -p %s names no command" % name)
    for name, other in base.items():
        if name not in dict(specs) or other not in dict(specs):
            sys.exit("interleave.py: -b %s=%s names no command" % (name, other))
    times = {name: [] for name, _ in specs}
    null = open(os.devnull, "wb")
    for r in range(warmup + rounds):
        for name, cmd in specs:
            if name in prepare and subprocess.call(prepare[name], stdout=null, stderr=null):
                sys.exit("interleave.py: preparing %s failed: %s" % (name, " ".join(prepare[name])))
            t0 = time.perf_counter()
            rc = subprocess.call(cmd, stdout=null, stderr=null)
            dt = (time.perf_counter() - t0) * 1000
            if rc:
                sys.exit("interleave.py: %s exited %d: %s" % (name, rc, " ".join(cmd)))
            if r >= warmup:
                times[name].append(dt)
    first = statistics.median(times[specs[0][0]])
    extra = rtt is not None
    print("| command | median | quartiles | / %s |%s" % (specs[0][0], " over its base |" if extra else ""))
    print("|---|---:|---:|---:|%s" % ("---|" if extra else ""))
    for name, _ in specs:
        t = sorted(times[name])
        q = statistics.quantiles(t, n=4) if len(t) > 1 else (t[0], t[0], t[0])
        med = statistics.median(t)
        row = "| %s | %.1f ms | %.1f-%.1f ms | %.2fx |" % (name, med, q[0], q[2], med / first)
        if extra:
            if name in base:
                over = med - statistics.median(times[base[name]])
                row += " %s: +%.1f ms, %.1f round trips |" % (base[name], over, over / rtt)
            else:
                row += " |"
        print(row)


main(sys.argv[1:])
