#!/usr/bin/env bash
# hashhound check / audit-log as a CI user drives them: exit codes, input
# errors (exit 2 with the readable findings still printed), exceptions with
# --show-suppressed, every output format, stdin, directories.
. "$(dirname "$0")/../lib.sh"
need_cmd python3
D=$HH_ROOT/tests/data/posture
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# exit codes
"$HH_BIN" check -q -f json "$D/no-memory-limit.yaml" >/dev/null; rc=$?
[ $rc -eq 0 ] || fail "low/medium findings at --fail-on high: want 0, got $rc"
"$HH_BIN" check -q -f json --fail-on low "$D/no-memory-limit.yaml" >/dev/null; rc=$?
[ $rc -eq 1 ] || fail "--fail-on low: want 1, got $rc"
"$HH_BIN" check -q -f json "$D/privileged.yaml" >/dev/null; rc=$?
[ $rc -eq 1 ] || fail "privileged: want 1, got $rc"
"$HH_BIN" check -q >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "no PATH: want 2, got $rc"
ok "exit codes"

# bad input: errors name file and line, the rest is still checked, exit 2
"$HH_BIN" check -f json "$D/bad" "$D/host-pid.yaml" /nonexistent.yaml >"$out/bad.json" 2>"$out/bad.err"; rc=$?
[ $rc -eq 2 ] || fail "input errors: want 2, got $rc"
grep -q 'malformed.yaml:10:1:' "$out/bad.err" || fail "malformed YAML not named with line: $(cat "$out/bad.err")"
grep -q 'alias-bomb.yaml:[0-9]*:[0-9]*: .*alias bomb' "$out/bad.err" || fail "alias bomb not reported"
grep -q 'deep.yaml:3:[0-9]*: nesting too deep' "$out/bad.err" || fail "deep nesting not reported"
grep -q 'unknown kind Widget' "$out/bad.err" || fail "unknown kind not named"
grep -q '/nonexistent.yaml' "$out/bad.err" || fail "missing file not named"
grep -q '"k8s.name":"ok-before-error"' "$out/bad.json" || fail "document before the YAML error was not checked"
grep -q '"k8s.name":"fire-sts"' "$out/bad.json" || fail "other files not checked after errors"
ok "bad input: named, rest checked, exit 2"

# a huge file is refused by size, with a clear message
cfg=$out/small.yaml
printf 'posture:\n  max_file_bytes: 1000\n' >"$cfg"
"$HH_BIN" check -q -c "$cfg" "$D/privileged.yaml" >/dev/null 2>"$out/big.err"; rc=$?
[ $rc -eq 2 ] && grep -q 'privileged.yaml' "$out/big.err" || fail "size limit: rc $rc $(cat "$out/big.err")"
ok "size limit"

# exceptions: suppressed, counted, listed only with --show-suppressed, never failing the run
cat >"$out/exc.yaml" <<'YAML'
posture:
  exceptions:
    - control: "posture.privileged"
      kind: Pod
      name: "fire-*"
      reason: "debug pods, reviewed"
YAML
"$HH_BIN" check -f json -c "$out/exc.yaml" --fail-on high "$D/privileged.yaml" >"$out/exc.json" 2>"$out/exc.err"
grep -q '"k8s.name":"fire-pod".*"rule"' "$out/exc.json" && grep '"k8s.name":"fire-pod"' "$out/exc.json" | grep -q 'posture.privileged' && fail "excepted finding printed"
grep -q 'posture.privileged' "$out/exc.json" || fail "non-excepted kinds (DaemonSet, CronJob) must still fire"
grep -q '2 suppressed by exceptions' "$out/exc.err" || fail "suppressed count: $(cat "$out/exc.err")"
"$HH_BIN" check -q -f json -c "$out/exc.yaml" --show-suppressed "$D/privileged.yaml" >"$out/exc2.json"
[ "$(grep -c '"suppressed":true' "$out/exc2.json")" -eq 2 ] || fail "--show-suppressed should list 2"
grep '"suppressed":true' "$out/exc2.json" | grep -q '"exception.reason":"debug pods, reviewed"' || fail "reason not carried"
printf 'posture:\n  exceptions:\n    - control: posture.privileged\n' >"$out/noreason.yaml"
"$HH_BIN" check -q -c "$out/noreason.yaml" "$D/privileged.yaml" >/dev/null 2>"$out/nr.err"; rc=$?
[ $rc -eq 2 ] && grep -q reason "$out/nr.err" || fail "exception without reason must be refused (rc $rc)"
ok "exceptions"

# formats: SARIF, JUnit, table; stdin
"$HH_BIN" check -q -f sarif "$D" >"$out/r.sarif"
python3 -c '
import json,sys
s=json.load(open(sys.argv[1])); r=s["runs"][0]["results"]
assert s["version"]=="2.1.0" and len(r)>50
for x in r:
    p=x["locations"][0]["physicalLocation"]; assert p["region"]["startLine"]>0 and p["artifactLocation"]["uri"]
' "$out/r.sarif" || fail "SARIF"
"$HH_BIN" check -q -f junit "$D/host-pid.yaml" >"$out/r.xml"
python3 -c 'import sys,xml.dom.minidom as m; d=m.parse(sys.argv[1]); assert d.getElementsByTagName("testcase")' "$out/r.xml" || fail "JUnit"
"$HH_BIN" check -q -f table "$D/host-pid.yaml" | grep -q 'posture.host-pid' || fail "table"
"$HH_BIN" check -q -f json - <"$D/host-pid.yaml" | grep -q '"file.path":"<stdin>"' || fail "stdin"
ok "formats and stdin"

# audit-log: malformed lines are errors (exit 2), good lines still judged
"$HH_BIN" audit-log -f json "$HH_ROOT/tests/data/audit/broken.jsonl" >"$out/a.json" 2>"$out/a.err"; rc=$?
[ $rc -eq 2 ] || fail "audit-log broken input: want 2, got $rc"
grep -q 'broken.jsonl:2:' "$out/a.err" && grep -q 'broken.jsonl:3:' "$out/a.err" || fail "lines not named"
[ "$(wc -l <"$out/a.json")" -eq 3 ] || fail "good events not all judged"
"$HH_BIN" audit-log -q -f json - <"$HH_ROOT/tests/data/audit/actor-chain.jsonl" | grep -q '"ka.actor.root":"alice"' || fail "actor via stdin"
ok "audit-log input handling"

# Helm-rendered output on stdin: empty documents and '# Source:' comments, lines right
helm=$HH_ROOT/tests/data/posture-helm/rendered.yaml
"$HH_BIN" check -q -f json - <"$helm" >"$out/helm.json"; rc=$?
[ $rc -eq 1 ] || fail "helm output: want 1, got $rc"
python3 - "$out/helm.json" <<'PY' || fail "helm findings"
import json, sys
f = [json.loads(l) for l in open(sys.argv[1])]
p = [x for x in f if x["rule"] == "posture.privileged"]
assert len(p) == 1 and p[0]["severity"] == "critical", p   # privileged + hostPID
assert p[0]["fields"]["file.line"] == 29, p[0]["fields"]   # the securityContext mapping
assert p[0]["fields"]["k8s.kind"] == "DaemonSet" and p[0]["fields"]["container.name"] == "agent"
assert any(x["rule"] == "posture.no-cpu-limit" for x in f)
PY
ok "helm-rendered output"
