#!/usr/bin/env bash
# The CLI keeps its word (issue 16): config files are checked (unknown keys,
# types, ranges, overrides; FILE:LINE:COL) and every command refuses a bad
# one; the agent refuses broken rule files unless --allow-rule-errors;
# `config` takes -c and --get with a workload description.
. "$(dirname "$0")/../lib.sh"
out=$(mktemp -d /tmp/hh-cli-promises.XXXXXX)
ctr=hh-cliconf-respond-$$
serve_pid=
cleanup() { [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; podman_rm "$ctr"; rm -rf "$out"; }
trap cleanup EXIT

# --- config --check: the issue's four mistakes, each named with its place
cat >"$out/bad.yaml" <<'Y'
behaviour:
  sustained:
    enabled: false
agent:
  interval_s: "fast"
correlation:
  window_s: -5
overrides:
  - match: { namespace: "batch-*" }
    set:
      behavior.sustaned.min_usage: 0.99
Y
"$HH_BIN" config --check "$out/bad.yaml" >"$out/check.out" 2>"$out/check.err"; rc=$?
[ $rc -eq 2 ] || fail "config --check of a bad file: rc $rc, want 2: $(cat "$out/check.out" "$out/check.err")"
grep -q ': ok' "$out/check.out" && fail "config --check said ok to a bad file"
for want in "bad.yaml:1:1: unknown key 'behaviour'; did you mean 'behavior'?" \
	"bad.yaml:5:15: agent.interval_s: expected a number, got a string" \
	"bad.yaml:7:13: correlation.window_s: -5 is out of range" \
	"bad.yaml:11:7: unknown key 'overrides[0].set.behavior.sustaned.min_usage'"; do
	grep -qF "$want" "$out/check.err" || fail "config --check: missing '$want' in: $(cat "$out/check.err")"
done
ok "config --check names each problem with FILE:LINE:COL"

# the shipped defaults and a good file pass
"$HH_BIN" config >"$out/defaults.yaml" || fail "config (print defaults)"
"$HH_BIN" config --check "$out/defaults.yaml" >"$out/ok.out" 2>&1 || fail "defaults do not check: $(cat "$out/ok.out")"
cat >"$out/good.yaml" <<'Y'
behavior:
  plateau: { window_s: 45 }
overrides:
  - match: { namespace: "video-*", labels: { app: encoder } }
    set:
      behavior.plateau.enabled: false
      behavior.plateau.window_s: 90
Y
"$HH_BIN" config --check "$out/good.yaml" | grep -qx "$out/good.yaml: ok" || fail "a good file is not ok"
ok "defaults and a good file pass"

# every command taking --config refuses the bad file (exit 2, the problem named)
printf 'kind: Pod\napiVersion: v1\nmetadata: { name: p }\nspec: { containers: [ { name: c, image: nginx } ] }\n' >"$out/pod.yaml"
printf '{"evt.type":"execve","proc.name":"sh","proc.cmdline":"sh"}\n' >"$out/ev.jsonl"
for cmd in "agent --once --no-sensor --findings-file '' --store '' --listen ''" "check $out/pod.yaml" \
	"scan $out/pod.yaml" "rules list" "rules test --event $out/ev.jsonl" "intel list" \
	"report --store $out/none.db" "serve --store $out/none.db --listen 127.0.0.1:0" "config --get agent.interval_s"; do
	eval "\"$HH_BIN\" $cmd -c \"$out/bad.yaml\"" >"$out/cmd.out" 2>"$out/cmd.err" </dev/null; rc=$?
	[ $rc -eq 2 ] || fail "'$cmd -c bad.yaml': rc $rc, want 2: $(head -5 "$out/cmd.err")"
	grep -q "bad configuration: $out/bad.yaml:1:1: unknown key 'behaviour'" "$out/cmd.err" ||
		fail "'$cmd -c bad.yaml' does not name the problem: $(head -5 "$out/cmd.err")"
done
ok "every command refuses a bad --config"

# --- the agent and broken rule files
{
	echo "- rule: broken one"
	echo "  desc: x"
	echo "  condition: evt.type = execve and ("
	echo "  output: x"
	echo "  priority: WARNING"
	echo "- rule: broken two"
	echo "  condition: proc.nam = x"
	echo "  output: x"
	echo "  priority: NOPE"
} >"$out/rules-bad.yaml"
printf 'rules:\n  files: ["%s"]\n' "$out/rules-bad.yaml" >"$out/rules-cfg.yaml"
"$HH_BIN" config --check "$out/rules-cfg.yaml" >/dev/null || fail "rules config should check (rule files are checked by the agent)"
agent=("$HH_BIN" agent --once --no-sensor --findings-file '' --store '' --listen '' -f json -c "$out/rules-cfg.yaml")
"${agent[@]}" >"$out/agent.out" 2>"$out/agent.err"; rc=$?
[ $rc -eq 2 ] || fail "agent with broken rules: rc $rc, want 2: $(head -5 "$out/agent.err")"
grep -q "rules-bad.yaml:[0-9]*:[0-9]*: " "$out/agent.err" || fail "agent does not print the rule errors: $(cat "$out/agent.err")"
grep -q -- "--allow-rule-errors" "$out/agent.err" || fail "agent does not say how to start anyway"
[ -s "$out/agent.out" ] && fail "agent swept despite rule errors"
"${agent[@]}" --allow-rule-errors >"$out/agent.out" 2>"$out/agent.err"; rc=$?
[ $rc -eq 0 ] || [ $rc -eq 1 ] || fail "agent --allow-rule-errors: rc $rc: $(tail -5 "$out/agent.err")"
ok "agent refuses broken rule files unless --allow-rule-errors"

# --- config takes -c like every command, and --get describes a workload
[ "$("$HH_BIN" config -c "$out/good.yaml")" = "$out/good.yaml: ok" ] || fail "config -c FILE"
get() { "$HH_BIN" config -c "$out/good.yaml" --get "$@"; }
[ "$(get behavior.plateau.window_s)" = 45 ] || fail "--get without a workload: $(get behavior.plateau.window_s)"
[ "$(get behavior.plateau.window_s --namespace video-prod)" = 45 ] || fail "--get: the label is missing, no override"
[ "$(get behavior.plateau.window_s --namespace video-prod --label app=encoder)" = 90 ] ||
	fail "--get --label: README override not applied: $(get behavior.plateau.window_s --namespace video-prod --label app=encoder)"
[ "$(get behavior.plateau.enabled --namespace video-prod --label team=x --label app=encoder)" = false ] ||
	fail "--get with two labels"
[ "$(get behavior.plateau.window_s --namespace web --label app=encoder)" = 45 ] || fail "--get: namespace must match too"
printf 'overrides:\n  - match: { pod: "miner-*", container: "c?", image: "x/*" }\n    set: { behavior.plateau.window_s: 7 }\n' >"$out/pod.yaml.cfg"
[ "$("$HH_BIN" config -c "$out/pod.yaml.cfg" --get behavior.plateau.window_s --pod miner-1 --container c1 --image x/y)" = 7 ] ||
	fail "--get --pod --container --image"
"$HH_BIN" config -c "$out/good.yaml" --get behavior.plateau.window_s --label novalue >/dev/null 2>&1 && fail "--label without = accepted"
"$HH_BIN" config -c "$out/good.yaml" --check "$out/bad.yaml" >/dev/null 2>&1 && fail "-c and --check naming two files accepted"
"$HH_BIN" config --help | grep -q "Exit codes" || fail "config --help gives no exit codes"
ok "config -c, --get with --namespace/--label/--pod/--container/--image"

# --- each command lists the formats it takes, and takes exactly those
for cmd in agent drill ps sensor "rules list" scan check audit-log pcap respond report; do
	"$HH_BIN" $cmd --help >"$out/help" 2>&1 || fail "$cmd --help: rc $?"
	listed=$(grep -oE -- '(--format FMT +one of|--format FMT is one of) [a-z, ]+' "$out/help" | sed 's/.*one of //' | tr -d ' ')
	[ -n "$listed" ] || fail "$cmd --help lists no formats: $(grep -i format "$out/help")"
	for f in json table sarif junit html falco; do
		"$HH_BIN" $cmd -f $f --help >"$out/fmt.out" 2>&1; rc=$?
		if [[ ",$listed," == *",$f,"* ]]; then
			[ $rc -eq 0 ] || fail "$cmd lists $f but refuses it (rc $rc): $(cat "$out/fmt.out")"
		else
			[ $rc -eq 2 ] && grep -q "not one of" "$out/fmt.out" ||
				fail "$cmd does not list $f but accepts it (rc $rc)"
		fi
	done
done
grep -rq "sarif, junit, html" <("$HH_BIN" agent --help) && fail "agent help lists sarif"
"$HH_BIN" serve --help | grep -q -- "--listen" || fail "serve --help gives no options"
"$HH_BIN" serve --help | grep -q "Exit codes" || fail "serve --help gives no exit codes"
ok "help texts list only the formats each command takes; serve and config --help give options and exit codes"

# --- tables: a time column, WHERE whole, numbers rounded (the JSON keeps them)
long_ns=namespace-with-a-rather-long-name-for-the-test
printf '%s\n' \
	'{"time":"2026-12-01T10:20:30.456Z","source":"agent","rule":"test.one","title":"One","severity":"high","confidence":0.9,"mitre":[],"fields":{"k8s.ns.name":"'$long_ns'","k8s.pod.name":"web-7d9f8c6b5-x2x9z","container.name":"app","container.id":"0123456789abcdef0123456789abcdef"},"evidence":[{"what":"latency.syscall_to_finding_ms","value":22547.123456},{"what":"cpu.cores","value":0.0166666667},{"what":"count","value":42}]}' \
	'{"time":"2026-12-01T10:20:31.000Z","source":"check","rule":"test.two","title":"Two","severity":"medium","confidence":0.9,"mitre":[],"fields":{"file.path":"/srv/k8s/deploy.yaml","file.line":17,"k8s.kind":"Deployment","k8s.name":"miner","k8s.ns.name":"prod"},"evidence":[]}' \
	'{"time":"2026-12-01T10:20:32.000Z","source":"scan","rule":"test.three","title":"Three","severity":"low","confidence":0.9,"mitre":[],"fields":{"file.path":"/srv/app/run.sh","file.line":3},"evidence":[]}' \
	>"$out/f.jsonl"
"$HH_BIN" report --store "$out/t.db" --import "$out/f.jsonl" 2>/dev/null || fail "report --import"
"$HH_BIN" report --store "$out/t.db" -f table >"$out/t.txt" || true
head -1 "$out/t.txt" | grep -q '^TIME (UTC) *SEVERITY *RULE *WHERE *TITLE' || fail "table header: $(head -1 "$out/t.txt")"
grep -q "^2026-12-01 10:20:30  high      test.one  *$long_ns/Pod/web-7d9f8c6b5-x2x9z (app)  *One" "$out/t.txt" ||
	fail "table row: time and whole WHERE: $(cat "$out/t.txt")"
grep -q "test.two  *prod/Deployment/miner  *Two" "$out/t.txt" || fail "WHERE namespace/kind/name: $(cat "$out/t.txt")"
grep -q "test.three  */srv/app/run.sh:3  *Three" "$out/t.txt" || fail "WHERE file:line: $(cat "$out/t.txt")"
grep -q -- "- latency.syscall_to_finding_ms: 22547$" "$out/t.txt" || fail "rounded ms: $(cat "$out/t.txt")"
grep -q -- "- cpu.cores: 0.0167$" "$out/t.txt" || fail "rounded cores: $(cat "$out/t.txt")"
grep -q -- "- count: 42$" "$out/t.txt" || fail "integer evidence"
"$HH_BIN" report --store "$out/t.db" -f json | grep -q '"value":22547.123456' || fail "JSON lost precision"
ok "tables: time, whole WHERE, rounded evidence (JSON exact)"

# --- scan of a directory: absolute file.path
mkdir -p "$out/scan/sub"
printf '#!/bin/sh\nexec ./xmrig -o stratum+tcp://pool.minexmr.com:4444\n' >"$out/scan/sub/run.sh"
(cd "$out" && "$HH_BIN" scan -q -f json scan) >"$out/scan.json"
grep -q "\"file.path\":\"$out/scan/sub/run.sh\"" "$out/scan.json" || fail "scan DIR: file.path not absolute: $(head -c 400 "$out/scan.json")"
(cd "$out/scan" && "$HH_BIN" scan -q -f json sub/run.sh) >"$out/scan.json"
grep -q "\"file.path\":\"$out/scan/sub/run.sh\"" "$out/scan.json" || fail "scan FILE: file.path not absolute"
ok "scan: absolute file.path for directories and files"

# --- every finding names its node: hostname, and k8s.node.name from NODE_NAME
printf 'kind: Pod\napiVersion: v1\nmetadata: { name: p, namespace: n }\nspec: { hostPID: true, containers: [ { name: c, image: nginx } ] }\n' >"$out/pod.yaml"
NODE_NAME=node-cliconf-a "$HH_BIN" check -q -f json "$out/pod.yaml" >"$out/node.json"
[ -s "$out/node.json" ] || fail "check gave no finding to look at"
n=$(wc -l <"$out/node.json")
[ "$(grep -c "\"hostname\":\"$(hostname)\"" "$out/node.json")" = "$n" ] || fail "a finding lacks hostname: $(head -1 "$out/node.json")"
[ "$(grep -c '"k8s.node.name":"node-cliconf-a"' "$out/node.json")" = "$n" ] || fail "a finding lacks k8s.node.name"
env -u NODE_NAME "$HH_BIN" check -q -f json "$out/pod.yaml" >"$out/node.json"
if [ ! -r /var/lib/kubelet/pki/kubelet-client-current.pem ]; then
	grep -q 'k8s.node.name' "$out/node.json" && fail "k8s.node.name without NODE_NAME or a kubelet"
fi
# an imported finding keeps its own node (or none), never ours
"$HH_BIN" report --store "$out/t.db" -f json --rule test.one | grep -q '"hostname"' && fail "imported finding got our hostname"
ok "findings name their node (hostname, k8s.node.name)"

# --- the API's since means the CLI's --since; unknown parameters and bad values are 400s
if command -v curl >/dev/null; then
	"$HH_BIN" serve --store "$out/t.db" --listen 127.0.0.1:0 >"$out/serve.out" 2>"$out/serve.err" &
	serve_pid=$!
	wait_for "grep -q 'listening on' '$out/serve.out'" 20 || fail "serve did not start: $(cat "$out/serve.err")"
	port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$out/serve.out")
	api="http://127.0.0.1:$port"
	count() { curl -s "$api/api/findings?$1" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["findings"]))'; }
	# the imported findings are from 2026-12-01: none in the last hour, all in the last 10 years
	cli_count() { "$HH_BIN" report --store "$out/t.db" -f json "$@" | grep -c '"rule"'; }
	[ "$(count since=3600)" = "$(cli_count --since 3600)" ] && [ "$(count since=3600)" = 0 ] ||
		fail "API since=3600: $(count since=3600), report --since 3600: $(cli_count --since 3600)"
	[ "$(count since=315360000)" = 3 ] && [ "$(cli_count --since 315360000)" = 3 ] ||
		fail "API since=10 years: $(count since=315360000)"
	[ "$(count 'min_severity=medium&limit=1')" = 1 ] || fail "limit=1"
	for bad in "sinse=5" "limit=-1" "limit=0" "since=-5" "since=yesterday" "min_severity=bogus" "rule=" "x=1&limit=5"; do
		code=$(curl -s -o "$out/api.err" -w '%{http_code}' "$api/api/findings?$bad")
		[ "$code" = 400 ] || fail "API $bad: HTTP $code, want 400"
		python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; assert e, e' "$out/api.err" ||
			fail "API $bad: no JSON error: $(cat "$out/api.err")"
	done
	grep -q "unknown query parameter 'x'" "$out/api.err" || fail "unknown parameter not named: $(cat "$out/api.err")"
	[ "$(curl -s "$api/healthz")" = ok ] || fail "/healthz"
	kill "$serve_pid"; wait "$serve_pid" 2>/dev/null; serve_pid=
	"$HH_BIN" report --store "$out/t.db" --since -5 >/dev/null 2>&1 && fail "report --since -5 accepted"
	"$HH_BIN" report --store "$out/t.db" --limit -1 >/dev/null 2>&1 && fail "report --limit -1 accepted"
	grep -q '/healthz' "$HH_ROOT/docs/outputs.md" || fail "/healthz undocumented"
	ok "API: since as the CLI means it, 400 with a JSON error for unknown or bad parameters, /healthz"
