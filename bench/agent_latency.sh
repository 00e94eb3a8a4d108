#!/usr/bin/env bash
# Syscall-to-finding latency of the agent's sensor path (issue 15 item 6):
# the release agent watches one podman container that runs N short
# processes with a stratum URL in their command line and N connects to a
# loopback port a test rule names, spaced SPACING seconds apart (a quiet node
# between them). Reports min / median / p95 / max of the findings'
# latency.syscall_to_finding_ms for each, and how many of the N arrived from
# the sensor (evt.type execve / connect). Writes bench/results-agent_latency.md.
# Needs root, podman, BTF.
set -u
cd "$(dirname "$0")/.."
N=${HH_BENCH_N:-100}
SPACING=${HH_BENCH_SPACING:-0.1}
HH=${HH_BIN:-build/hashhound}
out=bench/out/agent-latency
res=bench/results-agent_latency.md
[ "$(id -u)" = 0 ] || { echo "bench agent_latency: needs root"; exit 1; }
[ -x "$HH" ] || { echo "bench agent_latency: build $HH first (make)"; exit 1; }
rm -rf "$out" && mkdir -p "$out"
name=hh-bench-lat-$$
port=$((30000 + $$ % 20000))
agent_pid=""
cleanup() {
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
	podman rm -f -t 0 "$name" >/dev/null 2>&1
}
trap cleanup EXIT
cat >"$out/rules.yaml" <<EOF
- rule: Bench connect to the bench port
  id: bench.connect
  desc: connect(2) from a container to loopback port $port (bench/agent_latency.sh)
  condition: evt.type = connect and container and fd.sport = $port
  output: bench connect (pid=%proc.pid)
  priority: low
  tags: [bench]
EOF
printf 'rules:\n  files: [%s]\n' "$PWD/$out/rules.yaml" >"$out/config.yaml"
"$HH" agent -c "$out/config.yaml" --interval 30 --format json --findings-file '' --store '' --listen '' \
	>"$out/findings.jsonl" 2>"$out/agent.log" &
agent_pid=$!
for _ in $(seq 60); do grep -q 'interval:' "$out/agent.log" && break; sleep 1; done
grep -q 'sensor: *ebpf' "$out/agent.log" || { cat "$out/agent.log"; echo "no eBPF sensor"; exit 1; }
sleep 1
podman run --runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --network host --rm \
	--name "$name" --rootfs /:O python3 -c "
import subprocess, time
for i in range($N):
    subprocess.run(['sh', '-c', 'true', 'stratum' + '+tcp://pool.minexmr.com:4444/%d' % i])
    time.sleep($SPACING)
    # a process per connect: one finding per process and rule goes out
    subprocess.run(['bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/$port'], stderr=subprocess.DEVNULL)
    time.sleep($SPACING)
" || { echo "workload failed"; exit 1; }
sleep 1
kill -TERM "$agent_pid"; wait "$agent_pid"; agent_pid=""
load=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$out/findings.jsonl" "$N" "$res" "$HH" "$SPACING" "$load" "$(grep -o 'sensor: slowest.*' "$out/agent.log" | tail -1)" <<'PY'
import json, sys, statistics, datetime
path, n, res, binary, spacing, load, slowest = sys.argv[1:]
n = int(n)
lat = {"miner.stratum-url": [], "bench.connect": []}
types = {"miner.stratum-url": "execve", "bench.connect": "connect"}
for line in open(path):
    f = json.loads(line)
    r = f.get("rule")
    if r in lat and f.get("fields", {}).get("evt.type") == types[r]:
        v = [e["value"] for e in f.get("evidence", []) if e.get("what") == "latency.syscall_to_finding_ms"]
        if v:
            lat[r].append(v[0])
def q(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]
rows = []
for r, xs in lat.items():
    if xs:
        rows.append(f"| {types[r]} ({r}) | {len(xs)}/{n} | {min(xs):.1f} | {statistics.median(xs):.1f} | {q(xs, 0.95):.1f} | {max(xs):.1f} |")
    else:
        rows.append(f"| {types[r]} ({r}) | 0/{n} | - | - | - | - |")
text = f"""# Agent sensor path: syscall to finding

`bench/agent_latency.sh` ({datetime.date.today()}, {binary}, {n} execs and {n} connects in one
podman container, {spacing} s apart; load average {load} on this shared 2-CPU machine).
The agent drains the ring buffer every 50 ms (docs/agent.md); latencies are the findings'
`latency.syscall_to_finding_ms`, in ms.

| event (rule) | from the sensor | min | median | p95 | max |
|---|---|---|---|---|---|
""" + "\n".join(rows) + f"""

{slowest}
"""
open(res, "w").write(text)
print(text)
PY
