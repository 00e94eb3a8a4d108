#!/usr/bin/env bash
# The runtime sensor against real podman containers: every event kind is
# triggered inside a container and must come out of `hashhound sensor` with
# that container's cgroup id and the right fields; a benign container must
# not produce sensitive-open or escape events; the proc-connector fallback
# must report a container exec; the FPU signal must separate hh-minersim
# --fpu-rounding from benign CPU workloads. Prints delivery latencies and
# the FPU counts of each workload.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd podman python3
[ -e /sys/kernel/btf/vmlinux ] || skip "no kernel BTF: the eBPF path cannot be tested here"
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/hh-ebpf-sensor.XXXXXX)
spid=""
cleanup() {
	[ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
	podman_rm hh-ebpf-trig hh-ebpf-benign hh-ebpf-fb hh-ebpf-fpu
	rm -rf "$work"
}
trap cleanup EXIT
[ -n "${HH_KEEP_WORK:-}" ] && trap - EXIT
cp "$here/sensor/triggers.py" "$here/sensor/check.py" "$work/"

start_sensor() { # OUT ERR ARGS...
	local out=$1 err=$2
	shift 2
	"$HH_BIN" sensor "$@" >"$out" 2>"$err" &
	spid=$!
	wait_for "grep -q 'sensor: source' '$err'" 30 || { cat "$err"; fail "sensor did not start"; }
}
stop_sensor() {
	kill -TERM "$spid"
	wait "$spid" || true
	spid=""
}
run_in_container() { # NAME ARGS...
	local name=$1
	shift
	"${PODMAN_RUN[@]}" --rm --name "$name" -v "$work:/hh:ro" --rootfs /:O "$@"
}
cgid_of() { stat -c %i "/sys/fs/cgroup/unified$1" 2>/dev/null || stat -c %i "/sys/fs/cgroup$1"; }

# --- eBPF: every event kind, in a container, with its cgroup id ---
start_sensor "$work/ebpf.json" "$work/ebpf.err" --containers-only
grep -q 'source ebpf' "$work/ebpf.err" || { cat "$work/ebpf.err"; fail "eBPF did not load (see above)"; }
# the cgroup exists while the container runs: take its id from inside
run_in_container hh-ebpf-trig python3 /hh/triggers.py all >"$work/trig.out" 2>&1 &
cpid=$!
wait_for "[ -s '$work/trig.out' ]" 30 || fail "trigger container did not start: $(cat "$work/trig.out")"
trig_id=$(cgid_of "$(head -1 "$work/trig.out")")
touch "$work/go-all"
wait $cpid || true
run_in_container hh-ebpf-benign python3 /hh/triggers.py benign >"$work/benign.out" 2>&1 &
bpid=$!
wait_for "[ -s '$work/benign.out' ]" 30 || fail "benign container did not start"
benign_id=$(cgid_of "$(head -1 "$work/benign.out")")
touch "$work/go-benign"
wait $bpid || true
sleep 0.5
stop_sensor
echo "trigger container cgroup id $trig_id, benign $benign_id"
grep 'sensor: source' "$work/ebpf.err" | tail -1
python3 "$work/check.py" ebpf "$work/ebpf.json" "$trig_id" "$benign_id" || fail "eBPF events (above)"
grep -q ' lost=0 ' "$work/ebpf.err" || fail "lost events: $(tail -1 "$work/ebpf.err")"
ok "eBPF: every event kind from the container with its cgroup id; benign container quiet"

# capabilities dropped after loading (hashhound sensor default)
start_sensor "$work/caps.json" "$work/caps.err"
capeff=$(awk '/^CapEff/ {print $2}' "/proc/$spid/status")
stop_sensor
# CAP_DAC_READ_SEARCH(2) CAP_SYS_PTRACE(19) CAP_PERFMON(38) CAP_BPF(39)
[ "$capeff" = "000000c000080004" ] || fail "CapEff after load is $capeff, expected 000000c000080004"
ok "capabilities after load: $capeff (dac_read_search, sys_ptrace, perfmon, bpf)"

# --- fallback: the proc connector reports a container exec with its cgroup ---
start_sensor "$work/fb.json" "$work/fb.err" --fallback --containers-only
grep -q 'source proc-connector' "$work/fb.err" || fail "fallback not active"
run_in_container hh-ebpf-fb python3 /hh/triggers.py fallback >"$work/fb.out" 2>&1 &
fpid=$!
wait_for "[ -s '$work/fb.out' ]" 30 || fail "fallback container did not start"
fb_id=$(cgid_of "$(head -1 "$work/fb.out")")
touch "$work/go-fallback"
wait $fpid || true
sleep 0.3
stop_sensor
python3 "$work/check.py" fallback "$work/fb.json" "$fb_id" || fail "fallback events (above)"
ok "fallback: container exec via the proc connector with cgroup id $fb_id"

# --- FPU rounding mode: hh-minersim --fpu-rounding vs benign workloads ---
SIM=${HH_MINERSIM:-$HH_BUILD/hh-minersim}
[ -x "$SIM" ] || SIM=$HH_ROOT/build/hh-minersim
if [ ! -x "$SIM" ]; then
	echo "SKIP-PART: hh-minersim not built; FPU part not run"
	exit 0
fi
start_sensor "$work/fpu.json" "$work/fpu.err" --fpu-interval 500 --fpu-all
"$SIM" --fpu-rounding --duration 4 --quiet --name hh-fpu-miner &
m1=$!
benign=()
command -v stress-ng >/dev/null && { stress-ng --cpu 1 --timeout 4 --quiet & benign+=($!); }
command -v xz >/dev/null && { head -c 40000000 /dev/urandom | xz -6 >/dev/null & benign+=($!); }
command -v openssl >/dev/null && { openssl speed -seconds 3 sha256 >/dev/null 2>&1 & benign+=($!); }
python3 -c 'import math,time
t=time.time(); x=0.0
while time.time()-t<4: x+=math.sin(x)+1.5' &
benign+=($!)
command -v gcc >/dev/null && { printf 'int main(void){return 0;}\n' >"$work/t.c"; for i in 1 2 3 4 5; do gcc -O2 -o "$work/t" "$work/t.c"; done & benign+=($!); }
"$SIM" --duration 4 --quiet --name hh-plain-sim &
plain=$!
benign+=($plain)
wait $m1
for p in "${benign[@]}"; do wait "$p" || true; done
sleep 0.7
stop_sensor
python3 "$work/check.py" fpu "$work/fpu.json" "$work/fpu.err" "$m1" "$plain" || fail "FPU signal (above)"
ok "FPU: non-default rounding seen for the miner only"
