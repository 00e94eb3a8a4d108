#!/usr/bin/env python3
"""A small Docker/OCI registry token issuer for tests (loopback only).

GET /token?service=S&scope=repository:NAME:pull with HTTP Basic credentials
USER:PASS answers {"token": JWT, "access_token": JWT}: an RS256 JSON Web Token
signed with KEY (PEM), header "kid" = the libtrust key id of the key (what
docker-registry's `auth: token: rootcertbundle` trusts), claims iss/aud/sub/
exp/nbf/iat/jti and "access" granting pull (never push) on the repositories
asked for. Wrong or missing credentials: 401. Every request is logged, one
line each, to LOG: "user=U scope=S status=N".

usage: token_issuer.py PORT KEY.pem ISSUER SERVICE USER PASS LOG
"""
import base64
import hashlib
import http.server
import json
import os
import sys
import time
import urllib.parse

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

port, key_path, issuer, service, user, password, log_path = sys.argv[1:8]
key = serialization.load_pem_private_key(open(key_path, "rb").read(), password=None)
der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
b32 = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
kid = ":".join(b32[i:i + 4] for i in range(0, len(b32), 4))


def b64url(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def token(sub, access):
    now = int(time.time())
    head = {"typ": "JWT", "alg": "RS256", "kid": kid}
    claims = {"iss": issuer, "sub": sub, "aud": service, "exp": now + 300, "nbf": now - 10, "iat": now,
              "jti": b64url(os.urandom(12)), "access": access}
    signing = b64url(json.dumps(head).encode()) + "." + b64url(json.dumps(claims).encode())
    sig = key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing + "." + b64url(sig)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        scope = " ".join(q.get("scope", []))
        who = ""
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                who, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            except Exception:
                who, pw = "", ""
            ok = who == user and pw == password
        else:
            ok = False
        if url.path != "/token" or not ok or q.get("service", [""])[0] != service:
            status = 404 if url.path != "/token" else 401
            with open(log_path, "a") as f:
                f.write("user=%s scope=%s status=%d\n" % (who or "-", scope or "-", status))
            self.send_response(status)
            self.send_header("WWW-Authenticate", 'Basic realm="hhscan-token"')
            self.end_headers()
            return
        access = []
        for s in scope.split():
            parts = s.split(":")
            if len(parts) == 3 and parts[0] == "repository" and "pull" in parts[2].split(","):
                access.append({"type": "repository", "name": parts[1], "actions": ["pull"]})
        t = token(who, access)
        body = json.dumps({"token": t, "access_token": t, "expires_in": 300}).encode()
        with open(log_path, "a") as f:
            f.write("user=%s scope=%s status=200\n" % (who, scope or "-"))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), Handler).serve_forever()
