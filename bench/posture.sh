#!/usr/bin/env bash
# bench/posture.sh: manifests/s of `hashhound check` and events/s of
# `hashhound audit-log` on a generated corpus (bench/out/posture, not
# committed), side by side in one run with the Debian-packaged floors:
# yamllint (YAML parsing; no kube-linter/kubescape/Checkov package exists in
# Debian 12) and jq (JSON parsing of the audit log). Writes bench/results-posture.md.
# Times: wall and CPU (user+sys); on a shared machine CPU is the fairer ratio.
set -u
cd "$(dirname "$0")/.."
BIN=${HH_BIN:-build/hashhound}
OUT=bench/out/posture
N_OBJ=${N_OBJ:-20000}
N_EV=${N_EV:-100000}
SUBSET_FILES=${SUBSET_FILES:-40}   # yamllint is slow: compared on the first 40 files (2000 objects)
[ -x "$BIN" ] || make -s -j2 >/dev/null || exit 1
for c in python3 yamllint jq /usr/bin/time; do command -v "$c" >/dev/null || { echo "bench posture: needs $c (scripts/deps.sh)"; exit 1; }; done
if [ ! -f "$OUT/.done-$N_OBJ-$N_EV" ]; then
	rm -rf "$OUT"
	python3 bench/gen_posture.py "$OUT" "$N_OBJ" "$N_EV" || exit 1
	touch "$OUT/.done-$N_OBJ-$N_EV"
