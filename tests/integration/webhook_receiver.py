#!/usr/bin/env python3
"""A real HTTP receiver for the webhook tests (loopback only).
usage: webhook_receiver.py PORT_FILE LOG [--port N] [--delay S] [--reject RULE] [--down-file F]
Binds 127.0.0.1:N (default 0: any free port) and writes the port to PORT_FILE. Each POST is logged to LOG
as one JSON line {"key": Idempotency-Key, "id": body id, "rule": ..., "code": ...}.
--delay: seconds to wait before answering each POST (a slow receiver).
--reject: answer 400 to findings with this rule.
--down-file: while this file exists, answer 503 (a receiver that is down)."""
import json, os, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer

port_file, log_path = sys.argv[1], sys.argv[2]
args = sys.argv[3:]
opt = {args[i]: args[i + 1] for i in range(0, len(args) - 1, 2)}
delay = float(opt.get("--delay", "0"))
reject = opt.get("--reject")
down = opt.get("--down-file")
log = open(log_path, "a", buffering=1)

class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        if delay:
            time.sleep(delay)
        try:
            f = json.loads(body)
        except ValueError:
            f = {}
        code = 200
        if down and os.path.exists(down):
            code = 503
        elif reject and f.get("rule") == reject:
            code = 400
        log.write(json.dumps({"key": self.headers.get("Idempotency-Key"), "id": f.get("id"),
                              "rule": f.get("rule"), "code": code}) + "\n")
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok" if code == 200 else b"no")

HTTPServer.allow_reuse_address = True
srv = HTTPServer(("127.0.0.1", int(opt.get("--port", "0"))), H)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.replace(port_file + ".tmp", port_file)
srv.serve_forever()
