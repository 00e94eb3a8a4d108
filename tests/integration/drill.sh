#!/usr/bin/env bash
# hashhound drill end to end on real podman: detects the simulated miner
# (exit 0, drill findings with per-rule times), removes its container and
# pool; interrupted with SIGTERM while watching, it still cleans up (exit 130).
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd podman buildah python3
[ -x "$HH_BIN" ] || fail "$HH_BIN not built"
[ -x "$HH_ROOT/build/hh-minersim" ] || skip "build/hh-minersim not built (make tools)"
out=$HH_ROOT/tests/out/drill.$$
mkdir -p "$out"
name=hh-agent-drill-$$
cleanup() { podman_rm "$name" "$name-int"; }
trap cleanup EXIT

"$HH_BIN" drill --duration 75 --name "$name" --sim-dir "$HH_ROOT/build" -f json >"$out/drill.jsonl" 2>"$out/drill.err"
rc=$?
cat "$out/drill.err" | grep -v " info: " | tail -12
[ $rc -eq 0 ] || fail "drill exit $rc, want 0 (detected)"
python3 - "$out/drill.jsonl" <<'PY' || fail "drill findings"
import json, sys
fs = [json.loads(l) for l in open(sys.argv[1])]
assert all(f["source"] == "drill" for f in fs), "non-drill finding on stdout"
res = [f for f in fs if f["rule"] == "drill.result"]
assert len(res) == 1, res
ev = {e["what"]: e["value"] for e in res[0]["evidence"]}
assert ev["detected"] == "true" and 0 <= ev["first_detection_s"] <= 60, ev
rules = {next(e["value"] for e in f["evidence"] if e["what"] == "rule") for f in fs if f["rule"] == "drill.detected"}
print("rules fired:", sorted(rules), "first detection", ev["first_detection_s"], "s")
assert "incident.cryptomining" in rules, rules
# Each entry is the severity a rule had when it fired: a rule listed twice escalated later.
order = ["info", "low", "medium", "high", "critical"]
seen = {}
for f in fs:
    if f["rule"] != "drill.detected":
        continue
    e = {x["what"]: x["value"] for x in f["evidence"]}
    prev = seen.get(e["rule"])
    if prev:
        assert order.index(e["rule.severity"]) > order.index(prev[0]) and e["seconds_after_start"] >= prev[1], (e, prev)
    seen[e["rule"]] = (e["rule.severity"], e["seconds_after_start"])
assert res[0]["fields"]["container.name"].startswith("hh-agent-drill-")
PY
podman container exists "$name" && fail "drill left its container behind"
ok "drill detected the miner and removed its container"

# Interrupted while watching: still cleans up.
"$HH_BIN" drill --duration 120 --min-severity critical --name "$name-int" --sim-dir "$HH_ROOT/build" -q \
	>/dev/null 2>"$out/int.err" &
pid=$!
wait_for "podman container exists $name-int" 60 || { kill -9 $pid; fail "drill container never started"; }
sleep 2
kill -TERM $pid
wait $pid; rc=$?
[ $rc -eq 130 ] || { cat "$out/int.err"; fail "interrupted drill exit $rc, want 130"; }
podman container exists "$name-int" && fail "interrupted drill left its container behind"
grep -q "interrupted; container and pool removed" "$out/int.err" || fail "no interruption line"
ok "interrupted drill cleaned up (exit 130)"
