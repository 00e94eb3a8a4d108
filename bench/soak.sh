#!/usr/bin/env bash
# bench/soak.sh [--duration S] [--out DIR]: the agent as a long-running service
# under churn (issue 15.5). For S seconds (default 3600):
#   - a container started every second (busybox, lives 2 s, --rm), at most 4
#     starts in flight;
#   - an exec storm (50 execs a second) and a connect storm (20 connects a
#     second to a closed loopback port) in two long-lived containers;
#   - a miner (hh-minersim, --cpus 0.3, mining 25 s to a loopback hh-poolsim)
#     at 10 s and then every 60 s;
#   - the webhook receiver (tests/integration/webhook_receiver.py) killed for
#     15 to 60 s (until the agent's /metrics counts a failed attempt) and,
#     later, answering 503 for 10 to 40 s (until 3 POSTs met it), each from a
#     miner's start (10 s and 70 s; from 600 s on, the miners nearest 20% and
#     60% of the run), so the miner's findings meet the outage;
#   - one agent restart (SIGTERM, start again with the same state and spool)
#     at 60 s (from 600 s on, at 50%).
# Every 5 s it samples the agent's RSS, open fds and CPU time. At the end it
# waits for the spool to drain, stops the agent, and writes DIR/summary.txt
# (key=value) and DIR/samples.tsv: findings emitted vs delivered (by finding
# id), duplicates received, lost, miners started vs detected, RSS and fds per
# agent generation (first sample after 20 s of warm-up vs last), CPU, sensor
# events lost. Exit 0 when it ran; judging is the caller's (tests/integration/
# soak.sh asserts, bench/results-soak.md reports).
# Env: HH_BIN (default build/hashhound), SOAK_PREFIX (container names).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
dur=3600 out=$root/bench/out/soak
while [ $# -gt 0 ]; do
	case $1 in
	--duration) dur=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) echo "usage: bench/soak.sh [--duration S] [--out DIR]" >&2; exit 2 ;;
	esac
