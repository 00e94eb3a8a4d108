#!/usr/bin/env bash
# The incident views at their caps: a store with 200 incidents (the list's
# cap), each with 12 findings and 1800 CPU samples (the per-container cap),
# served by `hashhound serve` (release build). Times the list page, one
# incident page and `report --incident` (html, markdown); writes
# bench/results-incidents.md. Not asserted anywhere.
set -u
cd "$(dirname "$0")/.."
bin=build/hashhound
[ -x "$bin" ] || { echo "build/hashhound not built"; exit 1; }
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; [ -z "${KEEP:-}" ] && rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import json, sqlite3, sys
work = sys.argv[1]
t0 = 1_790_000_000.0
with open(f"{work}/f.jsonl", "w") as out:
    for i in range(200):
        cid = f"{i:04x}" + "ab" * 30
        fields = {"container.id": cid, "container.name": f"web-{i}", "k8s.ns.name": f"ns{i % 7}", "hostname": "node-1"}
        for k in range(11):
            out.write(json.dumps({"time": "2026-09-21T10:%02d:%02d.000Z" % (k, i % 60), "source": "agent",
                "rule": f"rule.{k}", "title": f"signal {k}", "severity": ["low", "medium", "high"][k % 3],
                "confidence": 0.5, "mitre": ["T1496"], "fields": fields,
                "evidence": [{"what": "value", "value": k}]}) + "\n")
        out.write(json.dumps({"time": "2026-09-21T10:12:00.000Z", "source": "agent", "rule": "incident.cryptomining",
            "title": "incident", "severity": "critical", "confidence": 0.9, "mitre": ["T1496"], "fields": fields,
            "evidence": [{"what": "incident.score", "value": 90}, {"what": "reason.miner-code", "value": "words"}]}) + "\n")
PY
"$bin" report --store "$work/s.db" --import "$work/f.jsonl" 2>/dev/null
python3 - "$work/s.db" <<'PY'
import sqlite3, sys, calendar, time
db = sqlite3.connect(sys.argv[1])
t0 = calendar.timegm(time.strptime("2026-09-21T10:00:00", "%Y-%m-%dT%H:%M:%S"))
rows = []
for i in range(200):
    cid = f"{i:04x}" + "ab" * 30
    rows += [(cid, t0 + 2 * k, 2.0, 0.3, 0.3, 1) for k in range(1800)]
db.executemany("INSERT INTO cpu_samples(container_id,time,interval,usage,cpu_limit,has_quota,energy_j)"
               " VALUES (?,?,?,?,?,?,NULL)", rows)
db.commit()
PY
"$bin" serve --store "$work/s.db" --listen 127.0.0.1:0 >"$work/serve.out" 2>/dev/null &
pid=$!
for _ in $(seq 300); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$work/serve.out")
[ -n "$port" ] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "serve did not start"; exit 1; }
timeit() { # LABEL COMMAND...: best of 3, seconds
	local label=$1 best="" a b
	shift
	for _ in 1 2 3; do
		a=$(date +%s.%N)
		"$@" >/dev/null 2>&1 || { echo "| $label | failed |"; return; }
		b=$(date +%s.%N)
		best=$(python3 -c "import sys; v=$b-$a; print('%.3f' % (v if '$best' == '' else min(v, float('$best'))))")
	done
	echo "| $label | $best |"
}
id=0000abababab
{
	echo "# Incident views at their caps"
	echo
	echo "$(date -u +%F), $(nproc) CPUs, release build; store: 200 incidents x 12 findings x 1800 CPU samples"
	echo "($(du -h "$work/s.db" | cut -f1)). Best of 3 runs, seconds."
	echo
	echo "| what | seconds |"
	echo "|---|---|"
	timeit "GET /incidents (200 incidents, each loaded and billed)" curl -sf "http://127.0.0.1:$port/incidents"
	timeit "GET /incidents/ID (1800 samples plotted)" curl -sf "http://127.0.0.1:$port/incidents/$id"
	timeit "report --incident ID --format html" "$bin" report --store "$work/s.db" --incident $id -o "$work/r.html"
	timeit "report --incident ID --format markdown" "$bin" report --store "$work/s.db" --incident $id --format markdown
	echo
	echo "Page sizes: list $(curl -sf "http://127.0.0.1:$port/incidents" | wc -c) bytes, incident" \
		"$(curl -sf "http://127.0.0.1:$port/incidents/$id" | wc -c) bytes."
} | tee bench/results-incidents.md
