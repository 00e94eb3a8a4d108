#!/usr/bin/env bash
# bench/agent.sh: the node agent's cost (issue 2, "Done means"), release build.
#  1. One sweep over 1,000 synthetic containers: a cgroup v2 + procfs +
#     podman runtime-state tree generated in bench/out/agent-tree
#     (bench/agent_tree.py), read with --proc-root/--cgroup-root/--host-root.
#     Cold (first sweep: identities, every process new) and warm sweeps.
#  2. The agent watching 20 real idle podman containers for 60 s at its
#     default 2 s interval: CPU share and peak RSS (wait4 rusage). Reference,
#     same containers, same cadence: one long-running `podman stats
#     --interval 2` stream (no cAdvisor or other container monitor is in
#     Debian 12), not a process per poll.
# With and without the eBPF sensor (the sensor sees the whole node's syscalls).
# Writes bench/results-agent.md. Containers are named hh-agent-bench-* and removed.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${HH_BENCH_BIN:-$ROOT/build/hashhound}
OUT=$ROOT/bench/out
RES=$ROOT/bench/results-agent.md
N=${HH_BENCH_CONTAINERS:-1000}
REAL=${HH_BENCH_REAL:-20}
WATCH_S=${HH_BENCH_WATCH_S:-60}
mkdir -p "$OUT"
[ -x "$BIN" ] || { echo "bench agent: $BIN not built (make)"; exit 2; }

tree=$OUT/agent-tree
rm -rf "$tree"
# Distinct binaries: the cold figure hashes $N different exes, not one exe N times.
python3 bench/agent_tree.py "$tree" "$N" --distinct-exes >/dev/null || { echo "bench agent: tree generation failed"; exit 2; }
roots=(--proc-root "$tree/proc" --cgroup-root "$tree/cgroup" --host-root "$tree/host")
quiet=(--findings-file '' --store '' --listen '' -q --stats)

# Stats line -> "first later sweeps containers".
parse_stats() { sed -n 's/.*sweeps \([0-9]*\), first sweep \([0-9.]*\) ms, later sweeps mean \([0-9.]*\) ms, containers \([0-9]*\).*/\2 \3 \1 \4/p'; }
once=()
for i in 1 2 3; do
	s=$("$BIN" agent --once "${roots[@]}" "${quiet[@]}" 2>&1 >/dev/null | parse_stats)
	once+=("$(echo "$s" | cut -d' ' -f1)")
	found=$(echo "$s" | cut -d' ' -f4)
done
warm=$("$BIN" agent --interval 0.5 --duration 10 "${roots[@]}" "${quiet[@]}" 2>&1 >/dev/null | parse_stats)
cold_med=$(printf '%s\n' "${once[@]}" | sort -n | sed -n 2p)
warm_ms=$(echo "$warm" | cut -d' ' -f2)
warm_n=$(echo "$warm" | cut -d' ' -f3)
echo "synthetic: $found containers; cold sweep ${cold_med} ms (median of 3), warm ${warm_ms} ms (mean of $((warm_n - 1)))"

# Real containers: the agent against one `podman stats --interval 2` stream.
tag=hh-agent-bench-$$
cleanup() { podman ps -a --format '{{.Names}}' | grep "^$tag-" | xargs -r podman rm -f -t 0 >/dev/null 2>&1; }
trap cleanup EXIT
image=$(MS_BIN_DIR=$ROOT/build sh tools/minersim/build-image.sh localhost/hh-minersim:latest 2>/dev/null) ||
	{ echo "bench agent: no scratch image (make tools)"; exit 2; }
names=()
for i in $(seq 1 "$REAL"); do
	podman run --runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --network host -d \
		--name "$tag-$i" "$image" /bin/sleep 900 >/dev/null || { echo "bench agent: podman run failed"; exit 2; }
	names+=("$tag-$i")