fi
mkdir -p "$OUT/subset"
ls "$OUT"/manifests/*.yaml | head -n "$SUBSET_FILES" | xargs -I{} cp {} "$OUT/subset/"
n_sub=$(cat "$OUT"/subset/*.yaml | grep -c '^kind:')
n_all=$(cat "$OUT"/manifests/*.yaml | grep -c '^kind:')
n_ev=$(wc -l <"$OUT/audit.jsonl")
mb_ev=$(du -m "$OUT/audit.jsonl" | cut -f1)

# measure NAME CMD...: records wall, cpu, rss (KiB) in $OUT/NAME.t
measure() {
	local name=$1; shift
	/usr/bin/time -f "%e %U %S %M" -o "$OUT/$name.t" "$@" >/dev/null 2>"$OUT/$name.err"
	echo "  $name: $(cat "$OUT/$name.t")"
}
echo "corpus: $n_all objects ($n_sub in the yamllint subset), $n_ev audit events (${mb_ev} MiB)"
measure hh_check_all   "$BIN" check -q -f json --fail-on critical "$OUT/manifests"
measure hh_check_sub   "$BIN" check -q -f json --fail-on critical "$OUT/subset"
measure yamllint_parse yamllint -f parsable -d '{rules: {}}' "$OUT/subset"
measure yamllint_relax yamllint -f parsable -d relaxed "$OUT/subset"
measure hh_audit       "$BIN" audit-log -q -f json --fail-on critical "$OUT/audit.jsonl"
measure jq_parse       jq -c empty "$OUT/audit.jsonl"
hh_findings=$("$BIN" check -q -f json --fail-on critical "$OUT/manifests" | wc -l)
hh_audit_findings=$("$BIN" audit-log -q -f json --fail-on critical "$OUT/audit.jsonl" | wc -l)

python3 - "$OUT" "$n_all" "$n_sub" "$n_ev" "$mb_ev" "$hh_findings" "$hh_audit_findings" <<'PY' >bench/results-posture.md
import sys, subprocess, datetime
out, n_all, n_sub, n_ev, mb, nf, naf = sys.argv[1], *map(int, sys.argv[2:])
def t(name):
    w, u, s, m = open(f"{out}/{name}.t").read().split()[-4:]
    return float(w), float(u) + float(s), int(m)
r = {k: t(k) for k in ["hh_check_all", "hh_check_sub", "yamllint_parse", "yamllint_relax", "hh_audit", "jq_parse"]}
def rate(n, name, i): return n / max(r[name][i], 1e-3)
cpu = lambda: next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown CPU")
load = open("/proc/loadavg").read().split()[0]
ver = lambda c: subprocess.run(c, capture_output=True, text=True).stdout.strip().split("\n")[0]
print("# Posture and audit benchmark\n")
print(f"Run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC by `bench/run posture` on {cpu()} "
      f"(2 cores shared with other jobs; load average {load} at the end). Corpus from `bench/gen_posture.py` "
      f"(seeded): {n_all} Kubernetes objects in {n_all // 50} multi-document files (every workload kind, "
      f"RBAC, Services, Helm-style `# Source:` comments), {n_ev} audit events ({mb} MiB, one per line, "
      f"with Deployment -> ReplicaSet -> Pod chains, exec, RBAC and anonymous requests).\n")
print("No Debian 12 package provides kube-linter, kubescape, Checkov or Polaris, so the side-by-side "
      f"floors are yamllint {ver(['yamllint','--version']).split()[-1]} (YAML parsing; `rules: {{}}` parses only, "
      f"`relaxed` runs its default rule set) and {ver(['jq','--version'])} (JSON parsing of the audit log, "
      "`jq -c empty`). hashhound does strictly more work than either: it parses and then judges every object.\n")
print("CPU = user + sys seconds (the fairer measure on a shared machine); RSS = peak resident KiB.\n")
print("## Manifests (`hashhound check`)\n")
print("| tool, input | objects | wall s | CPU s | objects/s (CPU) | peak RSS KiB |")
print("|---|---:|---:|---:|---:|---:|")
for name, label, n in [("hh_check_all", "hashhound check, full corpus", n_all),
                       ("hh_check_sub", "hashhound check, subset", n_sub),
                       ("yamllint_parse", "yamllint, parse only, subset", n_sub),
                       ("yamllint_relax", "yamllint relaxed, subset", n_sub)]:
    w, c, m = r[name]
    print(f"| {label} | {n} | {w:.2f} | {c:.2f} | {n / max(c, 1e-3):,.0f} | {m} |")
print(f"\nOn the same {n_sub}-object subset: hashhound check is "
      f"**{r['yamllint_parse'][1] / max(r['hh_check_sub'][1], 1e-3):.1f}x** faster than yamllint parsing alone and "
      f"**{r['yamllint_relax'][1] / max(r['hh_check_sub'][1], 1e-3):.1f}x** faster than yamllint relaxed (CPU); "
      f"wall-clock ratios {r['yamllint_parse'][0] / max(r['hh_check_sub'][0], 1e-3):.1f}x and "
      f"{r['yamllint_relax'][0] / max(r['hh_check_sub'][0], 1e-3):.1f}x. "
      f"Full corpus: {nf} findings from {n_all} objects.\n")
print("## Audit events (`hashhound audit-log`)\n")
print("| tool | events | wall s | CPU s | events/s (CPU) | MiB/s (CPU) | peak RSS KiB |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, label in [("hh_audit", "hashhound audit-log"), ("jq_parse", "jq -c empty (parse only)")]:
    w, c, m = r[name]
    print(f"| {label} | {n_ev} | {w:.2f} | {c:.2f} | {n_ev / max(c, 1e-3):,.0f} | {mb / max(c, 1e-3):.1f} | {m} |")
print(f"\nhashhound audit-log / jq parse-only (CPU): **{r['jq_parse'][1] / max(r['hh_audit'][1], 1e-3):.2f}x** "
      f"(above 1 means hashhound is faster while also judging every event); {naf} findings. "
      "Its state is bounded (LRU, `audit.state_entries`), so RSS does not grow with the log.\n")
print("Reproduce: `bench/run posture` (sizes: N_OBJ, N_EV, SUBSET_FILES).")
PY
rm -rf "$OUT/subset"
cat bench/results-posture.md
