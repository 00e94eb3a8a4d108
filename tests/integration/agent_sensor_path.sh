#!/usr/bin/env bash
# Issue 16 ("the runtime sensor inside the agent") and issue 15 item 6
# (latency on a quiet node): the real agent (build-san, eBPF sensor) and real
# podman containers. Each of these must yield its finding from the sensor path
# (evt.type execve or connect, not the procfs sweep's "proc") with
# latency.syscall_to_finding_ms (kernel timestamp of the syscall to the
# finding) under a generous 1000 ms, and the container it ran in:
#   a. a process that lives 200 ms with a stratum URL in its command line;
#   b. `sh -c "exec sleep 0.2 # stratum+tcp://..."`: the URL lives only in
#      the shell's exec, replaced at once by sleep;
#   c. `podman exec CTR /bin/sh -c "sleep 0.2 # stratum+tcp://..."`;
#   d. a binary copied into a running container's /tmp and executed
#      (container.drift-exec and exec.tmp-dir);
#   e. a connect(2) to a loopback port (a test rule on that port);
#   g. a renamed miner binary copied into the container (content traits,
#      scanned off the event path);
#   f. cgroup v2 paths for real: processes in a new pid namespace placed in a
#      cgroup of the v2 hierarchy named as podman names one (on this cgroup v1
#      hybrid host podman's own cgroups are v1 + v2 alike), one living 200 ms,
#      one exiting at once (attributed from its cgroup id alone);
# then (a) again with the proc-connector fallback (agent.ebpf: false),
# and the stats lines count exec: the agent's at exit, and `hashhound sensor`'s,
# whose execve count must equal the execve events it printed.
# The agent sweeps every 30 s so that the procfs inventory is not what
# reports them (its findings say evt.type proc and carry no latency; a
# finding about a process goes out once, from whichever path saw it first).
# Measured latencies are printed.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd podman python3 unshare
[ -x "$HH_BIN" ] || fail "$HH_BIN not built (make SAN=1)"
[ -e /sys/kernel/btf/vmlinux ] || skip "no kernel BTF: the eBPF sensor cannot load here"
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true

tag=hh-sp-$$
work=$(mktemp -d /tmp/hh-agent-sensor-path.XXXXXX)
agent_pid="" spid="" cg2="" cgdir=""
for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
	[ "$(stat -f -c %T "$d" 2>/dev/null)" = cgroup2fs ] && { cg2=$d; break; }
