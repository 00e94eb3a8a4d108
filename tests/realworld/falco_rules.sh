#!/usr/bin/env bash
# Falco's own rule files (falcosecurity/rules: falco_rules.yaml,
# falco-incubating_rules.yaml, falco-sandbox_rules.yaml, in
# ../shared/fixtures/falco-rules) load with our pack: every built-in rule
# still loads, at least 90 % of theirs load, and, through the whole runtime
# path (eBPF sensor -> container id -> rules), their miner rules fire in a
# real container on their trigger while our pack's rules that use a macro
# they redefine (open_write) keep firing. --format falco lines are checked.
. "$(dirname "$0")/../lib.sh"
need_fixtures falco-rules
need_root
need_cmd podman python3
[ -e /sys/kernel/btf/vmlinux ] || skip "no kernel BTF: the eBPF sensor cannot load here"
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
F=$HH_FIXTURES/falco-rules
files=("$F/falco_rules.yaml" "$F/falco-incubating_rules.yaml" "$F/falco-sandbox_rules.yaml")
work=$(mktemp -d /tmp/hh-falco-rules.XXXXXX)
spid=""
cleanup() {
	[ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
	podman_rm hh-falco-stratum hh-falco-name hh-falco-huge
	rm -rf "$work"
}
trap cleanup EXIT

# 1. Load report
"$HH_BIN" rules check --falco-compat "${files[@]}" >"$work/compat.txt" 2>"$work/compat.err"
cat "$work/compat.txt" | grep -v '^loaded ' | head -60
python3 - "$work/compat.txt" <<'PY' || fail "load report (above)"
import re, sys
s = open(sys.argv[1]).read()
m = re.search(r"summary: (\d+) rule\(s\) in the files: (\d+) loaded \((\d+) of them limited, (\d+) inert\), (\d+) unloadable; built-in pack: (\d+) of (\d+) loaded", s)
assert m, "no summary line"
total, loaded, limited, inert, bad, pack_ok, pack = map(int, m.groups())
print(f"falco files: {loaded}/{total} loaded ({100*loaded/total:.1f} %), {limited} limited, {inert} inert "
      f"(watch only untraced syscalls), {bad} unloadable; active: {loaded-inert}/{total}; built-in {pack_ok}/{pack}")
assert pack_ok == pack and pack > 0, "a built-in rule did not load"
assert total >= 90, "expected the 93 rules of the three official files"
assert loaded * 100 >= 90 * total, "fewer than 90 % of Falco's rules loaded"
for name in ("Detect crypto miners using the Stratum protocol", "Known Cryptominer Process Executed"):
    assert re.search(r"^(loaded|limited) +" + re.escape(name), s, re.M), name + " did not load"
PY

# 2. Real containers through the sensor, with the files on top of our pack
{
	echo "rules:"
	echo "  files:"
	for f in "${files[@]}"; do echo "    - $f"; done
} >"$work/cfg.yaml"
"$HH_BIN" sensor --rules --containers-only -c "$work/cfg.yaml" -f json >"$work/findings.json" 2>"$work/sensor.err" &
spid=$!
wait_for "grep -q 'sensor: source' '$work/sensor.err'" 60 || { cat "$work/sensor.err"; fail "sensor did not start"; }
grep -q 'source ebpf' "$work/sensor.err" || { cat "$work/sensor.err"; fail "eBPF did not load"; }
grep 'rules:.*loaded' "$work/sensor.err" | tail -1
OPENW="import os,sys
try: os.close(os.open(sys.argv[1], os.O_WRONLY))
except OSError: pass"
run_ct() { "${PODMAN_RUN[@]}" --rm --name "$1" --rootfs /:O sh -c "$2" >/dev/null 2>&1 || true; }
run_ct hh-falco-stratum "python3 -c 'import time; time.sleep(0.6)' -o stratum+tcp://pool.minexmr.com:4444"
run_ct hh-falco-name "cp /bin/sleep /usr/local/bin/xmrig && /usr/local/bin/xmrig 0.5"
run_ct hh-falco-huge "python3 -c '$OPENW' /proc/sys/vm/nr_hugepages"
sleep 1
kill -TERM "$spid"
wait "$spid"
spid=""
python3 - "$work/findings.json" <<'PY' || fail "rules in containers (above)"
import json, sys
got = {}
for line in open(sys.argv[1]):
    f = json.loads(line)
    got.setdefault(f["title"], []).append(f)
    got.setdefault(f["rule"], []).append(f)
want = {
    "Detect crypto miners using the Stratum protocol": "Falco's stratum rule",
    "Known Cryptominer Process Executed": "Falco's miner-name rule",
    "miner.stratum-url": "our stratum rule",
    "miner.hugepages": "our huge-pages rule (uses open_write, which Falco's file redefines)",
}
bad = False
for k, what in want.items():
    fs = got.get(k, [])
    ok = any(f["fields"].get("container.id", "host") != "host" for f in fs)
    print(("fired " if ok else "MISSING ") + k + ": " + what)
    bad |= not ok
sys.exit(1 if bad else 0)
PY

# 3. The same findings in Falco's output shape
echo '{"evt.type":"execve","proc.name":"sh","proc.cmdline":"sh -c x # stratum+tcp://p:3333","container.id":"abc"}' >"$work/ev.jsonl"
"$HH_BIN" rules test --event "$work/ev.jsonl" --rules "$F/falco-sandbox_rules.yaml" --format falco >"$work/falco.jsonl" 2>/dev/null
python3 - "$work/falco.jsonl" <<'PY' || fail "--format falco"
import json, re, sys
n = 0
for line in open(sys.argv[1]):
    j = json.loads(line)
    assert set(j) == {"hostname", "output", "priority", "rule", "source", "tags", "time", "output_fields"}, set(j)
    assert j["priority"] in ("Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z", j["time"]), j["time"]
    assert j["rule"] and isinstance(j["tags"], list) and j["output_fields"]
    n += 1
assert n >= 2, "expected our rule and Falco's"
print(f"{n} falco-format lines checked")
PY
ok "Falco's rule files load with our pack; their miner rules and ours fire in real containers"
