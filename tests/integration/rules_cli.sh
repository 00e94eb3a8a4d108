#!/usr/bin/env bash
# hashhound rules check/list/test end to end: errors with file:line:col and
# exit 2, the pack listing, findings as JSON lines from JSON events.
. "$(dirname "$0")/../lib.sh"
[ -x "$HH_BIN" ] || fail "no binary at $HH_BIN"
tmp=$(mktemp -d /tmp/hh-rules-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# check: a good file passes, a bad one names file, line, column and exits 2.
cat > "$tmp/good.yaml" <<'Y'
- list: my_miners
  items: [kdevtmpfsi, kinsing]
- rule: Kinsing miner
  id: local.kinsing
  desc: Kinsing's miner by name
  condition: running_process and proc.name in (my_miners)
  output: Kinsing miner %proc.name (%proc.cmdline) in %container.info
  priority: ERROR
  tags: [T1496]
- list: miner_binaries
  items: [kinsing]
  append: true
Y
"$HH_BIN" rules check "$tmp/good.yaml" 2>"$tmp/err" || fail "good file rejected: $(cat "$tmp/err")"
cat > "$tmp/bad.yaml" <<'Y'
- rule: Bad
  condition: proc.name = x and fd.sipp = 1
  output: o
  priority: high
Y
set +e
"$HH_BIN" rules check "$tmp/bad.yaml" 2>"$tmp/err"
rc=$?
set -e
[ $rc = 2 ] || fail "bad file: exit $rc, want 2"
grep -q "bad.yaml:2:32: rule 'Bad': unknown field 'fd.sipp'" "$tmp/err" || fail "error position: $(cat "$tmp/err")"
ok "rules check"

# list: the default pack with ids, priorities, enabled.
"$HH_BIN" rules list -f json > "$tmp/list" || fail "rules list failed"
[ "$(wc -l < "$tmp/list")" -ge 20 ] || fail "pack too small: $(wc -l < "$tmp/list")"
grep -q '"id":"miner.stratum-url","name":"Miner stratum URL in command line","priority":"critical","enabled":true' "$tmp/list" \
	|| fail "miner.stratum-url missing from list"
"$HH_BIN" rules list -f table | grep -q '^miner.fpu-randomx ' || fail "table listing"
ok "rules list"

# test: events in, findings out; user file with the pack.
cat > "$tmp/ev.jsonl" <<'J'
# a comment line, then events
{"evt.type":"execve","proc.name":"kinsing","proc.cmdline":"/tmp/kinsing","proc.exepath":"/tmp/kinsing","container.id":"c1","container.image":"docker.io/x/web:1"}
{"evt.type":"execve","proc.name":"ls","proc.cmdline":"ls","proc.exepath":"/bin/ls","container.id":"c1"}
{"evt.type":"execve","proc.name":"python3","proc.cmdline":"python3 x.py -o stratum2+tcp://1.2.3.4:3333","container.id":"c2","k8s.ns.name":"prod","k8s.pod.name":"web-1"}
J
set +e
"$HH_BIN" rules test --event "$tmp/ev.jsonl" --rules "$tmp/good.yaml" -f json > "$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ $rc = 1 ] || fail "rules test exit $rc (want 1: findings at or above high): $(cat "$tmp/err")"
grep -q '"rule":"local.kinsing"' "$tmp/out" || fail "user rule did not fire"
grep -q '"rule":"miner.binary-name".*"proc.name":"kinsing"' "$tmp/out" || fail "appended miner_binaries did not reach the pack"
grep -q '"rule":"exec.tmp-dir"' "$tmp/out" || fail "exec.tmp-dir did not fire"
grep -q '"rule":"miner.stratum-url".*"k8s.ns.name":"prod"' "$tmp/out" || fail "stratum2 finding missing identity"
grep -q '"proc.name":"ls"' "$tmp/out" && fail "benign ls produced a finding"
grep -q '"value":"Kinsing miner kinsing (/tmp/kinsing) in c1"' "$tmp/out" || fail "output template: $(grep local.kinsing "$tmp/out")"
ok "rules test"

# bad events: line named, exit 2, the good lines still evaluated.
printf '%s\n' '{"evt.type":"execve","proc.name":"xmrig"}' '{"evt.type":"bogus"}' 'not json' '{"proc.nope":1}' > "$tmp/bad.jsonl"
set +e
"$HH_BIN" rules test --event "$tmp/bad.jsonl" -f json > "$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ $rc = 2 ] || fail "bad events: exit $rc"
grep -q 'bad.jsonl:2: evt.type: unknown event type' "$tmp/err" || fail "bad evt.type message: $(cat "$tmp/err")"
grep -q 'bad.jsonl:3:' "$tmp/err" || fail "bad JSON message"
grep -q "bad.jsonl:4: unknown event field 'proc.nope'" "$tmp/err" || fail "unknown field message"
grep -q '"rule":"miner.binary-name"' "$tmp/out" || fail "good line before bad ones not evaluated"
ok "rules test with bad events"

# config: rules.disabled and extra files.
cat > "$tmp/cfg.yaml" <<Y
rules:
  files: ["$tmp/good.yaml"]
  disabled: [miner.binary-name]
Y
"$HH_BIN" rules test --event "$tmp/ev.jsonl" -c "$tmp/cfg.yaml" -f json --fail-on critical > "$tmp/out" 2>"$tmp/err" || true
grep -q '"rule":"local.kinsing"' "$tmp/out" || fail "config rules.files not loaded: $(cat "$tmp/err")"
grep -q '"rule":"miner.binary-name"' "$tmp/out" && fail "config rules.disabled ignored"
ok "rules config"

# Falco's miner rules, unchanged, load and fire (the disabled one once enabled).
falco="$HH_ROOT/tests/data/rules/falco_miner_ported.yaml"
"$HH_BIN" rules check "$falco" 2>"$tmp/err" || fail "Falco rules rejected: $(cat "$tmp/err")"
printf '%s\n' '{"evt.type":"execve","proc.name":"x","proc.cmdline":"x -o stratum+ssl://a:1"}' \
	'{"evt.type":"connect","proc.name":"x","fd.sip":"51.1.1.1","fd.sport":443,"fd.sip.name":"pool.minexmr.com"}' \
	'{"evt.type":"connect","proc.name":"x","fd.sip":"10.1.1.1","fd.sport":443,"fd.sip.name":"pool.minexmr.com"}' > "$tmp/falco.jsonl"
printf 'rules:\n  enabled: [custom.detect-outbound-connections-to-common-miner-pool-ports]\n' > "$tmp/enable.yaml"
"$HH_BIN" rules test --event "$tmp/falco.jsonl" --rules "$falco" -c "$tmp/enable.yaml" -f json > "$tmp/out" 2>"$tmp/err" || true
grep -q '"rule":"custom.detect-crypto-miners-using-the-stratum-protocol"' "$tmp/out" || fail "ported stratum rule did not fire"
[ "$(grep -c '"rule":"custom.detect-outbound-connections-to-common-miner-pool-ports"' "$tmp/out")" = 1 ] \
	|| fail "ported pool rule: want exactly one finding (the RFC 1918 destination is excluded)"
ok "Falco miner rules ported unchanged"
exit 0
