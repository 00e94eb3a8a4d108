#!/usr/bin/env bash
# Overhead of the agent's network layer (eBPF socket capture into the network
# detectors, docs/network.md "In the agent") on a loopback TCP bulk transfer:
# iperf3 throughput with no agent, with the agent and its network layer off
# (agent.network.enabled: false), with it on (the default), and, for the
# capture path not taken, libpcap live capture of the same loopback
# (`hashhound pcap --live lo`, the engine the agent would run per network
# namespace), side by side in one run, interleaved over rounds (median per
# configuration; the order is shuffled each round, since other work on a
# shared machine moves single runs by tens of percent). Because of that noise
# it also reports the paired ratio within each round, and the eBPF programs'
# own run time as a share of the CPU time the transfer used (iperf3's
# cpu_utilization_percent), which is what the capture takes from the data path. Also: the
# agent's CPU during each transfer, the eBPF programs' run time per packet
# (kernel.bpf_stats_enabled), and what the capture recorded and lost.
# Writes bench/results-netagent.md. Needs root and iperf3.
set -u
cd "$(dirname "$0")/.."
ROUNDS=${HH_BENCH_ROUNDS:-8}
SECS=${HH_BENCH_SECS:-4}
HH=${HH_BIN:-build/hashhound}
out=bench/out/netagent
mkdir -p "$out"
res=bench/results-netagent.md
[ "$(id -u)" = 0 ] || { echo "bench netagent: needs root"; exit 1; }
[ -x "$HH" ] || { echo "bench netagent: build $HH first (make)"; exit 1; }
command -v iperf3 >/dev/null || { echo "bench netagent: needs iperf3 (scripts/deps.sh)"; exit 1; }
port=$((20000 + RANDOM % 20000))
printf 'agent:\n  network:\n    enabled: false\n' >"$out/net-off.yaml"
printf 'agent:\n  network:\n    enabled: true\n' >"$out/net-on.yaml"
bpf_stats_before=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo 0)
sysctl -qw kernel.bpf_stats_enabled=1 2>/dev/null
srv="" agent=""
cleanup() {
	sysctl -qw kernel.bpf_stats_enabled="$bpf_stats_before" 2>/dev/null
	[ -n "$agent" ] && kill "$agent" 2>/dev/null
	[ -n "$srv" ] && kill "$srv" 2>/dev/null
	wait 2>/dev/null
}
trap cleanup EXIT
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f", ($14 + $15) / hz}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# run time and count of this agent's nc_* programs (bpftool prog show, stats on)
bpf_cost() {
	bpftool prog show -j 2>/dev/null | python3 -c '
import json, sys
ns = cnt = 0
for p in json.load(sys.stdin):
    if p.get("name") in ("nc_egress", "nc_ingress"):
        ns += p.get("run_time_ns", 0); cnt += p.get("run_cnt", 0)
print(ns, cnt)'
}

# HH_BENCH_REPORT_ONLY=1: rewrite the report from the last run's numbers.
if [ -n "${HH_BENCH_REPORT_ONLY:-}" ]; then
	. "$out/raw.sh"
else
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
iperf3 -s -B 127.0.0.1 -p "$port" >"$out/iperf3-server.log" 2>&1 &
srv=$!
sleep 1
declare -A bps cpu tcpu
for cfg in none off on pcap; do bps[$cfg]=""; cpu[$cfg]=""; tcpu[$cfg]=""; done
bpf_ns=0 bpf_cnt=0
for r in $(seq "$ROUNDS"); do
	for cfg in $(printf '%s\n' none off on pcap | shuf); do
		agent=""
		if [ "$cfg" = pcap ]; then
			"$HH" pcap -f json --stats --live lo --duration $((SECS + 30)) >"$out/pcap.json" 2>"$out/pcap.err" &
			agent=$!
			sleep 2
			c0=$(cpu_of "$agent")
		elif [ "$cfg" != none ]; then
			"$HH" agent -c "$out/net-$cfg.yaml" -f json --interval 2 --findings-file '' --store '' --listen '' \
				>"$out/agent-$cfg.json" 2>"$out/agent-$cfg.err" &
			agent=$!
			for _ in $(seq 100); do grep -q 'network:' "$out/agent-$cfg.err" 2>/dev/null && break; sleep 0.1; done
			sleep 1
			c0=$(cpu_of "$agent")
			[ "$cfg" = on ] && read -r ns0 cnt0 < <(bpf_cost)
		fi
		iperf3 -c 127.0.0.1 -p "$port" -t "$SECS" -J >"$out/iperf3-$cfg-$r.json" 2>&1
		v=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"])' \
			"$out/iperf3-$cfg-$r.json" 2>/dev/null || echo 0)
		bps[$cfg]+="$v "
		# CPU the transfer used: both ends' host_total percent of one CPU, times seconds
		tcpu[$cfg]+="$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["end"]["cpu_utilization_percent"]; print(c["host_total"] + c["remote_total"])' \
			"$out/iperf3-$cfg-$r.json" 2>/dev/null || echo 0) "
		if [ -n "$agent" ]; then
			c1=$(cpu_of "$agent")
			cpu[$cfg]+="$(awk -v a="$c0" -v b="$c1" -v s="$SECS" 'BEGIN{printf "%.4f", (b-a)/s}') "
			if [ "$cfg" = on ]; then
				read -r ns1 cnt1 < <(bpf_cost)
				bpf_ns=$((bpf_ns + ns1 - ns0)); bpf_cnt=$((bpf_cnt + cnt1 - cnt0))
			fi
			kill -INT "$agent"; wait "$agent" 2>/dev/null; agent=""
		fi
		echo "round $r $cfg: $(awk -v v="$v" 'BEGIN{printf "%.2f Gbit/s", v/1e9}')"
	done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
