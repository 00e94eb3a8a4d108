#!/usr/bin/env bash
# Issue 12, "Done when": incidents people can read, end to end on real things.
# The agent (store, dashboard, automatic evidence snapshot) watches while
# `hashhound drill` runs its simulated miner in a real podman container
# (named hhinc-*). Then headless Chromium opens the dashboard's incident list
# and the incident's page: the DOM must hold the CPU plot (usage line, limit,
# finding marks), the timeline and the incident's reasons, and the running
# cost; the screenshots are kept under tests/out/artifacts/. /metrics carries
# hashhound_mining_cpu_seconds_total for the workload. The post-incident
# report (report --incident ID --format html) opens offline in Chromium (no
# network: a dead proxy) with the plot and the SHA-256 of every evidence file
# on disk; the Markdown report states the same facts (reasons, core-seconds,
# cost, hashes).
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd podman buildah chromium python3 curl sha256sum
[ -x "$HH_BIN" ] || fail "$HH_BIN not built (make SAN=1)"
[ -x "$HH_ROOT/build/hh-minersim" ] || skip "build/hh-minersim not built (make tools)"

out=$HH_ROOT/tests/out/incident_views.$$
art=$HH_ROOT/tests/out/artifacts
mkdir -p "$out" "$art"
name=hhinc-drill-$$
agent_pid=""
cleanup() {
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
	podman_rm "$name"
}
trap cleanup EXIT

cat >"$out/config.yaml" <<YAML
response:
  evidence_dir: $out/evidence
  auto: { enabled: false, min_severity: high, action: snapshot }
overrides: # only this test's containers (other sessions' may run beside it)
  - match: { container: "hhinc-*" }
    set: { response.auto.enabled: true }
bill:
  price_per_core_hour: 3.6
  currency: EUR
  watts_per_core: 15.0
YAML
"$HH_BIN" config --check "$out/config.yaml" >/dev/null || fail "config check refused the test configuration"

"$HH_BIN" agent -c "$out/config.yaml" --interval 2 --store "$out/store.db" --listen 127.0.0.1:0 \
	--findings-file '' >"$out/agent.jsonl" 2>"$out/agent.err" &
