#!/usr/bin/env bash
# The agent's network layer (eBPF socket capture, docs/network.md "In the
# agent") on real podman containers with their OWN network namespace (the
# default podman network, not --network host):
#  - plain: a DNS lookup of a pool domain answered by a loopback DNS responder
#    in the pod's netns, then hh-minersim speaking CryptoNote to hh-poolsim on
#    port 443 at the address the answer gave: net.stratum.cryptonote naming the
#    miner's container, process and fd.sip.name; the DNS lookup as
#    net.pool-domain naming the container that asked;
#  - TLS: the same pool behind TLS (SNI on the pool intel): after 60 s the
#    flow behavior (net.tls-mining-behavior, high with the SNI's intel match,
#    the ClientHello's SNI, JA3 and JA4 in it), naming the miner's container;
#  - host network: a miner container with --network host speaking Stratum to a
#    pool on the host's loopback: net.stratum.v1 naming that container;
#  - before the agent: a pool and a miner already connected when the agent
#    starts (another pod netns): the session is found mid-stream and named
#    with the miner's container; the pool's end (a listener holds its port)
#    gives nothing;
#  - benign: an HTTP server and client in another container: no net finding;
#  - the pool's own (accepted) sockets give no finding (server side is off).
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd podman python3
MINER=$HH_BUILD/hh-minersim
POOL=$HH_BUILD/hh-poolsim
[ -x "$MINER" ] && [ -x "$POOL" ] || skip "simulator not built ($MINER, $POOL): make SAN=1 tools"
grep -q cgroup2 /proc/self/mounts || skip "no cgroup v2 hierarchy mounted: the network capture needs one"
out=$(mktemp -d "$HH_ROOT/build-san/hh-agent-net.XXXXXX")
tag=hhna-$$
pool=$tag-pool dns=$tag-dns miner=$tag-miner tminer=$tag-tlsminer web=$tag-web hminer=$tag-hostnet
pre=$tag-prepool premin=$tag-preminer
hh= hpool=
cleanup() {
	[ -n "$hh" ] && kill "$hh" 2>/dev/null
	[ -n "$hpool" ] && kill "$hpool" 2>/dev/null
	podman_rm "$miner" "$tminer" "$dns" "$tag-tlspool" "$hminer"
	podman_rm "$premin"
	podman_rm "$pool" "$web" "$pre"
	wait 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT
# --rootfs takes the host root as the image: options go before it.
RUN=(podman run --runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 -v "$out:$out")

# A DNS responder: every A query is answered with 127.0.0.77 (the pool).
cat >"$out/dnsd.py" <<'PY'
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
s.settimeout(1.0)
deadline = time.time() + float(sys.argv[1])
while time.time() < deadline:
    try:
        q, peer = s.recvfrom(512)
    except socket.timeout:
        continue
    if len(q) < 12:
        continue
    i = 12
    while i < len(q) and q[i]:
        i += 1 + q[i]
    question = q[12:i + 5]
    hdr = q[:2] + b"\x81\x80" + b"\x00\x01\x00\x01\x00\x00\x00\x00"
    ans = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton("127.0.0.77")
    s.sendto(hdr + question + ans, peer)
PY
# A DNS client: one A query to the responder, the answer printed.
cat >"$out/dnsq.py" <<'PY'
import socket, struct, sys
name = sys.argv[1]
q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
for label in name.split("."):
    q += bytes([len(label)]) + label.encode()
q += b"\x00\x00\x01\x00\x01"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(q, ("127.0.0.1", 53))
r, _ = s.recvfrom(512)
print(name, "->", socket.inet_ntoa(r[-4:]))
PY
# Benign HTTP: a server and a few GETs in one container.
cat >"$out/web.py" <<'PY'
import http.server, threading, urllib.request, time
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 8080), http.server.SimpleHTTPRequestHandler)
threading.Thread(target=srv.serve_forever, daemon=True).start()
for i in range(5):
    urllib.request.urlopen("http://127.0.0.1:8080/", timeout=5).read()
    time.sleep(1)
