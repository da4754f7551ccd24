#!/usr/bin/env python3
"""A TCP forwarder that starts listening late, to stand in for a server
that is still coming up: it listens on 127.0.0.1:PORT and forwards each
connection to 127.0.0.1:TARGET, until killed.  WHEN says when it starts:
a number of seconds, or the path of a waiter's log, in which case it starts
once that log says "not ready yet", so the waiter has surely been refused
at least once however slowly it started (valgrind).  DROP, if given, is
a comma-separated list of connection numbers (1 is the first accepted)
that are closed at once instead of forwarded: a path that fails for a
moment (a name that did not resolve, a server restarting) after an
earlier connection went through.

    tcpproxy.py PORT TARGET WHEN [DROP]
"""
import socket
import sys
import threading
import time

port, target, when = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
drop = {int(n) for n in sys.argv[4].split(",")} if len(sys.argv) > 4 else set()


def pipe(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def refused_once(log):
    try:
        with open(log, encoding="utf-8", errors="replace") as f:
            return "not ready yet" in f.read()
    except FileNotFoundError:
        return False


try:
    time.sleep(float(when))
except ValueError:
    while not refused_once(when):
        time.sleep(0.02)
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(16)
accepted = 0
while True:
    client, _ = srv.accept()
    accepted += 1
    if accepted in drop:
        client.close()
        continue
    try:
        upstream = socket.create_connection(("127.0.0.1", target))
    except OSError:
        client.close()
        continue
    threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
    threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
