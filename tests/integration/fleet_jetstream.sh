#!/usr/bin/env bash
# The fleet on a real stream engine: a 3-server NATS JetStream cluster on
# loopback, three nodes publishing findings (node-a a real agent watching a
# real drill; node-b and node-c replaying node-a's findings plus batches of
# their own through the same JetStream sink), and `hashhound fleet run`
# consuming them. One server is killed with SIGKILL mid-run and restarted;
# then every server is down while node-a publishes (spooled) and back up
# (drained in order). Asserts, counted end to end: every finding stored
# exactly once (none lost, none duplicated) and one campaign listing all
# three nodes.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd nats-server podman buildah python3
[ -x "$HH_ROOT/build/hh-minersim" ] || fail "build/hh-minersim not built (make)"
work=$(mktemp -d /tmp/hh-fleet.XXXXXX)
base=$((20000 + RANDOM % 20000))
declare -A srv
fpid=""; apid=""
cleanup() {
	for p in "${srv[@]}" $fpid $apid; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	podman_rm hh-fleet-drill-$$
	[ -n "${HH_KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

start_server() { # N
	local i=$1
	cat >"$work/n$i.conf" <<CONF
server_name: n$i
listen: 127.0.0.1:$((base + i))
jetstream { store_dir: "$work/js$i" }
cluster {
  name: hhtest
  listen: 127.0.0.1:$((base + 10 + i))
  routes: [nats://127.0.0.1:$((base + 11)), nats://127.0.0.1:$((base + 12)), nats://127.0.0.1:$((base + 13))]
}
CONF
	nats-server -c "$work/n$i.conf" >>"$work/n$i.log" 2>&1 &
	srv[$i]=$!
}
for i in 1 2 3; do start_server $i; done
wait_for "grep -q 'Server is ready' '$work/n1.log' && grep -q 'Server is ready' '$work/n2.log' && grep -q 'Server is ready' '$work/n3.log'" 30 ||
	fail "NATS cluster did not start: $(tail -3 "$work"/n*.log)"
URLS="nats://127.0.0.1:$((base + 1)),nats://127.0.0.1:$((base + 2)),nats://127.0.0.1:$((base + 3))"
cat >"$work/cfg.yaml" <<CFG
sinks:
  http:
    listen: ""
  nats:
    url: "$URLS"
    replicas: 3
    subject: hashhound.findings.node-a
    spool: $work/agent.spool
    timeout_ms: 2000
CFG

# The consumer first: it waits for the stream.
"$HH_BIN" fleet run -c "$work/cfg.yaml" --store "$work/fleet.db" -f json >"$work/campaigns.jsonl" 2>"$work/fleet.err" &
fpid=$!

# node-a: a real agent publishing what it finds about a real drill.
"$HH_BIN" agent -c "$work/cfg.yaml" --store "$work/agent.db" --findings-file "$work/agent.jsonl" -f json \
	>/dev/null 2>"$work/agent.err" &
apid=$!
wait_for "grep -q 'nats: publishing' '$work/agent.err'" 60 || fail "agent did not start: $(tail -5 "$work/agent.err")"
"$HH_BIN" drill --duration 60 --name hh-fleet-drill-$$ --sim-dir "$HH_ROOT/build" -q >/dev/null 2>"$work/drill.err" ||
	fail "drill not detected: $(tail -5 "$work/drill.err")"
wait_for "grep -q '\"severity\":\"high\"' '$work/agent.jsonl'" 30 || fail "agent found nothing high"
kill -TERM $apid; wait $apid; apid=""
grep 'nats:.*published' "$work/agent.err" | tail -1
agent_n=$(wc -l <"$work/agent.jsonl")

# node-b and node-c replay node-a's findings (the same miner on three nodes),
# and every node publishes 6 batches of its own; server n1 dies after batch 2
# and returns after batch 4.
python3 - "$work" <<'PY'
import json, sys, time
w = sys.argv[1]
for node in ("a", "b", "c"):
    for b in range(6):
        with open(f"{w}/batch-{node}-{b}.jsonl", "w") as f:
            for i in range(50):
                f.write(json.dumps({"time": "2026-12-05T09:00:00.000Z", "source": "agent", "rule": "test.batch",
                    "title": "batch finding", "severity": "low", "confidence": 0.5, "mitre": [],
                    "fields": {"container.id": f"{node}{b:02d}{i:03d}", "seq": f"{node}-{b}-{i}"},
                    "evidence": []}) + "\n")
PY
pub() { "$HH_BIN" fleet publish -c "$work/cfg.yaml" --node "$1" --spool "$work/spool-$1" "${@:2}" 2>>"$work/pub-$1.err"; }
pub node-b "$work/agent.jsonl" & pub node-c "$work/agent.jsonl" & wait
for b in 0 1 2 3 4 5; do
	[ $b -eq 2 ] && { kill -9 "${srv[1]}"; wait "${srv[1]}" 2>/dev/null; echo "killed n1"; }
	[ $b -eq 4 ] && { start_server 1; echo "restarted n1"; }
	pub node-a "$work/batch-a-$b.jsonl" & pub node-b "$work/batch-b-$b.jsonl" & pub node-c "$work/batch-c-$b.jsonl" &
	wait
done
# Every server down: node-a's next batch is spooled, then sent once they return.
for i in 1 2 3; do kill -9 "${srv[$i]}"; done
wait "${srv[1]}" "${srv[2]}" "${srv[3]}" 2>/dev/null
python3 -c "
import json,sys
with open('$work/batch-a-6.jsonl','w') as f:
    for i in range(20): f.write(json.dumps({'time':'2026-12-05T09:00:00.000Z','source':'agent','rule':'test.spooled','title':'spooled','severity':'low','confidence':0.5,'mitre':[],'fields':{'seq':'a-6-%d'%i},'evidence':[]})+'\n')
"
pub node-a "$work/batch-a-6.jsonl"
[ -s "$work/spool-node-a" ] || fail "nothing spooled while every server was down"
echo "spooled while the cluster was down: $(wc -l <"$work/spool-node-a") findings"
for i in 1 2 3; do start_server $i; done
pub node-a /dev/null
[ -s "$work/spool-node-a" ] && fail "spool not drained after the cluster returned"

expected=$((agent_n * 3 + 3 * 6 * 50 + 20))
wait_for "[ \"\$(python3 -c \"import sqlite3;print(sqlite3.connect('$work/fleet.db').execute('select count(*) from fleet_findings').fetchone()[0])\")\" -ge $expected ]" 90 ||
	echo "store did not reach $expected in time"
sleep 2
kill -TERM $fpid; wait $fpid; fpid=""
tail -2 "$work/fleet.err"
python3 - "$work" "$expected" <<'PY' || fail "end-to-end counts (above)"
import json, sqlite3, sys
w, expected = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(f"{w}/fleet.db")
rows = db.execute("select node, json from fleet_findings").fetchall()
seen = {}
for node, js in rows:
    f = json.loads(js)
    key = (node, json.dumps({k: v for k, v in f.items() if k not in ("time",)}, sort_keys=True) + f["time"])
    seen[key] = seen.get(key, 0) + 1
dups = sum(c - 1 for c in seen.values())
print(f"findings: expected {expected}, stored {len(rows)}, duplicates {dups}")
assert dups == 0, "duplicates"
assert len(rows) == expected, "lost or extra findings"
spooled = [json.loads(j) for (j,) in db.execute("select json from fleet_findings where rule='test.spooled'")]
assert len(spooled) == 20
camps = [json.loads(l) for l in open(f"{w}/campaigns.jsonl")]
three = [c for c in camps if c["fields"]["campaign.nodes"] == 3]
assert three, "no campaign on three nodes: %s" % camps[:3]
c = three[0]
assert sorted(c["fields"]["campaign.node_list"]) == ["node-a", "node-b", "node-c"], c
print("campaign:", c["title"], c["fields"]["campaign.kind"], c["fields"]["campaign.key"][:40], c["severity"])
PY
ok "fleet: every finding stored once across a server kill and a full outage; one campaign lists all three nodes"