srv.shutdown()
print("web done")
PY

# Connected before the agent starts.
"${RUN[@]}" -d --name "$pre" --rootfs /:O "$POOL" --listen 127.0.0.1:443 --job-interval 2 --max-seconds 60 >/dev/null ||
	fail "pre-existing pool container did not start"
sleep 1
"${RUN[@]}" -d --name "$premin" --network "container:$pre" --rootfs /:O "$MINER" --pool 127.0.0.1:443 --duration 40 \
	--duty 5 --quiet --name hhna-preminer >/dev/null || fail "pre-existing miner container did not start"
sleep 3

"$HH_BIN" agent -v -f json --duration 100 --interval 2 --findings-file '' --store '' --listen '' \
	>"$out/agent.json" 2>"$out/agent.err" &
hh=$!
wait_for "grep -q 'network:' $out/agent.err" 30 || { cat "$out/agent.err"; fail "agent did not start"; }
grep -q 'network:   ebpf' "$out/agent.err" || { cat "$out/agent.err"; skip "network capture could not load here"; }

# The pod's netns: the plain pool; the DNS responder, the TLS pool and both
# miners join it (--network container:), each its own container.
"${RUN[@]}" -d --name "$pool" --rootfs /:O "$POOL" --listen 127.0.0.77:443 --job-interval 5 --max-seconds 95 >/dev/null ||
	fail "pool container did not start"
"${RUN[@]}" -d --name "$dns" --network "container:$pool" --rootfs /:O python3 "$out/dnsd.py" 90 >/dev/null ||
	fail "dns container did not start"
"${RUN[@]}" -d --name "$tag-tlspool" --network "container:$pool" --rootfs /:O "$POOL" --listen 127.0.0.78:443 --tls \
	--job-interval 5 --max-seconds 95 >/dev/null || fail "TLS pool container did not start"
sleep 2
netns=$(podman inspect -f '{{.NetworkSettings.SandboxKey}}' "$pool")
echo "pod netns: $netns (host netns $(readlink /proc/1/ns/net))"
"${RUN[@]}" -d --name "$miner" --network "container:$pool" --rootfs /:O sh -c \
	"python3 $out/dnsq.py pool.supportxmr.com > $out/dnsq.out 2>&1 && exec $MINER --pool 127.0.0.77:443 --duration 20 --duty 5 --quiet --name hhna-miner" \
	>/dev/null || fail "miner container did not start"
"${RUN[@]}" -d --name "$tminer" --network "container:$pool" --rootfs /:O "$MINER" --pool 127.0.0.78:443 --tls \
	--sni xmr-eu1.supportxmr.com --duration 80 --duty 5 --quiet --name hhna-tlsminer >/dev/null ||
	fail "TLS miner container did not start"
# Host network: the pool on the host's loopback, the miner in a container sharing the host netns.
"$POOL" --listen 127.0.0.1:0 --max-seconds 60 --job-interval 2 >"$out/hpool" 2>&1 &
hpool=$!
wait_for "grep -q 'listening on' $out/hpool" 10 || fail "host pool did not start"
hport=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$out/hpool" | head -1 | sed 's/.*://')
"${RUN[@]}" -d --name "$hminer" --network host --rootfs /:O "$MINER" --pool "127.0.0.1:$hport" --dialect stratum \
	--duration 15 --duty 5 --quiet --name hhna-hostnet >/dev/null || fail "host-network miner container did not start"
"${RUN[@]}" --name "$web" --rootfs /:O python3 "$out/web.py" >"$out/web.out" 2>&1 || { cat "$out/web.out"; fail "web container failed"; }
cat "$out/dnsq.out" 2>/dev/null
wait "$hh"
rc=$?
hh=
[ $rc -le 1 ] || { cat "$out/agent.err"; fail "agent exit $rc"; }
grep -E 'network:|sanitizer|ERROR' "$out/agent.err"