done
cleanup() {
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
	[ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
	podman_rm "$tag-run" "$tag-re" "$tag-long" "$tag-conn" "$tag-stats"
	[ -n "$cgdir" ] && { rmdir "$cgdir" "$(dirname "$cgdir")" 2>/dev/null || true; }
	if [ -n "${HH_KEEP_WORK:-}" ]; then echo "work dir kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

port=$((30000 + $$ % 20000))
cat >"$work/test-rules.yaml" <<EOF
- rule: Test connect from a container to the test port
  id: test.sensor-path-connect
  desc: A connect(2) from a container to loopback port $port (agent_sensor_path.sh).
  condition: evt.type = connect and container and fd.sport = $port
  output: test connect (port=%fd.sport pid=%proc.pid container=%container.id)
  priority: medium
  tags: [test]
EOF
cat >"$work/config.yaml" <<EOF
rules:
  files: [$work/test-rules.yaml]
EOF

"$HH_BIN" agent -c "$work/config.yaml" --interval 30 --format json --findings-file '' --store '' --listen '' \
	>"$work/findings.jsonl" 2>"$work/agent.log" &
agent_pid=$!
wait_for "grep -q 'interval:' '$work/agent.log'" 60 || { cat "$work/agent.log"; fail "agent did not start"; }
grep -q 'sensor: *ebpf' "$work/agent.log" || { cat "$work/agent.log"; fail "the agent's eBPF sensor did not load"; }
grep -q '(0 errors)' "$work/agent.log" || { cat "$work/agent.log"; fail "rule errors (above)"; }
sleep 1 # the first sweep is done: whatever follows is new

# Waits until the findings file has a finding of RULE about CONTAINER-ID
# (prefix), then checks it came from the sensor within 1000 ms; prints it.
expect() { # LABEL RULE CONTAINER-ID EVT-TYPE [BOUND-MS, default 1000]
	local label=$1 rule=$2 cid=$3 type=$4 bound=${5:-1000}
	wait_for "grep -q '\"rule\":\"$rule\".*$cid' '$work/findings.jsonl'" 15 ||
		{ tail -5 "$work/agent.log"; fail "$label: no $rule finding about ${cid:0:12} within 15 s"; }
	python3 - "$work/findings.jsonl" "$label" "$rule" "$cid" "$type" "$bound" >>"$work/latency.txt" <<'PY' ||
import json, sys
path, label, rule, cid, want, bound = sys.argv[1:]
bound = float(bound)
found = []
for line in open(path):
    f = json.loads(line)
    fl = f.get("fields", {})
    if f.get("rule") != rule or not str(fl.get("container.id", "")).startswith(cid):
        continue
    lat = [e["value"] for e in f.get("evidence", []) if e.get("what") == "latency.syscall_to_finding_ms"]
    found.append((fl.get("evt.type"), lat[0] if lat else None))
sensor = [(t, l) for t, l in found if t == want and l is not None]
if not sensor:
    print(f"{label}: {rule} findings {found}: none from the sensor (evt.type {want})", file=sys.stderr)
    sys.exit(1)
t, l = sensor[0]
print(f"{label}: {rule} evt.type={t} latency.syscall_to_finding_ms={l:.1f}")
if l >= bound:
    print(f"{label}: latency {l:.1f} ms, not under {bound:.0f} ms", file=sys.stderr)
    sys.exit(1)
PY
		{ grep "\"rule\":\"$rule\"" "$work/findings.jsonl" | head -3; fail "$label (above)"; }
	tail -1 "$work/latency.txt"
}

url=stratum+tcp://pool.minexmr.com:4444
# a. 200 ms with the URL in its own command line
id=$("${PODMAN_RUN[@]}" -d --name "$tag-run" --rootfs /:O sh -c 'sleep 0.2; true' "$url") || fail "podman run (a)"
expect "a. 200 ms process" miner.stratum-url "$id" execve
# b. the URL in a shell that execs at once
id=$("${PODMAN_RUN[@]}" -d --name "$tag-re" --rootfs /:O sh -c "exec sleep 0.2 # $url") || fail "podman run (b)"
expect "b. re-exec" miner.stratum-url "$id" execve
# the shell's exec keeps the shell's exe: /proc/PID/exe shows sleep by now
python3 - "$work/findings.jsonl" "$id" <<'PY' || fail "b. re-exec: the finding names the later program's exe"
import json, sys
for line in open(sys.argv[1]):
    f = json.loads(line)
    fl = f.get("fields", {})
    if f.get("rule") == "miner.stratum-url" and fl.get("container.id", "").startswith(sys.argv[2]):
        print(f"b. re-exec: proc.exepath={fl.get('proc.exepath')} proc.name={fl.get('proc.name')}")
        sys.exit(1 if "sleep" in str(fl.get("proc.exepath")) else 0)
sys.exit(1)
PY
# c. podman exec, d. drift exec, in one long-running container
long=$("${PODMAN_RUN[@]}" -d --name "$tag-long" --rootfs /:O sleep 120) || fail "podman run (long)"
podman exec "$tag-long" /bin/sh -c "sleep 0.2 # $url" || fail "podman exec (c)"
expect "c. podman exec" miner.stratum-url "$long" execve
out=$(podman exec "$tag-long" cp /bin/sleep /tmp/hh-sp-drift 2>&1) || fail "copy into the container's /tmp: $out"
podman exec "$tag-long" /tmp/hh-sp-drift 0.2 || fail "drift exec (d)"
expect "d. drift exec" container.drift-exec "$long" execve
expect "d. drift exec" exec.tmp-dir "$long" execve
# g. a renamed miner copied into the container: its binary is new to the
# agent, so its content is scanned by the worker thread (the exec's other
# rules do not wait for it) and the finding follows the scan
SIM=$HH_ROOT/build/hh-minersim
if [ -x "$SIM" ]; then
	out=$(podman exec "$tag-long" cp "$SIM" /tmp/kworker 2>&1) || fail "copy hh-minersim into the container: $out"
	podman exec "$tag-long" /tmp/kworker --duration 1 --quiet || fail "renamed miner (g)"
	# bound: the content scan of a 5 MB binary (0.1-0.9 s under ASan on this
	# shared machine), not the drain, sets this one's latency
	expect "g. renamed miner" miner.renamed-binary "$long" execve 5000
else
	echo "SKIP-PART: $SIM not built (make): renamed-miner part not run"
fi
# e. a connect to loopback (nothing needs to listen: the syscall is the event)
id=$("${PODMAN_RUN[@]}" -d --name "$tag-conn" --rootfs /:O python3 -c \
	"import socket,time; s=socket.socket(); s.settimeout(1)
try: s.connect(('127.0.0.1', $port))
except OSError: pass
time.sleep(0.2)") || fail "podman run (e)"
expect "e. connect" test.sensor-path-connect "$id" connect

# f. cgroup v2 paths: a cgroup of the v2 hierarchy named as podman names one
if [ -z "$cg2" ]; then
	echo "SKIP-PART: no cgroup2 mount: the v2 part was not run"
else
	v2id=$(python3 -c 'import os; print(os.urandom(32).hex())')
	cgdir=$cg2/$tag-v2/libpod-$v2id
	mkdir -p "$cgdir" || fail "cannot create $cgdir"
	# lives 200 ms; then exits at once (attributed from the cgroup id alone)
	# (the URL is put together after the move: the wrapper's own exec,
	# outside that cgroup, must not carry it)
	unshare -p -f sh -c "echo 0 >'$cgdir/cgroup.procs' && u=stratum+tcp && exec sh -c 'sleep 0.2; true' \"\$u://pool.minexmr.com:4444\"" ||
		fail "unshare (f, 200 ms)"
	expect "f. cgroup v2, 200 ms" miner.stratum-url "$v2id" execve
	# a fresh cgroup, so that its id is not already known from the first process
	v2id=$(python3 -c 'import os; print(os.urandom(32).hex())')
	rmdir "$cgdir"
	cgdir=$cg2/$tag-v2/libpod-$v2id
	mkdir -p "$cgdir" || fail "cannot create $cgdir"
	unshare -p -f sh -c "echo 0 >'$cgdir/cgroup.procs' && u=stratum+ssl && exec /bin/true \"\$u://pool.minexmr.com:443\"" ||
		fail "unshare (f, at once)"
	wait_for "grep -q 'stratum+ssl.*$v2id\\|$v2id.*stratum+ssl' '$work/findings.jsonl'" 15 ||
		fail "f. cgroup v2, exits at once: no finding with the v2 container id"
	python3 - "$work/findings.jsonl" "$v2id" <<'PY' || fail "f. cgroup v2, exits at once (above)"
import json, sys
for line in open(sys.argv[1]):
    f = json.loads(line)
    fl = f.get("fields", {})
    if fl.get("container.id") == sys.argv[2] and "stratum+ssl" in str(fl.get("proc.cmdline")):
        lat = [e["value"] for e in f.get("evidence", []) if e.get("what") == "latency.syscall_to_finding_ms"]
        print(f"f. cgroup v2, exits at once: {f['rule']} evt.type={fl.get('evt.type')} "
              f"latency.syscall_to_finding_ms={lat[0] if lat else None}")
        sys.exit(0 if fl.get("evt.type") == "execve" and lat and lat[0] < 1000 else 1)
sys.exit(1)
PY
	ok "cgroup v2: container id from a v2-only cgroup path, also for a process gone before its event was read"
fi

# Each finding above was checked to be the sensor's (evt.type, latency).
kill -TERM "$agent_pid"
wait "$agent_pid" || true
agent_pid=""
line=$(grep -o 'sensor: source=ebpf.*' "$work/agent.log" | tail -1)
echo "agent at exit: $line"
grep -o 'sensor: container of events from.*' "$work/agent.log" | tail -1
grep -o 'sensor: slowest event.*' "$work/agent.log" | tail -1
execs=$(sed -n 's/.* execve=\([0-9]*\).*/\1/p' <<<"$line")
[ -n "$execs" ] && [ "$execs" -ge 8 ] || fail "agent stats line counts $execs execs, at least 8 were made"
ok "every finding from the sensor path within 1000 ms (measured above)"

# The proc-connector fallback (agent.ebpf: false) is drained on the same timer.
# Its own log: the background redirection truncates a reused file only when
# the child runs, so a wait_for could read the previous agent's lines.
printf 'agent:\n  ebpf: false\n' >"$work/fallback.yaml"
"$HH_BIN" agent -c "$work/fallback.yaml" --interval 30 --format json --findings-file '' --store '' --listen '' \
	>"$work/findings.jsonl" 2>"$work/agent-fallback.log" &
agent_pid=$!
wait_for "grep -q 'interval:' '$work/agent-fallback.log'" 60 || { cat "$work/agent-fallback.log"; fail "agent (fallback) did not start"; }
grep -q 'sensor: *proc-connector' "$work/agent-fallback.log" || { cat "$work/agent-fallback.log"; fail "fallback not active"; }
sleep 1
podman_rm "$tag-run"
id=$("${PODMAN_RUN[@]}" -d --name "$tag-run" --rootfs /:O sh -c 'sleep 0.2; true' "$url") || fail "podman run (fallback)"
expect "proc connector, 200 ms process" miner.stratum-url "$id" execve
kill -TERM "$agent_pid"
wait "$agent_pid" || true
agent_pid=""

# The sensor's stats line: execve equals the execve events printed.
"$HH_BIN" sensor --containers-only >"$work/sensor.json" 2>"$work/sensor.err" &
spid=$!
wait_for "grep -q 'sensor: source' '$work/sensor.err'" 30 || { cat "$work/sensor.err"; fail "sensor did not start"; }
"${PODMAN_RUN[@]}" --rm --name "$tag-stats" --rootfs /:O sh -c 'for i in 1 2 3 4 5; do /bin/true; done' ||
	fail "podman run (stats)"
sleep 0.5
kill -TERM "$spid"
wait "$spid" || true
spid=""
line=$(grep 'sensor: source=' "$work/sensor.err" | tail -1)
echo "$line"
printed=$(grep -c '"evt.type":"execve"' "$work/sensor.json" || true)
counted=$(sed -n 's/.* execve=\([0-9]*\).*/\1/p' <<<"$line")
truths=$(grep -c '"proc.exepath":"[^"]*/true"' "$work/sensor.json" || true)
[ "$counted" = "$printed" ] || fail "stats line says execve=$counted, $printed execve events were printed"
[ "$truths" -ge 5 ] || fail "$truths execs of /usr/bin/true seen, 5 made"
grep -q ' lost=0 ' <<<"$line" || fail "lost events: $line"
ok "sensor stats line: execve=$counted, as many as printed ($truths of them the 5 /bin/true)"
