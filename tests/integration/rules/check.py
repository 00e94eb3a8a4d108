# Checks the findings of `hashhound sensor --rules` against the manifest of
# driver.py: each rule fires on its trigger's container and not on its
# benign counterpart's. Prints the latency from the syscall to the finding.
#   check.py MANIFEST FINDINGS
import json, statistics, sys

manifest = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
findings = []
for n, l in enumerate(open(sys.argv[2]), 1):
    if l.strip():
        try:
            findings.append(json.loads(l))
        except ValueError as e:
            sys.exit("%s:%d: not JSON: %s" % (sys.argv[2], n, e))

def cid_of(f):
    return (f.get("fields", {}).get("container.id") or f.get("workload", {}).get("container_id") or "")

def latency(f):
    for e in f.get("evidence", []):
        if e.get("what") == "latency.syscall_to_finding_ms":
            return e.get("value")
    return None

fails = []
print("  %-28s %-8s %-9s %s" % ("rule", "trigger", "benign", "syscall-to-finding latency (ms)"))
for m in manifest:
    if "skip" in m:
        print("  %-28s %-8s %-9s not triggerable here: %s" % (m["rule"], "-", "-", m["skip"]))
        continue
for rule in dict.fromkeys(m["rule"] for m in manifest if "skip" not in m):
    t = next(m for m in manifest if m["rule"] == rule and m.get("variant") == "trigger")
    b = next(m for m in manifest if m["rule"] == rule and m.get("variant") == "benign")
    ft = [f for f in findings if f.get("rule") == rule and t["cid"].startswith(cid_of(f)) and cid_of(f)]
    fb = [f for f in findings if f.get("rule") == rule and b["cid"].startswith(cid_of(f)) and cid_of(f)]
    lat = [latency(f) for f in ft if latency(f) is not None]
    ls = ("min %.2f, median %.2f, max %.2f" % (min(lat), statistics.median(lat), max(lat))) if lat else "n/a (periodic summary)"
    print("  %-28s %-8s %-9s %s" % (rule, "fired" if ft else "MISSING", "silent" if not fb else "FIRED", ls if ft else ""))
    if not ft:
        fails.append(rule + ": did not fire on its trigger")
    if fb:
        fails.append(rule + ": fired on the benign counterpart: " + json.dumps(fb[0])[:400])
    if lat and max(lat) >= 1000:
        print("    note: above the 1 s target")
for f in fails:
    print("  FAIL " + f)
sys.exit(1 if fails else 0)