logs() { local c; for c in "$pool" "$tag-tlspool" "$miner" "$tminer" "$premin"; do echo "-- $c"; podman logs "$c" 2>&1 | tail -8; done; }
check() { # DESCRIPTION PYTHON-CONDITION-ON-f-AND-fl
	python3 - "$out/agent.json" "$2" <<'PY' || { grep '"net\.' "$out/agent.json" | cut -c1-600; logs; fail "$1"; }
import json, sys
path, cond = sys.argv[1], sys.argv[2]
for line in open(path):
    f = json.loads(line)
    fl = f["fields"]
    if eval(cond):
        print("  ", f["rule"], f["severity"], fl.get("container.name"), fl.get("proc.name"), fl.get("fd.sip"),
              fl.get("fd.sport"), fl.get("fd.sip.name"))
        sys.exit(0)
sys.exit(1)
PY
	ok "$1"
}
nocheck() { # DESCRIPTION PYTHON-CONDITION-ON-f-AND-fl: no finding may match
	python3 - "$out/agent.json" "$2" <<'PY' || fail "$1"
import json, sys
path, cond = sys.argv[1], sys.argv[2]
bad = 0
for line in open(path):
    f = json.loads(line)
    fl = f["fields"]
    if eval(cond):
        print("unexpected:", line[:400])
        bad += 1
sys.exit(1 if bad else 0)
PY
	ok "$1"
}

check "plain: CryptoNote login named with the miner's container, process and DNS name" \
	"f['rule'] == 'net.stratum.cryptonote' and f['source'] == 'agent' and fl.get('container.name') == '$miner' and fl.get('proc.name') == 'hhna-miner' and fl.get('fd.sip') == '127.0.0.77' and fl.get('fd.sport') == 443 and fl.get('fd.sip.name') == 'pool.supportxmr.com'"
check "DNS: pool-domain lookup named with the container that asked" \
	"f['rule'] == 'net.pool-domain' and fl.get('fd.l4proto') == 'udp' and fl.get('container.name') == '$miner' and fl.get('fd.sip.name') == 'pool.supportxmr.com'"
check "TLS: mining flow behavior (high with the SNI on the pool intel), ClientHello JA3/JA4, named with the TLS miner's container" \
	"f['rule'] == 'net.tls-mining-behavior' and f['severity'] in ('high', 'critical') and fl.get('container.name') == '$tminer' and fl.get('proc.name') == 'hhna-tlsminer' and fl.get('fd.sport') == 443 and fl.get('fd.sip.name') == 'xmr-eu1.supportxmr.com' and {'ja3', 'ja4'} <= {e['what'] for e in f['evidence']}"
# the capture saw the benign flows (debug log of each new flow's owner)
grep -q "network: flow .* container $web " "$out/agent.err" || { grep 'network: flow' "$out/agent.err"; fail "benign HTTP flows not captured"; }
ok "benign HTTP flows captured and attributed to $web"
check "host network: Stratum login named with the host-network container" \
	"f['rule'] == 'net.stratum.v1' and fl.get('container.name') == '$hminer' and fl.get('proc.name') == 'hhna-hostnet' and fl.get('fd.sport') == $hport"
nocheck "benign HTTP container: no network finding" \
	"f['rule'].startswith('net.') and fl.get('container.name') == '$web'"
check "before the agent: the session found mid-stream, named with the miner's container" \
	"f['rule'] == 'net.stratum.cryptonote' and fl.get('container.name') == '$premin' and fl.get('fd.sport') == 443"
nocheck "pool side (accepted sockets, and a listener's port for connections older than the agent): no network finding" \
	"f['rule'].startswith('net.') and fl.get('container.name') in ('$pool', '$tag-tlspool', '$dns', '$pre')"
echo "PASS: agent network layer"
