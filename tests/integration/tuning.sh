#!/usr/bin/env bash
# One tuning model for every detector (docs/tuning.md): each way a user
# silences one finding for one workload, proved on the real binary. In every
# case a twin workload that is not tuned still gets its finding, so the test
# fails when tuning silences too much as well as too little.
#   agent   process indicators (exception by image), exe traits (per-image
#           override of rules.disabled), behavior (same, plateau), over a
#           synthetic node (bench/agent_tree.py)
#   rules   escape.runtime-socket: the known-tools list, and an exception by
#           proc.name and image (rules test shows what the agent emits)
#   scan    per-image rules.disabled (docker-archive RepoTags), an exception
#           by path, a .hashhoundignore entry, an expired one
#   pcap    an exception by server address (fd.sip)
#   check   a .hashhoundignore entry, an exception by namespace
#   audit   an exception by namespace
#   config  --get ... --namespace/--image reports what is applied
. "$(dirname "$0")/../lib.sh"
need_cmd python3
[ -x "$HH_BIN" ] || fail "$HH_BIN not built"
out=$HH_ROOT/tests/out/tuning.$$
rm -rf "$out"; mkdir -p "$out"
trap 'rm -rf "$out"' EXIT

# has FILE RULE KEY=VALUE...: a finding of RULE whose fields match
has() {
	python3 - "$@" <<'PY'
import json, sys
path, rule, *conds = sys.argv[1:]
want = dict(c.split("=", 1) for c in conds)
for line in open(path):
    f = json.loads(line)
    if f["rule"] != rule:
        continue
    got = lambda k: str(f["fields"].get(k, f.get(k)))
    # file.path: the whole path or its tail after a '/' (directory scans print absolute paths)
    if all(got(k) == v or (k == "file.path" and got(k).endswith("/" + v)) for k, v in want.items()):
        sys.exit(0)
sys.exit(1)
PY
}

# ---- agent: process indicators, exe traits, runtime rules, behavior ----
tree=$out/tree
python3 "$HH_ROOT/bench/agent_tree.py" "$tree" 10 >/dev/null || fail "tree generation"
roots=(--proc-root "$tree/proc" --cgroup-root "$tree/cgroup" --host-root "$tree/host" --store '' --listen '' --findings-file '')
ids=($(python3 -c "import json; print(' '.join(e['id'] for e in json.load(open('$tree/host/var/lib/containers/storage/overlay-containers/containers.json'))))"))
# containers 0 and 6: a miner command line; 2 and 7: a renamed miner binary
for i in 0 6; do
	printf '/usr/bin/kworker\0-o\0stratum+tcp://pool.example:3333\0--donate-level=1\0' >"$tree/proc/$((100000 + i))/cmdline"
done
printf '\177ELF....XMRig/6.21 donate.v2.xmrig.com --donate-level cpu-max-threads-hint RandomX randomx_create_vm rx/0 mining.subscribe mining.submit stratum+tcp' >"$out/kworker"
for i in 2 7; do ln -sfn "$out/kworker" "$tree/proc/$((100000 + i))/exe"; done
# container 3: an Ethereum token contract in its environment (precision: low context)
printf 'PATH=/usr/bin\0USDC_CONTRACT=0x8ba1f109551bD432803012645Ac136ddd64DBA72\0' >"$tree/proc/100003/environ"

cat >"$out/agent.yaml" <<'Y'
exceptions:
  - rule: "miner.*"
    match: { image: "localhost/bench/app-0:*" }
    reason: "app-0 is the mining lab's benchmark (ticket SEC-1)"
overrides:
  - match: { image: "localhost/bench/app-2:*" }
    set: { rules.disabled: [miner.exe-traits] }
  - match: { image: "localhost/bench/app-4:*" }
    set: { rules.disabled: [behavior.cpu-plateau] }
behavior:
  min_samples: 5
  plateau: { window_s: 4 }
Y
"$HH_BIN" agent --once -c "$out/agent.yaml" "${roots[@]}" --stats >"$out/once.json" 2>"$out/once.err"
[ $? -le 1 ] || { cat "$out/once.err"; fail "agent --once"; }
c() { echo "container.id=${ids[$1]}"; }
has "$out/once.json" miner.process-indicators $(c 0) && fail "agent: exception by image did not silence app-0"
has "$out/once.json" miner.process-indicators $(c 6) severity=critical || { cat "$out/once.json"; fail "agent: app-6 lost its finding"; }
has "$out/once.json" miner.exe-traits $(c 2) && fail "agent: per-image rules.disabled did not silence app-2"
has "$out/once.json" miner.exe-traits $(c 7) severity=high || fail "agent: app-7 lost its exe traits"
has "$out/once.json" miner.process-indicators $(c 3) severity=low || fail "agent: a token contract in env is low context"
has "$out/once.json" incident.cryptomining $(c 0) && fail "agent: a silenced finding still reached the correlator"
grep -q "suppressed by tuning [1-9]" "$out/once.err" || { cat "$out/once.err"; fail "agent: no suppressed count"; }
ok "agent: exception by image, per-image rules.disabled (exe traits), env wallet low"

