#!/usr/bin/env bash
# Kubernetes audit events live: the agent's HTTP server takes POST /audit (the
# EventList an API server's webhook backend posts), judges it with the audit
# rules, and joins the finding to the running container of the pod it names
# (a podman container carrying the CRI-O pod annotations, so the identity
# module names its pod as on a Kubernetes node). Also: a malformed body is
# accepted and logged, not a crash; a body over 16 MiB is refused with 413.
# `hashhound serve` takes the same POST and stores the findings.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd podman python3
out=$(mktemp -d "$HH_ROOT/build-san/hh-auditwh.XXXXXX")
tag=hhaw-$$
hh=""
cleanup() {
	[ -n "$hh" ] && kill "$hh" 2>/dev/null
	podman_rm "$tag-web"
	wait 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT
port=$((30000 + $$ % 20000))
"$HH_BIN" agent -v -f json --duration 60 --interval 2 --findings-file '' --store '' --listen "127.0.0.1:$port" \
	>"$out/agent.json" 2>"$out/agent.err" &
hh=$!
wait_for "grep -q 'interval:' $out/agent.err" 60 || { cat "$out/agent.err"; fail "agent did not start"; }
wait_for "(exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null" 20 || fail "agent HTTP server not listening on $port"
podman run --runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 -d --name "$tag-web" \
	--annotation io.kubernetes.pod.name=web-$$ --annotation io.kubernetes.pod.namespace=shop \
	--rootfs /:O sleep 50 >/dev/null || fail "container did not start"
id=$(podman inspect -f '{{.Id}}' "$tag-web")
wait_for "grep -q 'container: ${id:0:12} ' $out/agent.err" 30 || fail "agent did not see the container"

post() { # BODY-FILE [PORT] -> prints the HTTP status
	python3 - "${2:-$port}" "$1" <<'PY'
import sys, urllib.request, urllib.error
req = urllib.request.Request("http://127.0.0.1:%s/audit" % sys.argv[1], data=open(sys.argv[2], "rb").read(),
                             headers={"Content-Type": "application/json"}, method="POST")
try:
    print(urllib.request.urlopen(req, timeout=30).status)
except urllib.error.HTTPError as e:
    print(e.code)
PY
}
python3 - "$$" >"$out/events.json" <<'PY'
import json, sys
ev = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "aw-1", "stage": "ResponseStarted",
      "requestURI": "/api/v1/namespaces/shop/pods/web-%s/exec?command=sh&stdin=true" % sys.argv[1], "verb": "create",
      "user": {"username": "mallory", "groups": ["system:authenticated"]}, "sourceIPs": ["10.0.0.9"],
      "objectRef": {"resource": "pods", "namespace": "shop", "name": "web-%s" % sys.argv[1], "subresource": "exec", "apiVersion": "v1"},
      "responseStatus": {"metadata": {}, "code": 101}, "annotations": {"authorization.k8s.io/decision": "allow"}}
print(json.dumps({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "items": [ev]}))
PY
[ "$(post "$out/events.json")" = 200 ] || fail "POST /audit not accepted"
wait_for "grep '\"rule\":\"audit.exec-into-pod\"' $out/agent.json | grep -q '\"container.id\":\"$id\"'" 20 ||
	{ grep audit "$out/agent.json" | cut -c1-400; fail "no audit.exec-into-pod joined to the pod's container"; }
ok "audit.exec-into-pod joined to the container of pod shop/web-$$"
printf '{"kind":"EventList","items":[{"verb":' >"$out/bad.json"
[ "$(post "$out/bad.json")" = 200 ] || fail "malformed body: want 200 (logged)"
wait_for "grep -q 'audit webhook' $out/agent.err" 10 || fail "malformed body not logged"
ok "malformed body logged: $(grep -m1 'audit webhook' "$out/agent.err" | cut -c1-160)"
head -c $((17 << 20)) /dev/zero >"$out/big.json"
[ "$(post "$out/big.json")" = 413 ] || fail "a 17 MiB body: want 413"
ok "17 MiB body refused (413)"
kill -0 "$hh" || fail "agent died"
kill -TERM "$hh"; wait "$hh"; rc=$?; hh=""
[ $rc -eq 0 ] || fail "agent exit $rc"
grep -E 'sanitizer|ERROR' "$out/agent.err" && fail "sanitizer report"

"$HH_BIN" serve --store "$out/serve.db" --listen 127.0.0.1:0 >"$out/serve.out" 2>"$out/serve.err" &
hh=$!
wait_for "grep -q 'listening on' $out/serve.out" 20 || { cat "$out/serve.err"; fail "serve did not start"; }
sport=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$out/serve.out" | head -1)
[ "$(post "$out/events.json" "$sport")" = 200 ] || fail "serve: POST /audit not accepted"
python3 - "$sport" <<'PY' || fail "serve: audit finding not in the store"
import json, sys, urllib.request
d = json.load(urllib.request.urlopen("http://127.0.0.1:%s/api/findings?rule=audit.exec-into-pod" % sys.argv[1], timeout=10))
sys.exit(0 if d["findings"] else 1)
PY
ok "serve: POST /audit stored audit.exec-into-pod"
kill -TERM "$hh"; wait "$hh"; hh=""
echo "PASS: audit webhook"
