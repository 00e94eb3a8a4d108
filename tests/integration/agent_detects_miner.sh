#!/usr/bin/env bash
# Issue 2, "Done means": the agent (build-san) watches real podman containers.
# (a) hh-minersim under an innocent name ("kworker/0:1" in a container named
#     hh-agent-kworker-*), limited with --cpus 0.3, mining to a loopback
#     hh-poolsim: a mining finding (T1496) naming the container id and image
#     within 60 s. The detection time is measured and printed.
# (b) at the same time, benign CPU-heavy workloads in their own containers
#     (stress-ng cpu, xz compression, a gcc compile of a generated file,
#     openssl speed; host programs through --rootfs /:O): no finding of high or
#     critical severity about them, and the agent did follow each of them.
# Then SIGTERM: the agent finishes its sweep and exits 0.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd podman buildah python3 stress-ng xz gcc openssl timeout
[ -x "$HH_BIN" ] || fail "$HH_BIN not built (make SAN=1)"
REL=$HH_ROOT/build
for b in hh-minersim hh-poolsim; do
	[ -x "$REL/$b" ] || skip "$REL/$b not built (make tools: static simulators for the scratch image)"
done

out=$HH_ROOT/tests/out/agent_detects_miner.$$
mkdir -p "$out"
tag=hh-agent-$$
image=$(MS_BIN_DIR=$REL sh "$HH_ROOT/tools/minersim/build-image.sh" localhost/hh-minersim:latest) ||
	fail "tools/minersim/build-image.sh failed"

agent_pid="" pool_pid=""
cleanup() {
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null
	[ -n "$pool_pid" ] && kill "$pool_pid" 2>/dev/null
	podman ps -a --format '{{.Names}}' | grep "^$tag-" | xargs -r podman rm -f -t 0 >/dev/null 2>&1
}
trap cleanup EXIT

# The agent first, so it sees every container arrive.
"$HH_BIN" agent --interval 2 --findings-file "$out/findings.jsonl" --store '' --listen '' \
	>"$out/stdout.jsonl" 2>"$out/stderr.log" &
agent_pid=$!
wait_for "grep -q 'interval:' '$out/stderr.log'" 20 || { cat "$out/stderr.log"; fail "agent did not start"; }
sed -n '1,12p' "$out/stderr.log"

port=$((20000 + $$ % 20000))
"$REL/hh-poolsim" --listen "127.0.0.1:$port" --job-interval 5 --max-seconds 300 --quiet &
pool_pid=$!
wait_for "(exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null" 10 || fail "hh-poolsim did not listen on $port"

# (a) the miner, disguised, throttled.
t_before=$(date +%s.%N)
miner=$("${PODMAN_RUN[@]}" -d --cpus 0.3 --name "$tag-kworker" "$image" \
	/usr/local/bin/hh-minersim --pool "127.0.0.1:$port" --threads 2 --name "kworker/0:1" --duration 200 --quiet) ||
	fail "podman run (miner) failed"
started=$(podman container inspect --format '{{.State.StartedAt}}' "$miner")
echo "miner container $miner ($image), started $started"

# (b) benign CPU-heavy workloads, concurrently, about 70 s each.
cat >"$out/gen.py" <<'PY'
import sys
n = int(sys.argv[1])
print("#include <stdio.h>")
for i in range(n):
    print(f"static double f{i}(double x) {{ double s = 0; for (int k = 0; k < {i % 13 + 3}; k++) s += x * k / {i + 1}.0; return s > {i} ? s - {i} : s + {i}; }}")
print("int main(void) { double t = 0;")
for i in range(n):
    print(f"  t += f{i}(t + {i});")
