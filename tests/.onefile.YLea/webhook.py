#!/usr/bin/env python3
"""A local webhook for the notification tests: appends each POSTed body as
one line to OUT and answers STATUS (default 200).  Prints its port on
stdout once listening, then serves until killed.

    webhook.py OUT [STATUS]
"""
import http.server
import sys

out = sys.argv[1]
status = int(sys.argv[2]) if len(sys.argv) > 2 else 200


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(out, "ab") as f:
            f.write(self.headers.get("Content-Type", "").encode() + b" " + body.strip() + b"\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
print(server.server_address[1], flush=True)
server.serve_forever()