# behavior: containers 4 and 8 pinned at their 0.3-CPU quota; app-4 tuned off
python3 - "$tree/cgroup/machine.slice/libpod-${ids[4]}.scope/cpu.stat" \
	"$tree/cgroup/machine.slice/libpod-${ids[8]}.scope/cpu.stat" 11 <<'PY' &
import sys, time, os
paths, secs = sys.argv[1:3], float(sys.argv[3])
t0 = time.monotonic()
while time.monotonic() - t0 < secs:
    e = time.monotonic() - t0
    for p in paths:
        with open(p + ".tmp", "w") as f:
            f.write("usage_usec %d\nuser_usec 0\nsystem_usec 0\nnr_periods %d\nnr_throttled %d\nthrottled_usec 0\n"
                    % (1000000 + int(0.3 * e * 1e6), 100 + int(e * 10), int(e * 9)))
        os.replace(p + ".tmp", p)
    time.sleep(0.05)
PY
feeder=$!
"$HH_BIN" agent --interval 0.5 --duration 10 -c "$out/agent.yaml" "${roots[@]}" >"$out/run.json" 2>"$out/run.err"
wait $feeder
has "$out/run.json" behavior.cpu-plateau $(c 8) || { tail -5 "$out/run.err"; fail "behavior: app-8 plateau not found"; }
has "$out/run.json" behavior.cpu-plateau $(c 4) && fail "behavior: per-image rules.disabled did not silence app-4"
ok "agent: behavior plateau silenced for one image, found for its twin"

# config --get reports the value that was applied
[ "$("$HH_BIN" config --check "$out/agent.yaml" --get rules.disabled --image localhost/bench/app-4:1.0 | tail -1)" = '["behavior.cpu-plateau"]' ] ||
	fail "config --get rules.disabled --image"
[ "$("$HH_BIN" config --check "$out/agent.yaml" --get rules.disabled --image localhost/bench/app-8:1.0 | tail -1)" = '[]' ] ||
	fail "config --get rules.disabled for an untuned image"
printf 'overrides:\n  - match: { namespace: lab }\n    set: { network.tls_behavior.min_duration_s: 5 }\n' >"$out/glob.yaml"
v=$("$HH_BIN" config --check "$out/glob.yaml" --get network.tls_behavior.min_duration_s --namespace lab 2>"$out/glob.err")
[ "$v" = 60 ] && grep -q "read once for all workloads" "$out/glob.err" ||
	fail "config --get of a global key for a workload must print the applied value ($v) and say why"
ok "config --get shows the per-image value the agent applied, and the global value of global keys"

# ---- runtime rules: escape.runtime-socket ----
cat >"$out/sock.jsonl" <<'J'
{"evt.type":"open","proc.name":"cadvisor","fd.name":"/var/run/docker.sock","container.id":"c1","container.image":"gcr.io/cadvisor/cadvisor:v0.49"}
{"evt.type":"open","proc.name":"my-agent","fd.name":"/var/run/docker.sock","container.id":"c2","container.image":"registry.local/ops/my-agent:3"}
{"evt.type":"open","proc.name":"my-agent","fd.name":"/var/run/docker.sock","container.id":"c3","container.image":"docker.io/evil/app:1"}
{"evt.type":"open","proc.name":"curl","fd.name":"/var/run/docker.sock","container.id":"c4","container.image":"docker.io/library/app:1"}
J
cat >"$out/sock.yaml" <<'Y'
exceptions:
  - rule: escape.runtime-socket
    fields: { proc.name: my-agent }
    match: { image: "registry.local/ops/my-agent:*" }
    reason: "our inventory agent lists containers through the socket"
Y
"$HH_BIN" rules test --event "$out/sock.jsonl" -c "$out/sock.yaml" -f json >"$out/sock.json" 2>"$out/sock.err"
has "$out/sock.json" escape.runtime-socket container.id=c1 && fail "runtime-socket: cadvisor is a known tool"
has "$out/sock.json" escape.runtime-socket container.id=c2 && fail "runtime-socket: the exception did not apply"
has "$out/sock.json" escape.runtime-socket container.id=c3 || fail "runtime-socket: the same name in another image must still fire"
has "$out/sock.json" escape.runtime-socket container.id=c4 || fail "runtime-socket: curl must fire"
ok "runtime rules: known tools list and an exception by proc.name + image"

