#!/usr/bin/env bash
# The fleet on a real stream engine (issue 13): a 3-server NATS JetStream
# cluster on loopback (own ports, own store dirs, cluster routes), three real
# `hashhound agent` processes with distinct node names (NODE_NAME node-a,
# node-b, node-c) watching real drill containers, and `hashhound fleet run`
# (as README runs it; two replicas sharing the durable consumer and the
# store) consuming the stream. After a first drill, the server
# leading the stream is killed with SIGKILL; while it is down a second drill
# runs and three `fleet publish` replays send 200 findings per node; then it
# is restarted. Asserts, counted end to end by message id (= finding id):
# every finding the agents and replays emitted is in the fleet store exactly
# once and the stream holds exactly that many messages (none lost, none
# duplicated), agents did emit findings during the outage, both replicas
# took messages, a fleet campaign of the drill lists all three nodes and is
# reported once per growth; `fleet campaigns` and serve's /fleet list it.
# Then: replays as the same node are dropped as duplicates, as another node
# kept; a finding over max_payload is dropped and counted without holding up
# the rest; with every server down `fleet publish` spools, and the spool is
# sent once the cluster is back.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd nats-server podman buildah python3 curl
[ -x "$HH_BIN" ] || fail "$HH_BIN not built"
[ -x "$HH_ROOT/build/hh-minersim" ] || skip "build/hh-minersim not built (make tools)"
work=$(mktemp -d /tmp/hhfleet.XXXXXX)
base=$((30000 + RANDOM % 25000))
drill=hhfleet-drill-$$
NODES="node-a node-b node-c"
declare -A srv agent
fpid="" dpid="" spid=""
# Background processes get their own session (setsid): a signal meant for
# one of them never reaches this script, and `wait PID || true` keeps a
# child's exit status from ending it.
cleanup() {
	[ -n "$dpid" ] && { kill -TERM "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null || true; }
	{
		for p in "${agent[@]}" $fpid $spid "${srv[@]}"; do kill -9 "$p" || true; done
		wait || true
	} 2>/dev/null
	podman_rm "$drill-1" "$drill-2"
	[ -n "${HH_KEEP_WORK:-}" ] && echo "work dir kept: $work" || rm -rf "$work"
}
trap cleanup EXIT

start_server() { # N
	local i=$1
	cat >"$work/n$i.conf" <<CONF
server_name: n$i
listen: 127.0.0.1:$((base + i))
http: 127.0.0.1:$((base + 20 + i))
max_payload: 65536
jetstream { store_dir: "$work/js$i" }
cluster {
  name: hhfleet
  listen: 127.0.0.1:$((base + 10 + i))
  routes: [nats://127.0.0.1:$((base + 11)), nats://127.0.0.1:$((base + 12)), nats://127.0.0.1:$((base + 13))]
}
CONF
	setsid nats-server -c "$work/n$i.conf" </dev/null >>"$work/n$i.log" 2>&1 &
	srv[$i]=$!
}
# The stream's state as server N sees it (monitoring endpoint): "LEADER MSGS".
stream_state() {
	curl -fsS "http://127.0.0.1:$((base + 20 + $1))/jsz?accounts=true&streams=true" 2>/dev/null | python3 -c '
import json, sys
j = json.load(sys.stdin)
for a in j.get("account_details") or []:
    for s in a.get("stream_detail") or []:
        if s["name"] == "HASHHOUND":
            print((s.get("cluster") or {}).get("leader", "?"), s["state"]["messages"])
            sys.exit(0)
sys.exit(1)'
}

# The fleet, as README runs it: a durable consumer into a SQLite store; two
# replicas with the same (default) durable name share the messages and the
# store. Replica 1 starts before any server is up (it waits for them).
URLS="nats://127.0.0.1:$((base + 1)),nats://127.0.0.1:$((base + 2)),nats://127.0.0.1:$((base + 3))"
printf 'sinks:\n  nats:\n    replicas: 3\n' >"$work/fleet.yaml"
fpid=""
start_fleet() { # REPLICA
	setsid "$HH_BIN" fleet run -c "$work/fleet.yaml" --nats "$URLS" --store "$work/fleet.db" -f json \
		</dev/null >"$work/campaigns-$1.jsonl" 2>"$work/fleet-$1.err" &
	fpid="$fpid $!"
}
start_fleet 1
wait_for "grep -q 'answers yet' '$work/fleet-1.err'" 20 || fail "fleet run 1 without servers: $(tail -n 3 "$work/fleet-1.err")"

for i in 1 2 3; do start_server $i; done
wait_for "grep -q 'Server is ready' '$work/n1.log' && grep -q 'Server is ready' '$work/n2.log' && grep -q 'Server is ready' '$work/n3.log'" 30 ||
	fail "NATS cluster did not start: $(tail -n 3 "$work"/n*.log)"
start_fleet 2

# Three agents, one per node name, each with its own spool and state.
for n in $NODES; do
	cat >"$work/$n.yaml" <<CFG
agent:
  state_file: $work/$n.state.json
sinks:
  nats:
    url: "$URLS"
    replicas: 3
    spool: $work/$n.spool
    timeout_ms: 2000
CFG
	NODE_NAME=$n setsid "$HH_BIN" agent -c "$work/$n.yaml" --store '' --listen '' \
		--findings-file "$work/$n.jsonl" -f json </dev/null >/dev/null 2>"$work/$n.err" &
	agent[$n]=$!
done
for n in $NODES; do
	wait_for "grep -q 'nats: publishing' '$work/$n.err'" 60 || fail "agent $n did not start: $(tail -n 5 "$work/$n.err")"
done
for r in 1 2; do
	wait_for "grep -q 'fleet: consuming' '$work/fleet-$r.err'" 30 || fail "fleet run $r did not start: $(tail -n 5 "$work/fleet-$r.err")"
done
wait_for "stream_state 1" 30 || fail "stream HASHHOUND not created"
echo "[${SECONDS}s] cluster up on 127.0.0.1:$((base + 1))-$((base + 3)); stream: $(stream_state 1)"

# A real drill container, seen by all three agents (the drill stops once it
# has detected its miner, in seconds).
run_drill() { # NAME
	setsid "$HH_BIN" drill --duration 60 --name "$1" --sim-dir "$HH_ROOT/build" -q \
		</dev/null >/dev/null 2>"$work/$1.err" &
	dpid=$!
}
seen_by_all() { local n; for n in $NODES; do grep -q "$1" "$work/$n.jsonl" || return 1; done; }
run_drill "$drill-1"
wait_for "seen_by_all '$drill-1'" 90 || fail "not every agent reported drill 1: $(tail -n 5 "$work/$drill-1.err")"
wait "$dpid" || true
dpid=""

# Mid-run: kill the server leading the stream; while it is down, a second
# drill runs and three replays send 200 findings each; it is restarted once
# every agent has reported the second drill.
leader=$(stream_state 1 | cut -d' ' -f1)
victim=1
for i in 1 2 3; do [ "n$i" = "$leader" ] && victim=$i; done
python3 "$HH_ROOT/tests/integration/fleet_batch.py" "$work" 200 $NODES || fail "batch generation"
{ kill -9 "${srv[$victim]}"; wait "${srv[$victim]}" || true; } 2>/dev/null
killed_at=$(date +%s.%N)
echo "[${SECONDS}s] killed n$victim (the stream's leader was $leader)"
declare -A pub
for n in $NODES; do
	setsid "$HH_BIN" fleet publish --nats "$URLS" --node "$n" --spool "$work/pub-$n.spool" "$work/batch-$n.jsonl" \
		</dev/null >/dev/null 2>"$work/pub-$n.err" &
	pub[$n]=$!
done
run_drill "$drill-2"
wait_for "seen_by_all '$drill-2'" 90 || fail "not every agent reported drill 2: $(tail -n 5 "$work/$drill-2.err")"
# At least 5 s down: past the cluster's leader election.
sleep "$(python3 -c "print(max(0.0, $killed_at + 5 - $(date +%s.%N)))")"
start_server "$victim"
restarted_at=$(date +%s.%N)
wait_for "[ \$(grep -c 'Server is ready' '$work/n$victim.log') -ge 2 ]" 30 || fail "n$victim did not restart"
echo "[${SECONDS}s] restarted n$victim after $(python3 -c "print(round($restarted_at - $killed_at, 1))") s"
for n in $NODES; do
	wait "${pub[$n]}" || fail "fleet publish as $n failed: $(tail -n 3 "$work/pub-$n.err")"
done
# Every agent has it: the drill may stop (SIGTERM: it removes its container).
kill -TERM "$dpid" 2>/dev/null
wait "$dpid" || true
dpid=""
for d in "$drill-1" "$drill-2"; do podman container exists "$d" && fail "drill left $d behind"; done

# Stop the agents (each drains its queue first).
echo "[${SECONDS}s] drills done; stopping the agents"
for n in $NODES; do kill -TERM "${agent[$n]}"; done
for n in $NODES; do
	wait "${agent[$n]}" || true
	grep 'nats: .* published' "$work/$n.err" | sed "s/^.*nats: /$n: /"
	[ -s "$work/$n.spool" ] && fail "agent $n left $(wc -l <"$work/$n.spool") findings in its spool"
done
agent=()

expected=$(cat "$work"/node-?.jsonl "$work"/batch-*.jsonl | wc -l)
count() { python3 -c "import sqlite3;print(sqlite3.connect('file:$work/fleet.db?mode=ro',uri=True).execute('select count(*) from fleet_findings').fetchone()[0])"; }
echo "[${SECONDS}s] agents stopped; waiting for the store"
wait_for "[ \"\$(count)\" -ge $expected ]" 60 || echo "store holds $(count) of $expected after 60 s"
for p in $fpid; do kill -TERM "$p"; done
for p in $fpid; do wait "$p" || true; done
fpid=""
for r in 1 2; do
	line=$(grep 'fleet: .* messages received' "$work/fleet-$r.err") || fail "fleet run $r: no summary: $(tail -n 3 "$work/fleet-$r.err")"
	echo "fleet run $r: ${line#*fleet: }"
	got=$(echo "$line" | sed 's/.*fleet: \([0-9]*\) messages received.*/\1/')
	[ "$got" -gt 0 ] || fail "fleet run replica $r received nothing: the replicas do not share the work"
done
cat "$work"/campaigns-1.jsonl "$work"/campaigns-2.jsonl >"$work/campaigns.jsonl"
# The stream as its leader sees it.
leader=$(stream_state 1 | cut -d' ' -f1)
state=$(stream_state "${leader#n}") || fail "no stream state from $leader"

python3 "$HH_ROOT/tests/integration/fleet_check.py" "$work" "${state#* }" "$drill" "$killed_at" "$restarted_at" ||
	fail "end-to-end counts (above)"
ok "fleet: every finding (agents and replays) stored once and in the stream once across a leader kill; a campaign lists all three nodes"

# `fleet campaigns` reads the same store back (exit 1: a campaign at or
# above --fail-on, high).
"$HH_BIN" fleet campaigns --store "$work/fleet.db" -f json >"$work/listed.jsonl"
[ $? -le 1 ] || fail "fleet campaigns failed"
grep -q '"campaign.nodes":3' "$work/listed.jsonl" || fail "fleet campaigns does not list the 3-node campaign"
ok "fleet campaigns lists the 3-node campaign from the store"

# The fleet view: `serve` over the fleet's store.
setsid "$HH_BIN" serve --store "$work/fleet.db" --listen 127.0.0.1:0 </dev/null >"$work/serve.out" 2>"$work/serve.err" &
spid=$!
wait_for "grep -q 'listening on' '$work/serve.out'" 20 || fail "serve did not start: $(tail -n 3 "$work/serve.err")"
addr=$(sed -n 's/.*listening on //p' "$work/serve.out" | head -n 1)
curl -fsS "http://$addr/fleet" >"$work/fleet.html" || fail "GET /fleet"
curl -fsS "http://$addr/api/fleet/campaigns" >"$work/fleet.json" || fail "GET /api/fleet/campaigns"
kill -TERM $spid; wait $spid || true
spid=""
for want in "Fleet campaigns" node-a node-b node-c "$drill-1"; do
	grep -q -- "$want" "$work/fleet.html" || fail "/fleet does not show '$want'"
done
python3 - "$work/fleet.json" "$drill" <<'PY' || fail "/api/fleet/campaigns"
import json, sys
cs = json.load(open(sys.argv[1]))
ids = [c["fields"]["campaign.id"] for c in cs]
assert len(ids) == len(set(ids)), "a campaign listed twice"
three = [c for c in cs if c["fields"]["campaign.nodes"] == 3 and any(sys.argv[2] in e["value"] for e in c["evidence"])]
assert three and sorted(three[0]["fields"]["campaign.node_list"]) == ["node-a", "node-b", "node-c"], cs[:2]
print(f"/api/fleet/campaigns: {len(cs)} campaigns, {len(three)} of the drill on 3 nodes")
PY
ok "serve shows the fleet view (/fleet, /api/fleet/campaigns) from the fleet's store"

# Replays: node-a's own findings sent again as node-a add nothing (same ids,
# dropped by the server); sent as another node they are that node's (ids of
# their own).
before=${state#* }
na=$(wc -l <"$work/node-a.jsonl")
"$HH_BIN" fleet publish --nats "$URLS" --node node-a --spool "$work/replay.spool" "$work/node-a.jsonl" 2>"$work/replay.err" ||
	fail "replay as node-a: $(tail -n 3 "$work/replay.err")"
grep -q "(${na} duplicates dropped by the server)" "$work/replay.err" || fail "replay as node-a was not dropped as duplicates: $(grep published "$work/replay.err")"
"$HH_BIN" fleet publish --nats "$URLS" --node node-x --spool "$work/replay.spool" "$work/node-a.jsonl" 2>>"$work/replay.err" ||
	fail "replay as node-x: $(tail -n 3 "$work/replay.err")"
after=$(stream_state "${leader#n}" | cut -d' ' -f2)
[ "$after" -eq $((before + na)) ] || fail "stream: $before messages, then $after after replaying $na findings as node-x"
ok "replays: as the same node dropped as duplicates ($na), as another node kept ($before -> $after)"

# A finding larger than the servers' max_payload (64 KiB here) is dropped and
# counted; the findings behind it still go.
mkdir -p "$work/big"
python3 "$HH_ROOT/tests/integration/fleet_batch.py" "$work/big" 3 node-z || fail "batch generation"
python3 - "$work/big/batch-node-z.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
lines[1]["evidence"] = [{"what": "blob", "value": "x" * 70000}]
open(sys.argv[1], "w").write("".join(json.dumps(f) + "\n" for f in lines))
PY
"$HH_BIN" fleet publish --nats "$URLS" --node node-z --wait 5 --spool "$work/big.spool" "$work/big/batch-node-z.jsonl" \
	2>"$work/big.err" || fail "publish: $(tail -n 3 "$work/big.err")"
grep -q "larger than the server's max_payload" "$work/big.err" || fail "no max_payload line: $(tail -n 3 "$work/big.err")"
grep -q "nats: 2 published .* 0 spooled, 1 dropped" "$work/big.err" || fail "big finding: $(grep 'nats: ' "$work/big.err" | tail -n 1)"
wait_for "[ \"\$(stream_state ${leader#n} | cut -d' ' -f2)\" = $((after + 2)) ]" 20 || fail "stream: $(stream_state "${leader#n}"), want $((after + 2))"
after=$((after + 2))
ok "a finding over max_payload is dropped and counted; the two around it are published"

echo "[${SECONDS}s] checks done"
# Every server down: what node-a publishes waits in its spool (after
# --wait 3 s), and is sent once the cluster is back.
for i in 1 2 3; do { kill -9 "${srv[$i]}"; wait "${srv[$i]}" || true; } 2>/dev/null; done
mkdir -p "$work/outage"
python3 "$HH_ROOT/tests/integration/fleet_batch.py" "$work/outage" 20 node-a || fail "batch generation"
"$HH_BIN" fleet publish --nats "$URLS" --node node-a --wait 3 --spool "$work/outage.spool" "$work/outage/batch-node-a.jsonl" \
	2>"$work/outage.err" || fail "publish during the outage: $(tail -n 3 "$work/outage.err")"
[ "$(wc -l <"$work/outage.spool" 2>/dev/null)" = 20 ] || fail "spool holds $(wc -l <"$work/outage.spool" 2>/dev/null) findings, want 20"
for i in 1 2 3; do start_server "$i"; done
wait_for "stream_state ${leader#n} | grep -qv '^?'" 60 || fail "the stream did not come back after the outage"
"$HH_BIN" fleet publish --nats "$URLS" --node node-a --spool "$work/outage.spool" /dev/null 2>>"$work/outage.err" ||
	fail "spool drain: $(tail -n 3 "$work/outage.err")"
[ -s "$work/outage.spool" ] && fail "spool not drained: $(wc -l <"$work/outage.spool") left"
wait_for "[ \"\$(stream_state ${leader#n} | cut -d' ' -f2)\" = $((after + 20)) ]" 30 ||
	fail "stream: $(stream_state "${leader#n}") after the spool drained, want $((after + 20)) messages"
ok "full outage: 20 findings spooled, sent once the cluster returned ($after -> $((after + 20)) messages)"
