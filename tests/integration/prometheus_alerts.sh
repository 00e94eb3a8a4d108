#!/usr/bin/env bash
# Issue 13: a real Prometheus scrapes a real agent (bearer token from a file)
# while the drill's miner (its image, disguised, throttled, mining to a
# loopback hh-poolsim) runs; the agent follows only that container (other
# sessions' miners must not fire the alert); deploy/prometheus/hashhound-rules.yaml
# (promtool-checked) fires HashhoundCryptominingIncident and a real
# Alertmanager holds it (/api/v2/alerts). A second scrape job without the
# token is refused (401, target down). Every metric the rules and the Grafana
# dashboard (deploy/grafana/hashhound.json) name is one the agent exports.
# Everything on loopback; intervals 1 s; each wait bounded.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd podman buildah python3 curl prometheus promtool prometheus-alertmanager
[ -x "$HH_BIN" ] || fail "$HH_BIN not built"
REL=$HH_ROOT/build
for b in hh-minersim hh-poolsim; do
	[ -x "$REL/$b" ] || skip "$REL/$b not built (make tools)"
done
out=$HH_ROOT/tests/out/prometheus_alerts.$$
rm -rf "$out"; mkdir -p "$out"
rules=$HH_ROOT/deploy/prometheus/hashhound-rules.yaml
dash=$HH_ROOT/deploy/grafana/hashhound.json
drill=hh-promal-$$-kworker
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	podman_rm "$drill"
}
trap cleanup EXIT

promtool check rules "$rules" >"$out/promtool.txt" 2>&1 || { cat "$out/promtool.txt"; fail "promtool check rules"; }
ok "promtool check rules: $(grep -o '[0-9]* rules found' "$out/promtool.txt")"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ap=$(free_port) pp=$(free_port) amp=$(free_port)
token=prometheus-alerts-test-token-$$-0123456789
printf '%s\n' "$token" >"$out/token"
printf 'sinks:\n  http:\n    token_file: %s\n' "$out/token" >"$out/agent.yaml"

# The drill's miner, created (not started) so the agent can follow it alone.
image=$(MS_BIN_DIR=$REL sh "$HH_ROOT/tools/minersim/build-image.sh" localhost/hh-minersim:latest) ||
	fail "tools/minersim/build-image.sh failed"
poolport=$(free_port)
"$REL/hh-poolsim" --listen "127.0.0.1:$poolport" --job-interval 5 --max-seconds 200 --quiet &
pids+=($!)
cid=$(podman create --runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --network host --cpus 0.3 \
	--name "$drill" "$image" /usr/local/bin/hh-minersim --pool "127.0.0.1:$poolport" --threads 2 \
	--name "kworker/0:1" --duration 150 --quiet) || fail "podman create (miner)"

# The agent, listening on loopback with the token.
"$HH_BIN" agent -c "$out/agent.yaml" --interval 1 --listen "127.0.0.1:$ap" --findings-file '' --store '' \
	--container "$cid" >"$out/agent.jsonl" 2>"$out/agent.err" &
pids+=($!)
wait_for "curl -sf http://127.0.0.1:$ap/healthz" 30 || { tail "$out/agent.err"; fail "agent did not listen"; }
wait_for "curl -sf -H 'Authorization: Bearer $token' http://127.0.0.1:$ap/metrics >'$out/metrics.txt' && grep -q '^hashhound_sweeps_total [1-9]' '$out/metrics.txt'" 30 ||
	fail "/metrics with the token: no sweep counted"

# Every metric name in the rules and the dashboard is exported.
python3 - "$out/metrics.txt" "$rules" "$dash" <<'PY' || fail "rules or dashboard name metrics the agent does not export"
import json, re, sys, yaml
exported = {l.split()[2] for l in open(sys.argv[1]) if l.startswith("# TYPE ")}
exprs = [r["expr"] for g in yaml.safe_load(open(sys.argv[2]))["groups"] for r in g["rules"]]
d = json.load(open(sys.argv[3]))
dexprs = [t["expr"] for p in d["panels"] for t in p["targets"]]
assert len(dexprs) >= 10, dexprs
named = set()
for e in exprs + dexprs:
    named |= set(re.findall(r"\bhashhound_[a-z_]+\b", e))
missing = named - exported
assert not missing, f"not exported: {sorted(missing)}; exported: {sorted(exported)}"
print(f"{len(named)} metric names in {len(exprs)} rules and {len(dexprs)} panel queries, all exported")
PY