# ---- scan: per-image override, exception by path, ignore file ----
python3 - "$out" <<'PY'
import io, json, os, sys, tarfile
out = sys.argv[1]
cfg = b'{"pools":[{"url":"stratum+tcp://pool.example:4444","user":"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"}],"donate-level":1}'
def add(t, name, data):
    i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
for app in ("app-a", "app-b"):
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as t:
        add(t, "etc/xmrig.json", cfg)
    with tarfile.open(os.path.join(out, app + ".tar"), "w") as t:
        add(t, "layer0/layer.tar", layer.getvalue())
        add(t, "config.json", json.dumps({"architecture": "amd64", "os": "linux", "config": {},
             "rootfs": {"type": "layers", "diff_ids": []}}).encode())
        add(t, "manifest.json", json.dumps([{"Config": "config.json", "RepoTags": ["localhost/%s:1" % app],
             "Layers": ["layer0/layer.tar"]}]).encode())
os.makedirs(os.path.join(out, "tree/srv/a"), exist_ok=True)
os.makedirs(os.path.join(out, "tree/srv/b"), exist_ok=True)
for d in ("a", "b"):
    open(os.path.join(out, "tree/srv", d, "xmrig.json"), "wb").write(cfg)
PY
cat >"$out/scan.yaml" <<'Y'
overrides:
  - match: { image: "localhost/app-a*" }
    set: { rules.disabled: ["miner.*"] }
Y
"$HH_BIN" scan -c "$out/scan.yaml" -f json "$out/app-a.tar" "$out/app-b.tar" >"$out/img.json" 2>"$out/img.err"
has "$out/img.json" miner.config container.image.repository=localhost/app-a:1 && fail "scan: per-image rules.disabled did not silence app-a"
has "$out/img.json" miner.config container.image.repository=localhost/app-b:1 severity=critical || { cat "$out/img.err"; fail "scan: app-b lost its miner config"; }
ok "scan: per-image rules.disabled"

cat >"$out/path.yaml" <<'Y'
exceptions:
  - rule: miner.*
    path: "srv/a/*"
    reason: "a's pool config is the lab's"
    expires: 2999-12-31
Y
"$HH_BIN" scan -c "$out/path.yaml" -f json "$out/tree" >"$out/path.json" 2>"$out/path.err"
has "$out/path.json" miner.config file.path=srv/a/xmrig.json && fail "scan: exception by path did not apply"
has "$out/path.json" miner.config file.path=srv/b/xmrig.json || fail "scan: srv/b lost its finding"
ok "scan: exception by path"

