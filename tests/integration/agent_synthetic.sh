#!/usr/bin/env bash
# The agent over a synthetic node (cgroup v2 + procfs + podman state, made by
# bench/agent_tree.py): discovery and identity, the banner, a process with a
# stratum URL, telemetry -> behavior (a container pinned at its 0.3-CPU quota,
# its cpu.stat advanced in real time) -> a plateau finding with its numbers,
# containers going away, SIGINT stopping cleanly.
. "$(dirname "$0")/../lib.sh"
need_cmd python3
[ -x "$HH_BIN" ] || fail "$HH_BIN not built"
out=$HH_ROOT/tests/out/agent_synthetic.$$
rm -rf "$out"; mkdir -p "$out"
tree=$out/tree
python3 "$HH_ROOT/bench/agent_tree.py" "$tree" 30 >/dev/null || fail "tree generation"
roots=(--proc-root "$tree/proc" --cgroup-root "$tree/cgroup" --host-root "$tree/host" --store '' --listen '')
ids=($(python3 -c "import json; print(' '.join(e['id'] for e in json.load(open('$tree/host/var/lib/containers/storage/overlay-containers/containers.json'))))"))
[ ${#ids[@]} -eq 30 ] || fail "expected 30 ids"

# Container 0 runs a miner command line; container 1 is pinned at its quota.
miner=${ids[0]} pinned=${ids[1]}
printf '/usr/bin/kworker\0-o\0stratum+tcp://pool.example:3333\0--donate-level=1\0' >"$tree/proc/100000/cmdline"
echo "30000 100000" >"$tree/cgroup/machine.slice/libpod-$pinned.scope/cpu.max"

# 1. One sweep: banner, every container followed, the miner's indicators.
"$HH_BIN" agent --once "${roots[@]}" --findings-file "$out/once.jsonl" --stats >"$out/once.out" 2>"$out/once.err"
rc=$?
[ $rc -eq 1 ] || { cat "$out/once.err"; fail "--once with a critical finding should exit 1 (--fail-on high), got $rc"; }
grep -q "cgroups:   cgroup v2 at $tree/cgroup" "$out/once.err" || fail "banner: cgroup v2"
grep -q "runtimes:  podman" "$out/once.err" || fail "banner: podman runtime"
grep -q "containers 30," "$out/once.err" || { cat "$out/once.err"; fail "not 30 containers"; }
python3 - "$out/once.out" "$miner" <<'PY' || fail "no miner finding naming the container and its image"
import json, sys
cid = sys.argv[2]
hits = [f for f in map(json.loads, open(sys.argv[1])) if f["fields"].get("container.id") == cid
        and f["rule"].startswith("miner.") and f["fields"].get("container.image.repository") == "localhost/bench/app-0"
        and f["fields"].get("container.name") == "bench-0"]
print("miner findings:", sorted({f["rule"] for f in hits}))
sys.exit(0 if hits else 1)
PY
cmp -s "$out/once.out" "$out/once.jsonl" || fail "stdout and findings file differ"
ok "one sweep: 30 containers, identity, miner indicators"

# 2. Telemetry -> behavior, in real time: container 1 pinned at its 0.3-CPU
#    quota (throttled), container 5 duty cycling (1 core for 1.2 s of every
#    4 s). A feeder advances their cpu.stat files as the clock runs.
cat >"$out/cfg.yaml" <<'Y'
behavior:
  min_samples: 5
  plateau: { window_s: 4 }
  duty: { window_s: 24, min_period_s: 2 }
Y
cycler=${ids[5]}
python3 - "$tree/cgroup/machine.slice/libpod-$pinned.scope/cpu.stat" \
	"$tree/cgroup/machine.slice/libpod-$cycler.scope/cpu.stat" 30 <<'PY' &
import sys, time, os
pinned, cycler, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
def write(path, usage_s, periods, throttled):
    with open(path + ".tmp", "w") as f:
        f.write("usage_usec %d\nuser_usec 0\nsystem_usec 0\nnr_periods %d\nnr_throttled %d\nthrottled_usec 0\n"
                % (1000000 + int(usage_s * 1e6), periods, throttled))
    os.replace(path + ".tmp", path)
t0 = time.monotonic()
while time.monotonic() - t0 < secs:
    e = time.monotonic() - t0
    write(pinned, 0.3 * e, 100 + int(e * 10), int(e * 9))
    cyc, ph = divmod(e, 4.0)               # on for the first 1.2 s of each 4 s
    write(cycler, cyc * 1.2 + min(ph, 1.2), 100, 0)
    time.sleep(0.05)
PY
feeder=$!
"$HH_BIN" agent --interval 0.5 --duration 28 -c "$out/cfg.yaml" "${roots[@]}" \
	--findings-file '' >"$out/run.out" 2>"$out/run.err"
wait $feeder
python3 - "$out/run.out" "$pinned" "$cycler" <<'PY' || { tail -5 "$out/run.err"; fail "behavior findings"; }
import json, sys
pinned, cycler = sys.argv[2], sys.argv[3]
got = {}
for f in map(json.loads, open(sys.argv[1])):
    got.setdefault((f["rule"], f["fields"]["container.id"]), f)
p = got.get(("behavior.cpu-plateau", pinned))
assert p, "no plateau for the pinned container"
ev = {e["what"]: e["value"] for e in p["evidence"]}
print(p["title"])
assert p["severity"] == "medium" and ev["cpu.plateau.kind"] == "quota", ev
assert abs(ev["cpu.usage.mean_cores"] - 0.3) < 0.03 and abs(ev["cpu.quota_cores"] - 0.3) < 1e-9, ev
assert ev["cpu.throttled_ratio"] > 0.8, ev
d = got.get(("behavior.cpu-duty-cycle", cycler))
assert d, "no duty cycle for the cycling container"
ev = {e["what"]: e["value"] for e in d["evidence"]}
print(d["title"])
assert d["severity"] == "medium", d["severity"]
assert abs(ev["cpu.duty.period_s"] - 4) < 0.6, ev
assert abs(ev["cpu.duty.fraction"] - 0.3) < 0.1, ev
assert ("behavior.cpu-plateau", cycler) not in got, "a duty cycle is not a plateau"
assert ("behavior.cpu-duty-cycle", pinned) not in got, "a plateau is not a duty cycle"
others = [k for k in got if k[0].startswith("behavior.") and k[1] not in (pinned, cycler)]
assert not others, others   # the idle containers stay quiet
PY
ok "telemetry -> behavior: quota plateau and duty cycle with their numbers"

# 3. Containers going away are forgotten; SIGINT stops cleanly (exit 0).
"$HH_BIN" agent --interval 0.3 "${roots[@]}" --findings-file '' >/dev/null 2>"$out/gone.err" &
pid=$!
sleep 1.5
for i in 2 3 4; do rm -rf "$tree/cgroup/machine.slice/libpod-${ids[$i]}.scope"; done
sleep 1.5
kill -INT $pid
for _ in $(seq 1 20); do kill -0 $pid 2>/dev/null || break; sleep 0.25; done
kill -0 $pid 2>/dev/null && { kill -9 $pid; fail "agent did not stop on SIGINT"; }
wait $pid; rc=$?
[ $rc -eq 0 ] || fail "agent exit $rc after SIGINT"
[ "$(grep -c 'container gone' "$out/gone.err")" -eq 3 ] || { cat "$out/gone.err"; fail "3 containers should be gone"; }
grep -q "SIGINT received" "$out/gone.err" || fail "no SIGINT line"
ok "gone containers forgotten, SIGINT -> exit 0"

# 4. Bad input: an unreadable root is a clear error, not a crash.
"$HH_BIN" agent --once --proc-root /nonexistent/proc --cgroup-root /nonexistent/cg --findings-file '' \
	--store '' --listen '' >/dev/null 2>"$out/bad.err"
rc=$?
[ $rc -eq 2 ] || fail "unreadable roots: exit $rc, want 2"
grep -q "neither /nonexistent/cg nor /nonexistent/proc can be read" "$out/bad.err" || { cat "$out/bad.err"; fail "message"; }
"$HH_BIN" agent --interval 0 >/dev/null 2>&1; [ $? -eq 2 ] || fail "--interval 0 accepted"
ok "bad roots and options rejected"