declare -p bps cpu tcpu bpf_ns bpf_cnt ROUNDS SECS load_before load_after >"$out/raw.sh"
cp "$out/agent-on.err" "$out/agent-on-last.err"
fi
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END{if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
m_none=$(echo "${bps[none]}" | median); m_off=$(echo "${bps[off]}" | median); m_on=$(echo "${bps[on]}" | median)
m_pcap=$(echo "${bps[pcap]}" | median)
t_on=$(echo "${tcpu[on]}" | median)
c_off=$(echo "${cpu[off]}" | median); c_on=$(echo "${cpu[on]}" | median); c_pcap=$(echo "${cpu[pcap]}" | median)
stats=$(grep -o 'network: .*' "$out/agent-on-last.err" | tail -1)
kernel=$(uname -r); cpus=$(nproc)
python3 - "$m_none" "$m_off" "$m_on" "$c_off" "$c_on" "$bpf_ns" "$bpf_cnt" "$ROUNDS" "$SECS" "$kernel" "$cpus" \
	"${bps[none]}" "${bps[off]}" "${bps[on]}" "$stats" "$m_pcap" "$c_pcap" "${bps[pcap]}" "$t_on" "$load_before" "$load_after" >"$res" <<'PY'
import sys
(m_none, m_off, m_on, c_off, c_on, ns, cnt) = map(float, sys.argv[1:8])
rounds, secs, kernel, cpus = sys.argv[8], sys.argv[9], sys.argv[10], sys.argv[11]
raw = sys.argv[12:15] + [sys.argv[18]]
stats = sys.argv[15]
m_pcap, c_pcap = float(sys.argv[16]), float(sys.argv[17])
t_on = float(sys.argv[19])
load_before, load_after = sys.argv[20], sys.argv[21]
# the same index is the same round: paired ratios
per = [[float(x) for x in r.split()] for r in raw]  # none, off, on, pcap
def paired(a, b):
    rs = sorted(x / y for x, y in zip(per[a], per[b]) if y > 0)
    if not rs:
        return 0.0, ""
    n = len(rs)
    med = rs[n // 2] if n % 2 else (rs[n // 2 - 1] + rs[n // 2]) / 2
    return med, " ".join("%.2f" % (x / y) for x, y in zip(per[a], per[b]) if y > 0)
r_onoff, ratios_onoff = paired(2, 1)
r_on, ratios = paired(2, 0)
r_off, _ = paired(1, 0)
g = lambda v: "%.2f" % (v / 1e9)
loss = lambda v: "%+.1f %%" % ((v / m_none - 1) * 100) if m_none else "-"
print("# Agent network layer: loopback TCP bulk transfer\n")
print("`bench/netagent.sh`: iperf3 on 127.0.0.1 (one stream, %s s a run), %s rounds interleaved: no agent, the agent" % (secs, rounds))
print("with its network layer off (`agent.network.enabled: false`), and with it on (the default: cgroup_skb")
print("capture on the cgroup v2 root, the first 4 KiB each way of every connection, then headers at most 32 a")
print("second per connection), and libpcap on `lo` for comparison. Median of the rounds. Kernel %s, %s CPUs" % (kernel, cpus))
print("shared with other sessions' builds and tests (load average %s at the start, %s at the end), so" % (load_before, load_after))
print("single runs vary by a factor of two or more: read the paired ratios and the eBPF cost below, not")
print("one row against another.\n")
print("| configuration | throughput (Gbit/s) | vs no agent | agent CPU during the transfer |")
print("|---|---|---|---|")
print("| no agent | %s | - | - |" % g(m_none))
print("| agent, network layer off | %s | %s | %.1f %% of a CPU |" % (g(m_off), loss(m_off), c_off * 100))
print("| agent, network layer on | %s | %s | %.1f %% of a CPU |" % (g(m_on), loss(m_on), c_on * 100))
print("| libpcap instead: `hashhound pcap --live lo` | %s | %s | %.1f %% of a CPU |" % (g(m_pcap), loss(m_pcap), c_pcap * 100))
print()
print("Paired within each round: network on / network off (the network layer's own effect) median %.3f" % r_onoff)
print("(rounds: %s); network on / no agent median %.3f (rounds: %s); network off / no agent median %.3f." % (ratios_onoff, r_on, ratios, r_off))
print()
if cnt:
    share = (ns / 1e9) / (t_on / 100 * int(secs) * int(rounds)) * 100 if t_on else 0
    print("eBPF cost (kernel.bpf_stats_enabled, network layer on, all rounds): %d program runs (egress + ingress," % cnt)
    print("pure ACKs included), %.0f ns per run on average (steal time of this overloaded VM included), %.2f s" % (ns / cnt, ns / 1e9))
    print("of run time over %d s of transfer: %.2f %% of one CPU. iperf3 reports its two processes used %.0f %%" % (int(rounds) * int(secs), ns / 1e9 / (int(rounds) * int(secs)) * 100, t_on))
    print("of a CPU between them (softirq time not included), against which the programs' time is %.1f %%." % share)
    print()
print("Per round (Gbit/s): no agent %s; network off %s; network on %s; libpcap %s." % tuple(
    " ".join(g(float(x)) for x in r.split()) for r in raw))
print()
print("Last agent's capture counters: `%s`." % stats)
PY
cat "$res"
