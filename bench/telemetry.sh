#!/usr/bin/env bash
# Cost of one telemetry sweep (discover + read every counter) over 1,000
# synthetic cgroup v2 containers (systemd-driver containerd layout, kernel
# file formats), through `hashhound ps --interval 0`, side by side with the
# I/O floor: open/read/close of exactly the same counter files in one process,
# timed inside it (bench/telemetry/readfloor.c: no process start-up, no walk,
# no parsing: a floor nothing can go under), and `xargs cat` of the same files
# (processes included) as a second reference,
# and with `systemd-cgtop` where it can read the tree (it cannot: it reads
# only the live /sys/fs/cgroup, so its row says n/a). Writes
# bench/results-telemetry.md.
set -u
cd "$(dirname "$0")/.."
BIN=${HH_BIN:-build/hashhound}
[ -x "$BIN" ] || { echo "build first (make)"; exit 1; }
N=${HH_BENCH_CONTAINERS:-1000}
REPS=${HH_BENCH_REPS:-10}
tree=$(mktemp -d /tmp/hh-bench-cg.XXXXXX)
trap 'rm -rf "$tree"' EXIT
python3 - "$tree" "$N" <<'EOF'
import os, sys, uuid
root, n = sys.argv[1], int(sys.argv[2])
open(root + "/cgroup.controllers", "w").write("cpuset cpu io memory pids\n")
for i in range(n):
    u = str(uuid.UUID(int=i)).replace("-", "_")
    d = "%s/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%s.slice/cri-containerd-%064x.scope" % (root, u, i)
    os.makedirs(d)
    files = {"cpu.stat": "usage_usec %d\nuser_usec 1\nsystem_usec 1\nnr_periods 10\nnr_throttled 2\nthrottled_usec 5\n" % (i * 1000),
             "cpu.max": "30000 100000\n", "memory.current": "4096\n", "memory.max": "max\n",
             "pids.current": "3\n", "io.stat": "8:0 rbytes=1 wbytes=2 rios=1 wios=1 dbytes=0 dios=0\n"}
    for f, v in files.items():
        open(os.path.join(d, f), "w").write(v)
EOF
find "$tree" -name '*.scope' -type d | while read -r d; do
	printf '%s\n' "$d/cpu.stat" "$d/cpu.max" "$d/memory.current" "$d/memory.max" "$d/pids.current" "$d/io.stat"
done > "$tree/files.txt"
now() { date +%s.%N; }
t0=$(now)
for _ in $(seq "$REPS"); do
	"$BIN" ps --cgroup-root "$tree" --proc-root "$tree" --host-root "$tree/none" --interval 0 --format json > "$tree/out.json" 2>/dev/null
done
t1=$(now)
for _ in $(seq "$REPS"); do
	xargs -a "$tree/files.txt" cat > /dev/null
done
t2=$(now)
cc -O2 -o "$tree/readfloor" bench/telemetry/readfloor.c || exit 1
read -r floor_ms floor_files _floor_bytes floor_failed < <("$tree/readfloor" "$REPS" <"$tree/files.txt")
[ "$floor_failed" = 0 ] || { echo "readfloor: $floor_failed files unreadable"; exit 1; }
found=$(grep -c '"type":"container"' "$tree/out.json")
calc() { python3 -c "print($1)"; }
hh_ms=$(calc "($t1 - $t0) * 1000 / $REPS")
cat_ms=$(calc "($t2 - $t1) * 1000 / $REPS")
ratio=$(calc "$hh_ms / $cat_ms")
{
	echo "# Telemetry sweep over $N synthetic cgroup v2 containers"
	echo
	echo "Measured $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), mean of $REPS runs."
	echo
	echo "| tool | what | ms per sweep | ratio to hashhound |"
	echo "|---|---|---|---|"
	printf '| hashhound ps --interval 0 | walk, identity (no runtime state), 6 counter files each, JSON out; whole process | %.1f | 1.00 |\n' "$hh_ms"
	printf '| floor: open/read/close in one process (readfloor.c) | the same %s files, timed inside: no start-up, no walk, no parsing | %.1f | %.2f |\n' "$floor_files" "$floor_ms" "$(calc "$floor_ms / $hh_ms")"
	printf '| xargs cat | the same 6 files per container, no walk, no parsing, cat processes included | %.1f | %.2f |\n' "$cat_ms" "$(calc "$cat_ms / $hh_ms")"
	echo "| systemd-cgtop | n/a: reads only the live /sys/fs/cgroup | n/a | n/a |"
	echo
	echo "Containers found by hashhound: $found of $N. hashhound / floor = $(calc "round($hh_ms / $floor_ms, 2)"); hashhound / cat = $(printf '%.2f' "$ratio")."
} > bench/results-telemetry.md
cat bench/results-telemetry.md
