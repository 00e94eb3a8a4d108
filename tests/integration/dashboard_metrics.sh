# The store, the dashboard and /metrics for real: findings imported into a
# SQLite store, `hashhound serve` on loopback, the page rendered by headless
# Chromium (JavaScript fetches the API and fills the table), and a real
# Prometheus server scraping /metrics.
. "$(dirname "$0")/../lib.sh"
need_cmd curl chromium prometheus
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cat >"$work/f.jsonl" <<'JSON'
{"time":"2026-11-22T03:10:00.000Z","source":"agent","rule":"miner.process-indicators","title":"Miner indicators in a container process","severity":"critical","confidence":0.9,"mitre":["T1496"],"fields":{"container.id":"c0ffee01","container.name":"web<script>alert(1)</script>"},"evidence":[{"what":"stratum-url in cmdline","value":"stratum+tcp://pool.test:3333"}]}
{"time":"2026-11-22T03:11:00.000Z","source":"agent","rule":"behavior.plateau","title":"CPU plateau at the quota","severity":"medium","confidence":0.5,"mitre":["T1496"],"fields":{"container.id":"c0ffee01"},"evidence":[{"what":"cpu.mean","value":0.3}]}
{"time":"2026-11-22T03:12:00.000Z","source":"agent","rule":"proc.exe-upper-layer","title":"low one","severity":"low","confidence":0.2,"mitre":[],"fields":{"container.id":"bbbb"},"evidence":[]}
not json at all
JSON
"$HH_BIN" report --store "$work/f.db" --import "$work/f.jsonl" 2>"$work/import.err"
[ $? -eq 2 ] || fail "a bad line must make import exit 2"
grep -q "f.jsonl:4: not a finding" "$work/import.err" || fail "bad line not named: $(cat "$work/import.err")"
grep -q "imported 3 findings" "$work/import.err" || fail "good lines not kept"

n=$("$HH_BIN" report --store "$work/f.db" --format json --min-severity medium | wc -l)
[ "$n" = 2 ] || fail "report --min-severity medium gave $n findings, want 2"
"$HH_BIN" report --store "$work/f.db" --format json --fail-on high >/dev/null
[ $? -eq 1 ] || fail "report --fail-on high must exit 1 with a critical finding"
"$HH_BIN" report --store "$work/f.db" --format html >"$work/r.html"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$work/r.html" || fail "HTML report does not escape"

"$HH_BIN" serve --store "$work/f.db" --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
pids+=($!)
wait_for "grep -q listening '$work/serve.out'" 20 || fail "serve did not start: $(cat "$work/serve.err")"
port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$work/serve.out")
curl -sf "http://127.0.0.1:$port/api/findings?min_severity=high" | grep -q '"rule":"miner.process-indicators"' ||
	fail "API does not list the critical finding"
curl -sf "http://127.0.0.1:$port/api/findings?min_severity=bogus" >/dev/null && fail "bad filter accepted"
curl -sf "http://127.0.0.1:$port/metrics" | grep -q '^hashhound_store_findings{severity="critical"} 1$' ||
	fail "metrics do not count the critical finding"

# A real browser: the page's script must fetch the API and render rows.
timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$work/chrome" --virtual-time-budget=5000 --dump-dom "http://127.0.0.1:$port/" \
	>"$work/dom.html" 2>/dev/null
rows=$(grep -o '<tr class="finding">' "$work/dom.html" | wc -l)
[ "$rows" = 2 ] || fail "dashboard rendered $rows rows at the default minimum (medium), want 2"
grep -q 'critical 1' "$work/dom.html" || fail "dashboard summary missing"
grep -q '<script>alert(1)' "$work/dom.html" && fail "dashboard injected markup from a container name"
ok "dashboard rendered $rows findings in Chromium"

# A real Prometheus scrape.
pport=$((20000 + RANDOM % 20000))
cat >"$work/prom.yml" <<YAML
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: hashhound
    static_configs: [ { targets: ['127.0.0.1:$port'] } ]
YAML
prometheus --config.file="$work/prom.yml" --storage.tsdb.path="$work/tsdb" \
	--web.listen-address="127.0.0.1:$pport" >"$work/prom.log" 2>&1 &
pids+=($!)
q="http://127.0.0.1:$pport/api/v1/query?query=hashhound_store_findings%7Bseverity%3D%22critical%22%7D"
wait_for "curl -sf '$q' | grep -q '\"1\"\\]'" 60 || { tail -5 "$work/prom.log"; fail "Prometheus did not scrape the critical count"; }
curl -sf "http://127.0.0.1:$pport/api/v1/targets" | grep -q '"health":"up"' || fail "Prometheus target not up"
ok "Prometheus scraped hashhound_store_findings{severity=critical} = 1"