done
echo "started ${#names[@]} idle containers"
real=$(python3 - "$BIN" "$WATCH_S" "${names[@]}" <<'PY'
import os, subprocess, sys, time
binp, watch, names = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
def run(argv):
    t = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read().decode()
    _, status, ru = os.wait4(p.pid, 0)
    return time.monotonic() - t, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, err
base = [binp, "agent", "--interval", "2", "--duration", str(watch), "--findings-file", "", "--store", "",
        "--listen", "", "-q", "--stats"]
wall, cpu, rss, err = run(base)
followed = [l for l in err.splitlines() if l.startswith("agent stats")]
nwall, ncpu, nrss, _e = run(base + ["--no-sensor"])
# The reference: one long-running `podman stats --interval 2` stream over the
# same containers for the same time (not a process per poll: that would
# count podman's start-up every 2 s against it).
import signal
t = time.monotonic()
p = subprocess.Popen(["podman", "stats", "--interval", "2", "--format", "json"] + names,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(watch)
p.send_signal(signal.SIGINT)
for _ in range(100):
    pid, _status, ru = os.wait4(p.pid, os.WNOHANG)
    if pid:
        break
    time.sleep(0.1)
else:
    p.kill()
    _, _status, ru = os.wait4(p.pid, 0)
pwall = time.monotonic() - t
pcpu, prss = ru.ru_utime + ru.ru_stime, ru.ru_maxrss
ref_share = pcpu / pwall
print(f"{wall:.1f} {cpu:.3f} {rss} {pcpu:.3f} {pwall:.1f} {prss} {ref_share:.5f} {nwall:.1f} {ncpu:.3f} {nrss}")
print(followed[0] if followed else "agent stats: none", file=sys.stderr)
PY
)
read -r a_wall a_cpu a_rss p_cpu p_wall p_rss p_share n_wall n_cpu n_rss <<<"$real"
a_share=$(python3 -c "print(f'{$a_cpu / $a_wall:.5f}')")
n_share=$(python3 -c "print(f'{$n_cpu / $n_wall:.5f}')")
nratio=$(python3 -c "print(f'{$p_share / max($n_share, 1e-9):.1f}')")
ratio=$(python3 -c "print(f'{$p_share / max($a_share, 1e-9):.1f}')")
echo "agent: ${a_cpu} s CPU over ${a_wall} s = ${a_share} of one CPU, peak RSS ${a_rss} KiB"
echo "agent --no-sensor: ${n_cpu} s CPU over ${n_wall} s = ${n_share} of one CPU, peak RSS ${n_rss} KiB"
echo "podman stats --interval 2 (one stream): ${p_cpu} s CPU over ${p_wall} s = ${p_share} of one CPU, peak RSS ${p_rss} KiB"

per_ctr=$(python3 -c "print(f'{$warm_ms / $found:.3f}')")
per_ctr_cold=$(python3 -c "print(f'{$cold_med / $found:.3f}')")
cat >"$RES" <<MD
# Agent cost (bench/agent.sh)

Measured on this machine ($(nproc) CPUs, shared with other work; $(date -u +%Y-%m-%d)), release build
\`build/hashhound\`, one run of \`bench/agent.sh\`.

## One sweep over $found synthetic containers

cgroup v2 tree + procfs (one process per container) + podman runtime state, generated by
\`bench/agent_tree.py\` in bench/out/agent-tree; \`hashhound agent --once --proc-root ... --cgroup-root ...
--host-root ...\`. A sweep = discovery, telemetry of every container, behavior detectors, the process
inventory (new processes read in full, known ones one readlink), process indicators, rules, correlation.

| sweep | ms per sweep | ms per container |
|---|---:|---:|
| cold (first: identities resolved, every process new, $found distinct exes hashed; median of 3 runs) | $cold_med | $per_ctr_cold |
| warm (mean of $((warm_n - 1)) later sweeps, 0.5 s interval) | $warm_ms | $per_ctr |

## Watching $REAL real idle containers for ${WATCH_S} s

Same $REAL podman containers (busybox sleep), same 2 s cadence. The reference is what an SRE would
run without an agent: one long-running \`podman stats --interval 2\` stream over the same containers
for the same ${WATCH_S} s (cAdvisor and other container monitors are not in Debian 12); its CPU is
measured with wait4 over the whole stream, so podman's start-up counts once, as the agent's does.

| | CPU share (of one CPU) | peak RSS | notes |
|---|---:|---:|---|
| hashhound agent (interval 2 s, eBPF sensor on) | $a_share | $((a_rss / 1024)) MiB | ${a_cpu} s CPU in ${a_wall} s; the sensor sees every exec/connect/open on the node, also outside the 20 |
| hashhound agent --no-sensor (sweeps only) | $n_share | $((n_rss / 1024)) MiB | ${n_cpu} s CPU in ${n_wall} s |
| podman stats --interval 2 (one stream) | $p_share | $((p_rss / 1024)) MiB | ${p_cpu} s CPU in ${p_wall} s |
| ratio podman stats / agent (sensor on) | ${ratio}x | | |
| ratio podman stats / agent --no-sensor | ${nratio}x | | |

The agent's work in both rows includes detection (telemetry, behavior, the process inventory
with exe hashing and traits, rules, correlation); \`podman stats\` only reads counters.

Numbers move with the machine's load (other helpers' builds and containers ran at the same time);
compare ratios within one run.
MD
echo "wrote $RES"
