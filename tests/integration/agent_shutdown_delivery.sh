#!/usr/bin/env bash
# SIGTERM with the default sinks (HTTP listener on, a webhook to a slow real
# receiver): the agent makes its final sweep (a miner process that appears
# after the last tick is still reported), drains the webhook for its grace
# period and spools the rest: every finding on stdout is delivered or in the
# spool, each POST carries the finding's id as Idempotency-Key, exit 0.
# (issue 17.4: signals used to be blocked only after the HTTP and webhook
# threads existed, so one of them took SIGTERM and queued findings were lost.)
. "$(dirname "$0")/../lib.sh"
need_cmd python3
[ -x "$HH_BIN" ] || fail "$HH_BIN not built"
out=$HH_ROOT/tests/out/agent_shutdown_delivery.$$
rm -rf "$out"; mkdir -p "$out"
tree=$out/tree
python3 "$HH_ROOT/bench/agent_tree.py" "$tree" 20 >/dev/null || fail "tree generation"
for i in $(seq 0 11); do
	printf '/usr/bin/kworker\0-o\0stratum+tcp://pool%d.example:3333\0--donate-level=1\0' "$i" \
		>"$tree/proc/$((100000 + i))/cmdline"
done

python3 "$HH_ROOT/tests/integration/webhook_receiver.py" "$out/port" "$out/rx.jsonl" --delay 0.4 &
rx=$!
agent=
cleanup() { kill $rx 2>/dev/null; [ -n "$agent" ] && kill -9 $agent 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT
wait_for "test -s $out/port" 10 || fail "receiver did not start"
cat >"$out/cfg.yaml" <<Y
agent:
  state_file: $out/state.json
sinks:
  webhook:
    url: http://127.0.0.1:$(cat "$out/port")/hook
    spool: $out/webhook.spool
Y
# --interval 60: after the first sweep only the final one (on SIGTERM) can
# report the process added below.
"$HH_BIN" agent -c "$out/cfg.yaml" --interval 60 --proc-root "$tree/proc" --cgroup-root "$tree/cgroup" \
	--host-root "$tree/host" --store "$out/findings.db" --listen 127.0.0.1:0 --findings-file '' \
	>"$out/stdout.jsonl" 2>"$out/stderr" &
agent=$!
wait_for "grep -q 'dashboard, API and /metrics' $out/stderr" 20 || { cat "$out/stderr"; fail "HTTP listener not on"; }
wait_for "[ \$(wc -l <$out/stdout.jsonl) -ge 12 ]" 30 || { cat "$out/stderr"; fail "first sweep: too few findings"; }
wait_for "test -s $out/rx.jsonl" 20 || fail "nothing reached the receiver"
# A miner that starts after the last tick, in container 19.
cp -r "$tree/proc/100019" "$tree/proc/200019"
printf '/tmp/xmrig\0-o\0stratum+tcp://late.example:4444\0' >"$tree/proc/200019/cmdline"
cid=$(sed 's|.*libpod-||;s|\.scope||' "$tree/proc/100019/cgroup")
echo 200019 >>"$tree/cgroup/machine.slice/libpod-$cid.scope/cgroup.procs"
kill -TERM $agent
for _ in $(seq 1 60); do kill -0 $agent 2>/dev/null || break; sleep 0.25; done
kill -0 $agent 2>/dev/null && fail "agent still running 15 s after SIGTERM"
wait $agent; rc=$?
agent=
[ $rc -eq 0 ] || { tail -20 "$out/stderr"; fail "agent exit $rc after SIGTERM (a thread took the signal?)"; }
grep -q "SIGTERM received" "$out/stderr" || fail "no 'SIGTERM received' line"
grep -q "late.example" "$out/stdout.jsonl" || fail "the final sweep did not report the late miner"
kill $rx; wait $rx 2>/dev/null
python3 - "$out/stdout.jsonl" "$out/rx.jsonl" "$out/webhook.spool" <<'PY' || { tail -5 "$out/stderr"; fail "findings lost"; }
import json, os, sys
emitted = [json.loads(l)["id"] for l in open(sys.argv[1])]
rx = [json.loads(l) for l in open(sys.argv[2])]
bad = [r for r in rx if r["key"] != r["id"] or not r["key"]]
assert not bad, "Idempotency-Key is not the finding id: %s" % bad[:2]
delivered = {r["id"] for r in rx if r["code"] == 200}
spooled = {json.loads(l)["id"] for l in open(sys.argv[3])} if os.path.exists(sys.argv[3]) else set()
lost = [i for i in emitted if i not in delivered and i not in spooled]
print("emitted %d, delivered %d, spooled %d, lost %d" % (len(emitted), len(delivered), len(spooled), len(lost)))
assert len(set(emitted)) == len(emitted), "ids not unique"
assert not lost, lost
assert spooled, "the slow receiver should have left some in the spool (test not exercising the drain)"
PY
ok "SIGTERM: final sweep, every finding delivered or spooled, Idempotency-Key = id"