else
	echo "note: API not tested (no curl)"
fi

# --- JUnit validates against the Jenkins junit XSD; SARIF has its required structure
xsd="$HH_ROOT/tests/data/junit/junit-10.xsd"
if command -v xmllint >/dev/null; then
	D="$HH_ROOT/tests/data/posture"
	"$HH_BIN" check -q -f junit "$D"/*.yaml "$D/node" >"$out/check.xml"; rc=$?
	[ $rc -eq 1 ] || fail "check -f junit: rc $rc"
	xmllint --noout --schema "$xsd" "$out/check.xml" 2>"$out/xmllint.err" || fail "JUnit does not validate: $(head -5 "$out/xmllint.err")"
	python3 - "$out/check.xml" <<'PY' || fail "JUnit content (above)"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert len(suites) > 5, len(suites)
names, passes, fails, total = set(), 0, 0, 0
for s in suites:
    for a in ("name", "tests", "failures", "errors", "skipped", "time", "timestamp", "hostname", "file"):
        assert s.get(a) not in (None, ""), (a, s.attrib)
    cases = s.findall("testcase")
    assert int(s.get("tests")) == len(cases), s.attrib
    assert int(s.get("failures")) == sum(1 for c in cases if c.find("failure") is not None), s.attrib
    for c in cases:
        assert c.get("name") not in names, "duplicate testcase name " + c.get("name")
        names.add(c.get("name"))
        f = c.find("failure")
        if f is None:
            passes += 1
            continue
        fails += 1
        text = f.text or ""
        assert f.get("message") and "where: " in text and "why: " in text and "evidence:" in text, text
    total += len(cases)
assert int(root.get("tests")) == total and passes > 0 and fails > 0, (total, passes, fails)
# a case per object and control: the privileged pod has its passes too
assert "posture.host-pid default/Pod/fire-pod" in names and "posture.privileged default/Pod/fire-pod" in names
print("junit:", total, "cases,", fails, "failed,", passes, "passed")
PY
	# other commands and the empty report validate too
	"$HH_BIN" scan -q -f junit "$out/scan" >"$out/scan.xml"
	xmllint --noout --schema "$xsd" "$out/scan.xml" 2>"$out/xmllint.err" || fail "scan JUnit: $(head -3 "$out/xmllint.err")"
	"$HH_BIN" report --store "$out/t.db" -f junit >"$out/report.xml"
	xmllint --noout --schema "$xsd" "$out/report.xml" 2>"$out/xmllint.err" || fail "report JUnit: $(head -3 "$out/xmllint.err")"
	printf 'kind: ConfigMap\napiVersion: v1\nmetadata: { name: x }\n' >"$out/cm.yaml"
	"$HH_BIN" check -q -f junit "$out/cm.yaml" >"$out/empty.xml" || fail "check of a ConfigMap: rc $?"
	xmllint --noout --schema "$xsd" "$out/empty.xml" 2>"$out/xmllint.err" || fail "empty JUnit: $(head -3 "$out/xmllint.err")"
	ok "JUnit validates against the junit XSD: suites per file, a case per object and control, passes, unique names"
else
	echo "note: JUnit not validated (no xmllint; scripts/deps.sh installs libxml2-utils)"
fi
"$HH_BIN" check -q -f sarif "$HH_ROOT/tests/data/posture"/*.yaml "$HH_ROOT/tests/data/posture/node" >"$out/check.sarif"
python3 - "$out/check.sarif" <<'PY' || fail "SARIF structure (above)"
import json, sys
log = json.load(open(sys.argv[1]))
assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
assert isinstance(log["runs"], list) and len(log["runs"]) == 1
run = log["runs"][0]
drv = run["tool"]["driver"]
assert drv["name"] == "hashhound" and drv["version"] and drv["informationUri"].startswith("https://")
rules = drv["rules"]
assert rules and len({r["id"] for r in rules}) == len(rules), "rule ids must be unique"
for r in rules:
    assert r["shortDescription"]["text"] and r["fullDescription"]["text"], r
    assert r["help"]["text"] and len(r["help"]["text"]) > len(r["shortDescription"]["text"]), r
    assert r["helpUri"].startswith("https://") and r["helpUri"].endswith(".md"), r
    assert r["defaultConfiguration"]["level"] in ("none", "note", "warning", "error"), r
    assert r["properties"]["security-severity"], r
ids = [r["id"] for r in rules]
assert run["results"], "no results"
for res in run["results"]:
    assert ids[res["ruleIndex"]] == res["ruleId"], res
    assert res["level"] in ("none", "note", "warning", "error")
    name = res["properties"]["fields"].get("k8s.name") or res["properties"]["fields"].get("file.path")
    assert name and name in res["message"]["text"], ("message does not name the object", res["message"])
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"]
    if "region" in loc:
        assert isinstance(loc["region"]["startLine"], int) and loc["region"]["startLine"] >= 1
priv = next(r for r in rules if r["id"] == "posture.privileged")
assert "owns the node" in priv["help"]["text"], priv["help"]
print("sarif:", len(rules), "rules,", len(run["results"]), "results")
PY
ok "SARIF: rules with help and helpUri, messages naming the object, required structure"

# --- respond takes a container name as well as an id prefix; its findings say source respond
if [ "$(id -u)" = 0 ] && command -v podman >/dev/null; then
	podman run --runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --network none -d \
		--name "$ctr" --rootfs /:O sleep 120 >/dev/null || fail "cannot start a container"
	cid=$(podman inspect -f '{{.Id}}' "$ctr")
	for action in isolate freeze snapshot; do
		"$HH_BIN" respond $action "$ctr" --evidence-dir "$out/ev" -f json >"$out/resp.json" 2>"$out/resp.err" ||
			fail "respond $action NAME: $(cat "$out/resp.err")"
		grep -q "\"container.id\":\"$cid\"" "$out/resp.json" || fail "respond $action NAME: wrong container: $(cat "$out/resp.json")"
		grep -q '"source":"respond"' "$out/resp.json" || fail "respond finding source: $(cat "$out/resp.json")"
		grep -q '"dry run","value":"yes"' "$out/resp.json" || fail "respond without --yes must be a dry run"
	done
	"$HH_BIN" respond snapshot "${cid:0:12}" --evidence-dir "$out/ev" -f json >"$out/resp.json" 2>"$out/resp.err" ||
		fail "respond by id prefix: $(cat "$out/resp.err")"
	grep -q "\"container.id\":\"$cid\"" "$out/resp.json" || fail "respond by id prefix: wrong container"
	"$HH_BIN" respond snapshot "$ctr-nope" --evidence-dir "$out/ev" >/dev/null 2>"$out/resp.err"; rc=$?
	[ $rc -eq 2 ] && grep -q "no container matches '$ctr-nope' (id prefix or name)" "$out/resp.err" ||
		fail "respond to an unknown name: rc $rc: $(cat "$out/resp.err")"
	podman_rm "$ctr"
	ok "respond ACTION NAME and ID-PREFIX; source respond"
else
	echo "note: respond by name not tested (needs root and podman)"
fi

echo "PASS: cli promises"