cat >"$out/alertmanager.yml" <<EOF2
route:
  receiver: hold
  group_wait: 1s
  group_interval: 1s
receivers:
  - name: hold
EOF2
prometheus-alertmanager --config.file="$out/alertmanager.yml" --storage.path="$out/am" \
	--web.listen-address="127.0.0.1:$amp" --cluster.listen-address= >"$out/am.log" 2>&1 &
pids+=($!)
cat >"$out/prometheus.yml" <<EOF2
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $rules
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["127.0.0.1:$amp"]
scrape_configs:
  - job_name: hashhound
    authorization:
      credentials_file: $out/token
    static_configs:
      - targets: ["127.0.0.1:$ap"]
  - job_name: hashhound-without-token
    static_configs:
      - targets: ["127.0.0.1:$ap"]
EOF2
promtool check config "$out/prometheus.yml" >/dev/null 2>&1 || fail "promtool check config"
prometheus --config.file="$out/prometheus.yml" --storage.tsdb.path="$out/tsdb" \
	--web.listen-address="127.0.0.1:$pp" >"$out/prometheus.log" 2>&1 &
pids+=($!)
wait_for "curl -sf http://127.0.0.1:$amp/-/ready" 60 || { tail "$out/am.log"; fail "alertmanager not ready"; }
wait_for "curl -sf http://127.0.0.1:$pp/-/ready" 60 || { tail "$out/prometheus.log"; fail "prometheus not ready"; }
query() { curl -sf "http://127.0.0.1:$pp/api/v1/query" --data-urlencode "query=$1"; }
wait_for "query 'up{job=\"hashhound\"} == 1' | grep -q '\"value\"'" 60 || fail "prometheus did not scrape the agent"
# The two jobs are scraped on their own schedules: judge the tokenless one only
# once it has been scraped (its up series exists, whatever its value).
wait_for "query 'up{job=\"hashhound-without-token\"}' | grep -q '\"value\"'" 60 || fail "prometheus did not try the scrape without the token"
python3 - "$pp" <<'PY' || fail "the scrape without the token was not refused"
import json, sys, urllib.request
t = json.load(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/v1/targets"))
by = {x["labels"]["job"]: x for x in t["data"]["activeTargets"]}
assert by["hashhound"]["health"] == "up", by["hashhound"]
nt = by["hashhound-without-token"]
assert nt["health"] == "down" and "401" in nt["lastError"], nt
print("without the token:", nt["lastError"])
PY
ok "Prometheus scrapes the agent with the bearer token; without it the target is down (401)"

# No incident before the miner starts.
query 'ALERTS{alertname="HashhoundCryptominingIncident"}' | grep -q '"value"' && fail "alert before the miner ran"
t0=$(date +%s)
podman start "$cid" >/dev/null || fail "podman start (miner)"
got=""
for _ in $(seq 1 90); do
	if curl -sf "http://127.0.0.1:$amp/api/v2/alerts?filter=alertname=HashhoundCryptominingIncident" >"$out/alerts.json" &&
		python3 - "$out/alerts.json" "127.0.0.1:$ap" >"$out/alert.txt" 2>/dev/null <<'PY'
import json, sys
alerts = json.load(open(sys.argv[1]))
hit = [a for a in alerts if a["labels"].get("instance") == sys.argv[2] and a["status"]["state"] == "active"]
if not hit:
    sys.exit(1)
a = hit[0]
assert a["labels"]["alertname"] == "HashhoundCryptominingIncident" and a["labels"]["rule"] == "incident.cryptomining"
assert a["labels"]["incident_severity"] in ("medium", "high", "critical"), a["labels"]
print(a["labels"]["job"], a["labels"]["severity"], a["labels"]["incident_severity"], a["annotations"]["summary"])
PY
	then got=1; break; fi
	sleep 1
done
[ -n "$got" ] || { tail -3 "$out/prometheus.log"; grep -c incident "$out/agent.jsonl"; fail "no HashhoundCryptominingIncident in Alertmanager within 90 s"; }
grep -q "\"container.name\":\"$drill\"" "$out/agent.jsonl" || fail "the agent's findings do not name the miner's container"
ok "HashhoundCryptominingIncident active in Alertmanager $(( $(date +%s) - t0 )) s after the miner started: $(cat "$out/alert.txt")"
