# response.auto end to end: the agent sees the disguised miner in a real
# podman container, raises an incident, snapshots evidence and freezes the
# container by itself (dry_run: false), once; the frozen miner stops using
# CPU. (Per-workload opt-out goes through config overrides, unit-tested.)
# The agent follows only the test's container (--container): with
# dry_run: false it would freeze any miner on the host.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd podman buildah timeout
[ -x "$HH_BIN" ] || fail "$HH_BIN not built (make SAN=1)"
REL=$HH_ROOT/build
for b in hh-minersim hh-poolsim; do
	[ -x "$REL/$b" ] || skip "$REL/$b not built (make tools)"
done
out=$HH_ROOT/tests/out/agent_auto_response.$$
mkdir -p "$out"
tag=hh-autoresp-$$
image=$(MS_BIN_DIR=$REL sh "$HH_ROOT/tools/minersim/build-image.sh" localhost/hh-minersim:latest) ||
	fail "tools/minersim/build-image.sh failed"
agent_pid="" pool_pid=""
cleanup() {
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null
	[ -n "$pool_pid" ] && kill "$pool_pid" 2>/dev/null
	podman_rm "$tag-kworker"
}
trap cleanup EXIT

cat >"$out/config.yaml" <<YAML
response:
  evidence_dir: $out/evidence
  auto:
    enabled: true
    min_severity: high
    action: freeze
    dry_run: false
YAML
port=$((20000 + $$ % 20000))
"$REL/hh-poolsim" --listen "127.0.0.1:$port" --job-interval 5 --max-seconds 200 --quiet &
pool_pid=$!
wait_for "(exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null" 10 || fail "hh-poolsim did not listen on $port"
miner=$("${PODMAN_RUN[@]}" -d --name "$tag-kworker" "$image" \
	/usr/local/bin/hh-minersim --pool "127.0.0.1:$port" --threads 1 --name "kworker/0:1" --duration 150 --quiet) ||
	fail "podman run (miner) failed"

# Only this test's container: the agent must never freeze another
# session's containers on a shared host.
"$HH_BIN" agent -c "$out/config.yaml" --interval 2 --container "$miner" --findings-file '' --store '' --listen '' -f json \
	>"$out/findings.jsonl" 2>"$out/stderr.log" &
agent_pid=$!
wait_for "grep -q 'interval:' '$out/stderr.log'" 30 || { cat "$out/stderr.log"; fail "agent did not start"; }

wait_for "grep -q '\"rule\":\"response.freeze\"' '$out/findings.jsonl'" 60 ||
	{ tail -5 "$out/stderr.log"; grep -o '"rule":"[^"]*","title":"[^"]*","severity":"[^"]*"' "$out/findings.jsonl" | sort | uniq -c; fail "no automatic freeze within 60 s"; }
grep '"rule":"response.freeze"' "$out/findings.jsonl" | grep -q "\"container.id\":\"$miner\"" ||
	fail "the freeze names another container"
grep '"rule":"response.freeze"' "$out/findings.jsonl" | grep -q '"dry run","value":"no"' || fail "not a real freeze"
[ -f "$(ls -d "$out"/evidence/*/ | head -1)/manifest.json" ] || fail "no evidence snapshot"
grep -qE '"rule": ?"incident.cryptomining"' "$out"/evidence/*/findings.json || fail "evidence lacks the incident"
pid=$(podman inspect -f '{{.State.Pid}}' "$miner")
sleep 1
t0=$(cat /proc/$pid/task/*/stat | awk "{s += \$14 + \$15} END {print s}")
sleep 3
t1=$(cat /proc/$pid/task/*/stat | awk "{s += \$14 + \$15} END {print s}")
[ $((t1 - t0)) -le 2 ] || fail "frozen miner still used $((t1 - t0)) ticks in 3 s"
sleep 4
n=$(grep -c '"rule":"response.freeze"' "$out/findings.jsonl")
[ "$n" = 1 ] || fail "responded $n times to one container"
ok "incident -> evidence -> freeze of ${miner:0:12}, once; CPU stopped"
kill -TERM "$agent_pid"; wait "$agent_pid"; rc=$?; agent_pid=""
[ $rc -eq 0 ] || fail "agent exit $rc after SIGTERM"