print('  printf("%f\\n", t); return 0; }')
PY
python3 "$out/gen.py" 3000 >"$out/big.c"
benign_cmds=(
	"stress|stress-ng --cpu 1 --cpu-method matrixprod --timeout 70s"
	"xz|timeout 70 sh -c 'while :; do head -c 40000000 /dev/urandom | xz -6 -T1 >/dev/null; done'"
	"gcc|timeout 70 sh -c 'while :; do gcc -O2 -c -o /tmp/big.o $out/big.c; done'"
	"openssl|timeout 70 sh -c 'while :; do openssl speed -seconds 5 sha256 rsa2048 >/dev/null 2>&1; done'"
)
declare -A benign
for entry in "${benign_cmds[@]}"; do
	name=${entry%%|*} cmd=${entry#*|}
	id=$("${PODMAN_RUN[@]}" -d --name "$tag-$name" --rootfs /:O sh -c "$cmd") || fail "podman run ($name) failed"
	benign[$name]=$id
	echo "benign $name: ${id:0:12}: $cmd"
done

# (a) within 60 s of the start: a T1496 finding naming the miner's id and image.
check_miner() {
	python3 - "$out/findings.jsonl" "$miner" "$started" <<'PY'
import json, sys, datetime
path, cid, started = sys.argv[1:4]
s = started.split(" +")[0]
date, frac = (s.split(".") + ["0"])[:2]
t0 = datetime.datetime.strptime(date, "%Y-%m-%d %H:%M:%S").replace(tzinfo=datetime.timezone.utc).timestamp() + float("0." + frac)
first = {}
try:
    lines = open(path).read().splitlines()
except FileNotFoundError:
    sys.exit(1)
for line in lines:
    f = json.loads(line)
    fl = f.get("fields", {})
    if fl.get("container.id") != cid or "T1496" not in f.get("mitre", []):
        continue
    if not fl.get("container.image.repository"):
        continue
    t = datetime.datetime.strptime(f["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()
    first.setdefault(f["rule"], (t - t0, f["severity"], fl.get("container.image.repository")))
if not first:
    sys.exit(1)
for rule, (dt, sev, img) in sorted(first.items(), key=lambda x: x[1][0]):
    print(f"  {dt:6.1f} s  {sev:8s} {rule}  (image {img})")
best = min(v[0] for v in first.values())
print(f"DETECTION_TIME {best:.1f}")
sys.exit(0 if best <= 60 else 2)
PY
}
t=0
while ! check_miner >"$out/miner.txt" 2>&1; do
	sleep 2; t=$((t + 2))
	[ $t -ge 66 ] && break
done
cat "$out/miner.txt"
grep -q '^DETECTION_TIME' "$out/miner.txt" || fail "no mining finding naming container ${miner:0:12} and its image within 60 s"
det=$(sed -n 's/^DETECTION_TIME //p' "$out/miner.txt")
python3 -c "import sys; sys.exit(0 if float('$det') <= 60 else 1)" || fail "first mining finding after $det s (> 60 s)"
ok "miner detected ${det} s after its container started"

# (b) let the benign workloads run their course, then judge them.
while podman ps --format '{{.Names}}' | grep -q "^$tag-\(stress\|xz\|gcc\|openssl\)$"; do
	sleep 2; t=$((t + 2))
	[ $t -ge 100 ] && break
done
sleep 3 # one more sweep
for name in "${!benign[@]}"; do
	id=${benign[$name]}
	grep -q "container: ${id:0:12}" "$out/stderr.log" || fail "agent never followed benign container $name (${id:0:12})"
	python3 - "$out/findings.jsonl" "$id" "$name" <<'PY' || fail "benign workload $name raised a high/critical finding"
import json, sys
path, cid, name = sys.argv[1:4]
bad, seen = [], []
for line in open(path):
    f = json.loads(line)
    if f.get("fields", {}).get("container.id") != cid:
        continue
    seen.append(f"{f['severity']} {f['rule']}")
    if f["severity"] in ("high", "critical"):
        bad.append(line.strip())
print(f"  benign {name}: {len(seen)} findings: {', '.join(sorted(set(seen))) or 'none'}")
for b in bad:
    print("    HIGH:", b[:400])
sys.exit(1 if bad else 0)
PY
done
ok "no high or critical finding for stress-ng, xz, gcc, openssl"

# Clean stop on SIGTERM: finish the sweep, flush, exit 0.
kill -TERM "$agent_pid"
for _ in $(seq 1 20); do kill -0 "$agent_pid" 2>/dev/null || break; sleep 0.5; done
kill -0 "$agent_pid" 2>/dev/null && fail "agent still running 10 s after SIGTERM"
wait "$agent_pid"; rc=$?
agent_pid=""
[ $rc -eq 0 ] || { tail -20 "$out/stderr.log"; fail "agent exited $rc after SIGTERM"; }
cmp -s <(grep -c . "$out/stdout.jsonl") <(grep -c . "$out/findings.jsonl") || fail "stdout and findings file differ in count"
ok "agent stopped cleanly on SIGTERM; $(grep -c . "$out/findings.jsonl") findings in the file"
echo "DETECTION_TIME_S=$det"