agent_pid=$!
wait_for "grep -q 'dashboard, API and /metrics on' '$out/agent.err'" 30 || { cat "$out/agent.err"; fail "agent did not start"; }
port=$(sed -n 's|.*dashboard, API and /metrics on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$out/agent.err" | head -1)
base=http://127.0.0.1:$port
echo "agent on $base"

# The drill: a throttled, disguised miner; it ends once the behavior plateau fired (about 30 s).
"$HH_BIN" drill --duration 50 --name "$name" --sim-dir "$HH_ROOT/build" -f json -q >"$out/drill.jsonl" 2>"$out/drill.err"
rc=$?
[ $rc -eq 0 ] || { tail -5 "$out/drill.err"; fail "drill exit $rc, want 0"; }
cid=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    f = json.loads(l)
    c = f.get("fields", {}).get("container.id")
    if c: print(c); break' "$out/drill.jsonl")
[ -n "$cid" ] || fail "no container id in the drill's findings"
id=${cid:0:12}
echo "drill container $id"
sleep 3 # the agent's next sweep hands over the last samples

# The dashboard's incident list, then the incident page, in a real browser.
chrome() { # URL DOM-FILE PNG-FILE
	timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--proxy-server=127.0.0.1:9 --proxy-bypass-list='127.0.0.1' \
		--user-data-dir="$out/chrome" --window-size=1100,2400 --dump-dom "$1" >"$2" 2>/dev/null
	timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--proxy-server=127.0.0.1:9 --proxy-bypass-list='127.0.0.1' \
		--user-data-dir="$out/chrome" --window-size=1100,2400 --screenshot="$3" "$1" >/dev/null 2>&1
	[ -s "$3" ] || fail "no screenshot of $1"
}
chrome "$base/incidents" "$out/list.html" "$art/incident_views-list.png"
grep -q "<a href=\"/incidents/$id\">$id</a>" "$out/list.html" || fail "incident $id not in the dashboard's list"
grep -q 'class="running-cost"' "$out/list.html" || fail "no running cost on the list"
chrome "$base/incidents?min_severity=critical&namespace=none-such" "$out/list-filtered.html" "$out/f.png"
grep -q "incidents/$id" "$out/list-filtered.html" && fail "namespace filter kept incident $id"
curl -s -o /dev/null -w '%{http_code}' "$base/incidents?min_severity=bogus" | grep -q 400 || fail "bad filter not answered 400"

chrome "$base/incidents/$id" "$out/page.html" "$art/incident_views-incident.png"
python3 - "$out/page.html" <<'PY' || fail "incident page incomplete (see $out/page.html)"
import re, sys
dom = open(sys.argv[1]).read()
plot = re.search(r'<svg class="cpu-plot".*?</svg>', dom, re.S)
assert plot, "no CPU plot"
usage = re.search(r'class="usage"[^>]*points="([^"]*)"', plot.group(0))
assert usage and len(usage.group(1).split()) >= 5, "CPU line has fewer than 5 points"
assert 'class="quota"' in plot.group(0), "no limit line"
assert plot.group(0).count('class="mark"') >= 2, "findings not marked on the plot"
tl = re.search(r'<svg class="timeline".*?</svg>', dom, re.S)
assert tl and tl.group(0).count('class="signal"') >= 3, "timeline without signals"
reasons = re.findall(r'<li class="reason"><b>([^<]*)</b>', dom)
assert reasons, "no reasons"
assert 'class="core-seconds"' in dom and 'class="cost"' in dom, "no bill"
assert '/api/findings?container=' in dom, "no link to the evidence"
print("incident page: %d usage points, %d marks, %d timeline signals, reasons: %s"
      % (len(usage.group(1).split()), plot.group(0).count('class="mark"'), tl.group(0).count('class="signal"'),
         ", ".join(reasons)))
PY
ok "dashboard list and incident page rendered in Chromium (screenshots in tests/out/artifacts/)"

m=$(curl -sf "$base/metrics" | grep "^hashhound_mining_cpu_seconds_total{namespace=\"\",workload=\"$name\"}")
[ -n "$m" ] || fail "no hashhound_mining_cpu_seconds_total for $name"
python3 -c "import sys; v=float(sys.argv[1]); sys.exit(0 if v > 1 else 1)" "${m##* }" ||
	fail "mining CPU seconds of $name = ${m##* }, want > 1 (a miner at 0.3 CPU for 30 s)"
ok "metrics: $m"

kill -TERM "$agent_pid"; wait "$agent_pid"; rc=$?; agent_pid=""
[ $rc -eq 0 ] || fail "agent exited $rc after SIGTERM"

# The post-incident report, offline.
"$HH_BIN" report -c "$out/config.yaml" --store "$out/store.db" --incident "$id" --format html -o "$out/report.html" ||
	fail "report --incident html failed"
"$HH_BIN" report -c "$out/config.yaml" --store "$out/store.db" --incident "$id" --format markdown >"$out/report.md" ||
	fail "report --incident markdown failed"
"$HH_BIN" report --store "$out/store.db" --incident "../etc" --format html >/dev/null 2>"$out/bad.err"
[ $? -eq 2 ] && grep -q "incident id" "$out/bad.err" || fail "a bad incident id must exit 2 naming it"
cp "$out/report.html" "$out/offline.html"
chrome "file://$out/offline.html" "$out/report-dom.html" "$art/incident_views-report.png"
ls "$out"/evidence/*-"$id"*/manifest.json >/dev/null 2>&1 || fail "no evidence snapshot taken"
python3 - "$out/report-dom.html" "$out/report.md" "$out"/evidence/*-"$id"*/manifest.json <<'PY' || fail "reports incomplete"
import hashlib, json, os, re, sys
dom, md = open(sys.argv[1]).read(), open(sys.argv[2]).read()
assert re.search(r'<svg class="cpu-plot".*?class="usage"', dom, re.S), "no plot in the HTML report"
assert '<svg class="timeline"' in dom, "no timeline in the HTML report"
hashes = 0
for mpath in sys.argv[3:]:
    d = os.path.dirname(mpath)
    for f in json.load(open(mpath))["files"]:
        real = hashlib.sha256(open(os.path.join(d, f["file"]), "rb").read()).hexdigest()
        assert real == f["sha256"], ("manifest hash differs from the file", f)
        assert real in dom, ("HTML report lacks the hash of", f["file"])
        assert real in md, ("Markdown report lacks the hash of", f["file"])
        hashes += 1
assert hashes >= 2, hashes
# the same facts in both: reasons, core-seconds, cost
reasons = re.findall(r'<li class="reason"><b>([^<]*)</b>', dom)
assert reasons and all(("- **%s**" % r) in md for r in reasons), reasons
cs = re.search(r'class="core-seconds">([0-9.]+) core-seconds', dom).group(1)
assert ("CPU consumed: %s core-seconds" % cs) in md, cs
cost = re.search(r'class="cost">([0-9.]+) EUR', dom).group(1)
assert ("Estimated cost: %s EUR at 3.6 EUR per core-hour" % cost) in md, cost
assert abs(float(cost) - float(cs) / 3600 * 3.6) < 0.0002, (cost, cs)
assert float(cs) > 1, cs
assert "## MITRE ATT" in md and "T1496 Resource Hijacking" in md
assert "snapshot" in md.split("## Response taken")[1].split("##")[0]
print("reports: %d evidence hashes, reasons %s, %s core-seconds, %s EUR" % (hashes, ", ".join(reasons), cs, cost))
PY
ok "post-incident report (HTML offline in Chromium, Markdown) carries the plot, the reasons, the bill and the evidence hashes"