done
bin=${HH_BIN:-$root/build/hashhound}
rel=$root/build
prefix=${SOAK_PREFIX:-hh-soak-$$}
die() { echo "soak: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (podman, the eBPF sensor)"
for c in podman buildah python3 curl; do command -v $c >/dev/null || die "needs $c"; done
for b in "$bin" "$rel/hh-minersim" "$rel/hh-poolsim"; do [ -x "$b" ] || die "$b not built (make; make tools)"; done
rm -rf "$out"; mkdir -p "$out"
image=$(MS_BIN_DIR=$rel sh "$root/tools/minersim/build-image.sh" localhost/hh-reliab-minersim:latest) || die "image"
run=(podman run --runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --network host)
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rxport=$(freeport) poolport=$(freeport) closed=$(freeport)

pids=() agent=""
cleanup() {
	[ -n "$agent" ] && kill -9 "$agent" 2>/dev/null
	for p in "${pids[@]}" ${churn_pid:-} ${sampler_pid:-}; do kill "$p" 2>/dev/null; done
	[ -n "${rx:-}" ] && kill "$rx" 2>/dev/null
	podman ps -a --format '{{.Names}}' | grep "^$prefix-" | while read -r n; do podman rm -f -t 0 "$n" >/dev/null 2>&1; done
}
trap cleanup EXIT
start_rx() {
	python3 "$root/tests/integration/webhook_receiver.py" "$out/rx.port" "$out/rx.jsonl" --port "$rxport" \
		--down-file "$out/rx.down" &
	rx=$!
	for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$rxport) 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
start_rx || die "receiver did not start"
"$rel/hh-poolsim" --listen "127.0.0.1:$poolport" --job-interval 5 --max-seconds $((dur + 120)) --quiet &
pids+=($!)
cat >"$out/cfg.yaml" <<Y
agent:
  state_file: $out/state.json
sinks:
  webhook:
    url: http://127.0.0.1:$rxport/hook
    spool: $out/webhook.spool
    timeout_ms: 2000
Y
gen=0
start_agent() {
	gen=$((gen + 1))
	"$bin" agent -c "$out/cfg.yaml" --listen 127.0.0.1:0 --store "$out/findings.db" \
		--findings-file "$out/findings.jsonl" >"$out/agent-$gen.jsonl" 2>"$out/agent-$gen.err" &
	agent=$!
	echo "$gen $agent $(date +%s)" >>"$out/agents.txt"
	for _ in $(seq 1 100); do grep -q 'interval:' "$out/agent-$gen.err" && return 0; sleep 0.2; done
	die "agent did not start: $(tail -3 "$out/agent-$gen.err")"
}
stop_agent() {
	kill -TERM "$agent"
	for _ in $(seq 1 120); do kill -0 "$agent" 2>/dev/null || break; sleep 0.25; done
	kill -0 "$agent" 2>/dev/null && { echo "soak: agent did not stop in 30 s" >&2; kill -9 "$agent"; }
	wait "$agent"; echo "$gen exit $?" >>"$out/agents.txt"
	agent=""
}
start_agent
t0=$(date +%s) end=$(( $(date +%s) + dur ))

# The storms: long-lived containers with bounded loops.
"${run[@]}" -d --rm --name "$prefix-exec" "$image" sh -c \
	"i=0; while [ \$i -lt $dur ]; do j=0; while [ \$j -lt 50 ]; do busybox true; j=\$((j+1)); done; sleep 1; i=\$((i+1)); done" \
	>/dev/null || die "exec storm container"
"${run[@]}" -d --rm --name "$prefix-conn" "$image" sh -c \
	"i=0; while [ \$i -lt $dur ]; do j=0; while [ \$j -lt 20 ]; do busybox nc -w 1 127.0.0.1 $closed </dev/null 2>/dev/null; j=\$((j+1)); done; sleep 1; i=\$((i+1)); done" \
	>/dev/null || die "connect storm container"

# Container churn: one start a second, at most 4 in flight.
( n=0
  while [ "$(date +%s)" -lt "$end" ]; do
	[ "$(jobs -rp | wc -l)" -lt 4 ] && { "${run[@]}" -d --rm --name "$prefix-churn-$n" "$image" sleep 2 >/dev/null 2>&1 & n=$((n + 1)); }
	sleep 1
  done; wait; echo "$n" >"$out/churn.count" ) &
churn_pid=$!

# The sampler.
( echo -e "t\tgen\tpid\trss_kb\tfds\tcpu_ticks" >"$out/samples.tsv"
  while [ "$(date +%s)" -lt "$end" ]; do
	read -r g p _ < <(tail -1 "$out/agents.txt" | grep -v exit)
	if [ -n "${p:-}" ] && [ -r /proc/$p/status ]; then
		rss=$(awk '/^VmRSS/ {print $2}' /proc/$p/status)
		fds=$(ls /proc/$p/fd 2>/dev/null | wc -l)
		cpu=$(awk '{print $14 + $15}' /proc/$p/stat)
		echo -e "$(( $(date +%s) - t0 ))\t$g\t$p\t$rss\t$fds\t$cpu" >>"$out/samples.tsv"
	fi
	sleep 5
  done ) &
sampler_pid=$!

# The schedule: miners, receiver outages, one restart.
# The outages start 2 s after a miner (findings are then on their way): the
# kill after the first, the 503s after the second; the restart before that.
miners=0 next_miner=$((t0 + 10)) down_at=$((t0 + 10)) e503_at=$((t0 + 70)) restart_at=$((t0 + 60))
[ "$dur" -ge 600 ] && down_at=$((t0 + dur / 5 - (dur / 5 - 10) % 60)) e503_at=$((t0 + dur * 3 / 5 - (dur * 3 / 5 - 10) % 60)) restart_at=$((t0 + dur / 2))
# The agent's own count of failed webhook attempts (/metrics).
retries() {
	local port
	port=$(sed -n 's|.*/metrics on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$out/agent-$gen.err" | tail -1)
	[ -n "$port" ] && curl -s "http://127.0.0.1:$port/metrics" |
		awk '/^hashhound_webhook_deliveries_total\{result="retry"\}/ {print $2}' | head -1
}
down_done=0 e503_done=0 restarted=0
while [ "$(date +%s)" -lt "$end" ]; do
	now=$(date +%s)
	if [ "$now" -ge "$next_miner" ] && [ "$now" -lt $((end - 30)) ]; then
		"${run[@]}" -d --rm --cpus 0.3 --name "$prefix-miner-$miners" "$image" /usr/local/bin/hh-minersim \
			--pool "127.0.0.1:$poolport" --threads 2 --name "kworker/0:1" --duration 25 --quiet >/dev/null &&
			echo "$prefix-miner-$miners $((now - t0))" >>"$out/miners.txt"
		miners=$((miners + 1)) next_miner=$((now + 60))
	fi
	if [ $down_done = 0 ] && [ "$now" -ge "$down_at" ]; then
		echo "receiver down (killed) at $((now - t0)) s" >>"$out/events.txt"
		# at least 15 s, and until the agent failed an attempt (at most 60 s)
		r0=$(retries); kill "$rx"; wait "$rx" 2>/dev/null; t5=$(date +%s)
		while [ $(( $(date +%s) - t5 )) -lt 60 ]; do
			[ $(( $(date +%s) - t5 )) -ge 15 ] && [ "$(retries)" != "${r0:-}" ] && break
			sleep 1
		done
		start_rx || die "receiver restart"
		echo "receiver up at $(( $(date +%s) - t0 )) s" >>"$out/events.txt"; down_done=1
	fi
	if [ $e503_done = 0 ] && [ "$now" -ge "$e503_at" ]; then
		echo "receiver 503 at $((now - t0)) s" >>"$out/events.txt"
		# at least 10 s, and until 3 POSTs met the 503s (at most 40 s)
		touch "$out/rx.down"; t5=$(date +%s)
		while [ $(( $(date +%s) - t5 )) -lt 40 ]; do
			[ $(( $(date +%s) - t5 )) -ge 10 ] && [ "$(grep -c '"code": 503' "$out/rx.jsonl")" -ge 3 ] && break
			sleep 1
		done
		rm -f "$out/rx.down"
		echo "receiver 200 at $(( $(date +%s) - t0 )) s" >>"$out/events.txt"; e503_done=1
	fi
	if [ $restarted = 0 ] && [ "$now" -ge "$restart_at" ]; then
		echo "agent restart at $((now - t0)) s" >>"$out/events.txt"
		stop_agent; start_agent; restarted=1
	fi
	sleep 1
done
# Let the last miner end and everything queued drain (the receiver is up).
sleep 5
python3 - "$out" <<'PY'
import glob, json, os, sys, time
out = sys.argv[1]
def emitted():
    ids = []
    for p in sorted(glob.glob(out + "/agent-*.jsonl")):
        for l in open(p):
            try: ids.append(json.loads(l)["id"])
            except ValueError: pass
    return ids
def delivered():
    return {json.loads(l)["id"] for l in open(out + "/rx.jsonl") if '"code": 200' in l}
for _ in range(120):
    if set(emitted()) <= delivered():
        break
    time.sleep(1)
PY
stop_agent
wait "$churn_pid" "$sampler_pid" 2>/dev/null
for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
pids=()
kill "$rx" 2>/dev/null; wait "$rx" 2>/dev/null; rx=""

python3 - "$out" "$dur" "$(getconf CLK_TCK)" <<'PY' | tee "$out/summary.txt"
import glob, json, os, re, sys
out, dur, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
emitted, findings = [], []
for p in sorted(glob.glob(out + "/agent-*.jsonl")):
    for l in open(p):
        try:
            f = json.loads(l)
        except ValueError:
            continue
        emitted.append(f["id"]); findings.append(f)
rx = [json.loads(l) for l in open(out + "/rx.jsonl")]
ok = [r["id"] for r in rx if r["code"] == 200]
delivered = set(ok)
spooled = set()
if os.path.exists(out + "/webhook.spool"):
    spooled = {json.loads(l).get("id") for l in open(out + "/webhook.spool") if l.strip()}
lost = [i for i in emitted if i not in delivered and i not in spooled]
miners = [l.split()[0] for l in open(out + "/miners.txt")] if os.path.exists(out + "/miners.txt") else []
detected = {m for m in miners if any(f["fields"].get("container.name") == m and "T1496" in f["mitre"] for f in findings)}
print("duration_s=%d" % dur)
print("findings_emitted=%d" % len(emitted))
print("findings_delivered=%d" % len(set(emitted) & delivered))
print("findings_spooled_at_end=%d" % len(spooled))
print("findings_lost=%d" % len(lost))
print("duplicates_received=%d" % (len(ok) - len(delivered)))
print("posts_refused_503=%d" % sum(1 for r in rx if r["code"] == 503))
print("miners_started=%d" % len(miners))
print("miners_detected=%d" % len(detected))
print("miners_missed=%s" % ",".join(sorted(set(miners) - detected)))
print("containers_churned=%s" % (open(out + "/churn.count").read().strip() if os.path.exists(out + "/churn.count") else "?"))
rows = [l.split("\t") for l in open(out + "/samples.tsv")][1:]
agents = {}
for l in open(out + "/agents.txt"):
    f = l.split()
    if f[1] != "exit":
        agents[f[0]] = int(f[2])
t0 = min(agents.values()) if agents else 0
for g in sorted(agents):
    rs = [r for r in rows if r[1] == g]
    if not rs:
        continue
    start = agents[g] - t0
    warm = [r for r in rs if int(r[0]) - start >= 20] or rs
    a, b = warm[0], warm[-1]
    secs = max(1, int(b[0]) - int(a[0]))
    print("gen%s_samples=%d" % (g, len(rs)))
    print("gen%s_rss_kb_first=%s" % (g, a[3]))
    print("gen%s_rss_kb_last=%s" % (g, b[3]))
    print("gen%s_rss_kb_max=%d" % (g, max(int(r[3]) for r in warm)))
    print("gen%s_fds_first=%s" % (g, a[4]))
    print("gen%s_fds_last=%s" % (g, b[4]))
    print("gen%s_fds_max=%d" % (g, max(int(r[4]) for r in warm)))
    print("gen%s_cpu_pct_of_one_core=%.1f" % (g, (int(b[5]) - int(a[5])) * 100.0 / hz / secs))
lostev = 0
for p in glob.glob(out + "/agent-*.err"):
    for l in open(p):
        m = re.search(r"sensor: (\d+) events lost", l)
        if m:
            lostev += int(m.group(1))
print("sensor_events_lost=%d" % lostev)
spooled = failed = 0
for p in glob.glob(out + "/agent-*.err"):
    for l in open(p):
        m = re.search(r"webhook: (\d+) sent, (\d+) spooled, (\d+) dead-lettered, (\d+) dropped, (\d+) failed attempts", l)
        if m:
            spooled += int(m.group(2)); failed += int(m.group(5))
print("webhook_spooled=%d" % spooled)
print("webhook_failed_attempts=%d" % failed)
print("agent_exits=%s" % ",".join(l.split()[2] for l in open(out + "/agents.txt") if " exit " in l))
PY