cat >"$out/tree/.hashhoundignore" <<'I'
# RULE            PATH-GLOB         [exp:DATE]       REASON
miner.config      srv/b/*           exp:2999-01-01   b's config is reviewed (SEC-2)
miner.pool-domain srv/b/*           pool in b's reviewed config
miner.config      srv/a/*           exp:2001-01-01   expired: must no longer apply
I
(cd "$out/tree" && "$HH_BIN" scan -f json . >"$out/ign.json" 2>"$out/ign.err")
has "$out/ign.json" miner.config file.path=srv/b/xmrig.json && fail "scan: .hashhoundignore did not apply"
has "$out/ign.json" miner.pool-domain file.path=srv/b/xmrig.json && fail "scan: .hashhoundignore (second entry) did not apply"
has "$out/ign.json" miner.config file.path=srv/a/xmrig.json || fail "scan: an expired entry still applied"
grep -q "\.hashhoundignore:4: .*expired on 2001-01-01" "$out/ign.err" || { cat "$out/ign.err"; fail "scan: no warning for the expired entry"; }
printf 'miner.config srv/b/*\n' >"$out/bad.ignore"
"$HH_BIN" scan --ignore-file "$out/bad.ignore" -f json "$out/tree" >/dev/null 2>"$out/bad.err"
[ $? -eq 2 ] && grep -q "bad.ignore:1: .*reason is required" "$out/bad.err" || { cat "$out/bad.err"; fail "scan: an entry without a reason must be an error naming the line"; }
ok "scan: .hashhoundignore entries apply, an expired one warns and stops applying, a bad one is an error"

# ---- pcap: exception by server address ----
python3 - "$out/two.pcap" <<'PY'
import struct, sys
def frame(src, dst, sp, dp, seq, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, 0, 0x50, flags, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0, bytes(src), bytes(dst)) + tcp
    return b"\0" * 12 + b"\x08\x00" + ip
pk = []
t = 1700000000.0
for srv in ((203, 0, 113, 7), (203, 0, 113, 8)):
    cli, seq = (10, 0, 0, 2), 1000
    pk.append((t, frame(cli, srv, 40000, 3333, seq, 0x02))); t += 0.01; seq += 1
    for line in (b'{"id":1,"method":"mining.subscribe","params":["cpuminer/2.5"]}\n',
                 b'{"id":2,"method":"mining.authorize","params":["wallet.w1","x"]}\n'):
        pk.append((t, frame(cli, srv, 40000, 3333, seq, 0x18, line))); t += 0.01; seq += len(line)
    sseq = 5000
    for line in (b'{"id":1,"result":[[["mining.notify","ae"]],"08000002",4],"error":null}\n',
                 b'{"id":2,"result":true,"error":null}\n',
                 b'{"id":null,"method":"mining.notify","params":["1","00","00","00",[],"20000000","1d00ffff","5f5e1000",true]}\n'):
        pk.append((t, frame(srv, cli, 3333, 40000, sseq, 0x18, line))); t += 0.01; sseq += len(line)
    pk.append((t, frame(cli, srv, 40000, 3333, seq, 0x11))); t += 0.01
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for ts, fr in pk:
        f.write(struct.pack("<IIII", int(ts), int((ts % 1) * 1e6), len(fr), len(fr)) + fr)
PY
cat >"$out/pcap.yaml" <<'Y'
exceptions:
  - rule: "net.*"
    fields: { fd.sip: 203.0.113.7, fd.sport: 3333 }
    reason: "203.0.113.7 is our own test pool"
Y
"$HH_BIN" pcap -f json "$out/two.pcap" >"$out/pcap0.json" 2>"$out/pcap0.err"
has "$out/pcap0.json" net.stratum.v1 fd.sip=203.0.113.7 && has "$out/pcap0.json" net.stratum.v1 fd.sip=203.0.113.8 ||
	{ cat "$out/pcap0.err" "$out/pcap0.json"; fail "pcap: both sessions should be found untuned"; }
"$HH_BIN" pcap -c "$out/pcap.yaml" -f json "$out/two.pcap" >"$out/pcap1.json" 2>"$out/pcap1.err"
has "$out/pcap1.json" net.stratum.v1 fd.sip=203.0.113.7 && fail "pcap: the exception by server did not apply"
has "$out/pcap1.json" net.stratum.v1 fd.sip=203.0.113.8 || fail "pcap: the other pool lost its finding"
ok "pcap: exception by server address and port"

# ---- check: ignore file and exception by namespace ----
mkdir -p "$out/k8s"
for ns in lab prod; do
	cat >"$out/k8s/$ns.yaml" <<Y
apiVersion: v1
kind: Pod
metadata: { name: tool, namespace: $ns }
spec:
  containers:
    - name: tool
      image: docker.io/library/busybox:1.36
      securityContext: { privileged: true }
Y
done
"$HH_BIN" check -f json "$out/k8s" >"$out/chk0.json" 2>/dev/null
has "$out/chk0.json" posture.privileged k8s.ns.name=lab && has "$out/chk0.json" posture.privileged k8s.ns.name=prod ||
	fail "check: privileged pods not found untuned"
cat >"$out/chk.yaml" <<'Y'
exceptions:
  - rule: posture.privileged
    match: { namespace: lab }
    reason: "lab pods are disposable"
Y
"$HH_BIN" check -c "$out/chk.yaml" -f json "$out/k8s" >"$out/chk1.json" 2>/dev/null
has "$out/chk1.json" posture.privileged k8s.ns.name=lab && fail "check: exception by namespace did not apply"
has "$out/chk1.json" posture.privileged k8s.ns.name=prod || fail "check: prod lost its finding"
printf 'posture.privileged  */prod.yaml  exp:2999-01-01  reviewed: prod tool needs it (SEC-3)\n' >"$out/chk.ignore"
"$HH_BIN" check --ignore-file "$out/chk.ignore" -f json "$out/k8s" >"$out/chk2.json" 2>/dev/null
has "$out/chk2.json" posture.privileged k8s.ns.name=prod && fail "check: the ignore file did not apply"
has "$out/chk2.json" posture.privileged k8s.ns.name=lab || fail "check: lab lost its finding"
ok "check: exception by namespace, ignore-file entry by path"
# ---- audit-log: exception by namespace ----
cat >"$out/audit.yaml" <<'Y'
exceptions:
  - rule: "audit.*"
    match: { namespace: ops }
    reason: "ops runs node agents with host namespaces"
Y
"$HH_BIN" audit-log -c "$out/audit.yaml" -f json "$HH_ROOT/tests/data/audit/actor-chain.jsonl" >"$out/audit.json" 2>/dev/null
has "$out/audit.json" audit.create-host-namespace-pod k8s.ns.name=ops && fail "audit-log: exception by namespace did not apply"
has "$out/audit.json" audit.create-privileged-pod k8s.ns.name=prod || fail "audit-log: prod lost its finding"
ok "audit-log: exception by namespace"
echo "PASS: tuning"
