#!/usr/bin/env bash
# Issue 15.2: after kill -9 and a restart the agent neither repeats nor loses
# what it reported (agent.state_file, src/agent/agent_state.c). A real miner
# container (hh-minersim, disguised as kworker/0:1, --cpus 0.3, mining to a
# loopback hh-poolsim):
#  run 1: behavior judging held back (min_samples 100000): the miner's process
#         findings and a mining-only incident go out; then kill -9.
#  run 2: same state file, behavior on (min_samples 5): no process finding of
#         run 1 comes again (same rule, container, pid), no incident at or
#         below run 1's (same severity, no new category) is repeated, and the
#         incident grows to miner-code+behavior-cpu: the suppressed process
#         findings still count for correlation, so it is not lost.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd podman buildah python3
[ -x "$HH_BIN" ] || fail "$HH_BIN not built (make SAN=1)"
REL=$HH_ROOT/build
for b in hh-minersim hh-poolsim; do
	[ -x "$REL/$b" ] || skip "$REL/$b not built (make tools: static simulators for the scratch image)"
done
out=$HH_ROOT/tests/out/agent_restart_state.$$
rm -rf "$out"; mkdir -p "$out"
tag=hh-reliab-restart-$$
image=$(MS_BIN_DIR=$REL sh "$HH_ROOT/tools/minersim/build-image.sh" localhost/hh-reliab-minersim:latest) ||
	fail "tools/minersim/build-image.sh failed"
agent_pid="" pool_pid=""
cleanup() {
	[ -n "$agent_pid" ] && kill -9 "$agent_pid" 2>/dev/null
	[ -n "$pool_pid" ] && kill "$pool_pid" 2>/dev/null
	podman_rm "$tag-miner"
}
trap cleanup EXIT

port=$((20000 + ($$ * 7) % 20000))
"$REL/hh-poolsim" --listen "127.0.0.1:$port" --job-interval 5 --max-seconds 300 --quiet &
pool_pid=$!
wait_for "(exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null" 10 || fail "hh-poolsim did not listen on $port"

for run in 1 2; do
	cat >"$out/cfg$run.yaml" <<Y
agent:
  state_file: $out/state.json
behavior:
  min_samples: $([ $run = 1 ] && echo 100000 || echo 5)
  plateau: { window_s: 10 }
Y
done
start_agent() { # RUN
	"$HH_BIN" agent -c "$out/cfg$1.yaml" --interval 1 --no-sensor --findings-file '' --store '' --listen '' \
		>"$out/run$1.jsonl" 2>"$out/run$1.err" &
	agent_pid=$!
	wait_for "grep -q 'interval:' '$out/run$1.err'" 30 || { cat "$out/run$1.err"; fail "agent (run $1) did not start"; }
}
# Findings of run $1 about the miner container, as "rule severity pid classes".
about_miner() {
	python3 - "$out/run$1.jsonl" "$miner" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        f = json.loads(line)
    except ValueError:
        continue   # a line cut by kill -9
    fl = f["fields"]
    if fl.get("container.id") != sys.argv[2]:
        continue
    ev = {e["what"]: e["value"] for e in f["evidence"]}
    print(f["rule"], f["severity"], fl.get("proc.pid", "-"), ev.get("incident.classes", "-"))
PY
}

start_agent 1
miner=$("${PODMAN_RUN[@]}" -d --cpus 0.3 --name "$tag-miner" "$image" \
	/usr/local/bin/hh-minersim --pool "127.0.0.1:$port" --threads 2 --name "kworker/0:1" --duration 240 --quiet) ||
	fail "podman run (miner) failed"
wait_for "about_miner 1 | grep -q '^incident.cryptomining '" 60 || { about_miner 1; tail -5 "$out/run1.err"; fail "run 1: no incident for the miner"; }
sleep 2 # one more sweep: the state is saved at the end of each
kill -9 $agent_pid; wait $agent_pid 2>/dev/null; agent_pid=""
about_miner 1 >"$out/miner1.txt"
echo "run 1 (killed with SIGKILL):"; sed 's/^/  /' "$out/miner1.txt"
grep -q '^incident.* .*behavior-cpu' "$out/miner1.txt" &&
	fail "run 1 already had the behavior signal: the test cannot show an incident is not lost"
grep -q -v '^incident' "$out/miner1.txt" || fail "run 1: no process finding about the miner"
python3 -c "import json,sys; s=json.load(open('$out/state.json')); assert s['version']==2 and s['reported_processes'] and s['incidents'], s" ||
	fail "state file missing or incomplete after kill -9"
ok "run 1: $(grep -vc '^incident' "$out/miner1.txt") process findings and $(grep -c '^incident' "$out/miner1.txt") incident(s), state saved"

start_agent 2
grep -q "already reported" "$out/run2.err" || { head -20 "$out/run2.err"; fail "run 2 did not load the state"; }
wait_for "about_miner 2 | grep -q '^incident.cryptomining .*behavior-cpu'" 90 ||
	{ about_miner 2; tail -5 "$out/run2.err"; fail "run 2: the incident did not grow to mining+behavior (lost?)"; }
sleep 2
kill -TERM $agent_pid; wait $agent_pid; rc=$?; agent_pid=""
[ $rc -eq 0 ] || fail "run 2 exit $rc after SIGTERM"
about_miner 2 >"$out/miner2.txt"
echo "run 2:"; sed 's/^/  /' "$out/miner2.txt"
python3 - "$out/miner1.txt" "$out/miner2.txt" <<'PY' || fail "run 2 repeated what run 1 reported"
import sys
sev = ["info", "low", "medium", "high", "critical"]
r1 = [l.split() for l in open(sys.argv[1])]
r2 = [l.split() for l in open(sys.argv[2])]
procs1 = {(r, pid) for r, s, pid, c in r1 if r != "incident.cryptomining"}
rep = [x for x in r2 if (x[0], x[2]) in procs1]
assert not rep, "process findings repeated: %s" % rep
inc1 = [(sev.index(s), set(c.split("+"))) for r, s, pid, c in r1 if r == "incident.cryptomining"]
top = max(inc1, key=lambda x: x[0])
cats1 = set().union(*[c for _, c in inc1])
for r, s, pid, c in r2:
    if r == "incident.cryptomining":
        assert sev.index(s) > top[0] or not set(c.split("+")) <= cats1, "incident repeated: %s %s" % (s, c)
print("no repeats; incidents of run 2 only grow")
PY
ok "restart after kill -9: nothing repeated, the incident grew (not lost)"
