#!/usr/bin/env bash
# Live capture on loopback: hashhound pcap --live lo sees a miner on the host
# and one in a real podman container (host network), reports each session
# while it runs, and names the process (pid, name) and the container.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd python3
MINER=$HH_BUILD/hh-minersim
POOL=$HH_BUILD/hh-poolsim
[ -x "$MINER" ] && [ -x "$POOL" ] || skip "simulator not built ($MINER, $POOL): make SAN=1 tools"
out=$(mktemp -d /tmp/hh-net-live.XXXXXX)
ctr=hh-net-live-$$
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	podman rm -f "$ctr" >/dev/null 2>&1
	wait 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT

"$POOL" --listen 127.0.0.1:0 --max-seconds 60 --job-interval 1 >"$out/pool" 2>&1 &
pids+=($!)
wait_for "grep -q 'listening on' $out/pool" 10 || fail "pool did not start"
port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$out/pool" | head -1 | sed 's/.*://')

with_podman=0
command -v podman >/dev/null && with_podman=1
"$HH_BIN" pcap -f json --stats --live lo --filter "tcp port $port" --duration $((with_podman ? 30 : 12)) \
	>"$out/live.json" 2>"$out/live.err" &
hh=$!
pids+=("$hh")
sleep 2
"$MINER" --pool "127.0.0.1:$port" --dialect stratum --duration 5 --duty 5 --quiet --name hh-net-hostmnr &
host_miner=$!
pids+=("$host_miner")
if [ $with_podman = 1 ]; then
	"${PODMAN_RUN[@]}" --rm --name "$ctr" --rootfs /:O "$MINER" --pool "127.0.0.1:$port" --dialect cryptonote \
		--duration 8 --duty 5 --quiet --name hh-net-ctminer >"$out/podman" 2>&1 ||
		{ cat "$out/podman"; fail "podman run failed"; }
fi
wait "$host_miner"
wait "$hh"
rc=$?
[ $rc -le 1 ] || { cat "$out/live.err"; fail "hashhound pcap --live exit $rc"; }
cat "$out/live.err"

python3 - "$out/live.json" "$host_miner" <<'PY' || { cat "$out/live.json"; fail "host miner not attributed"; }
import json, sys
path, pid = sys.argv[1], int(sys.argv[2])
for line in open(path):
    f = json.loads(line)
    fl = f["fields"]
    if f["rule"] == "net.stratum.v1" and f["source"] == "agent" and fl.get("proc.pid") == pid \
            and fl.get("proc.name") == "hh-net-hostmnr" and not fl.get("container.id"):
        sys.exit(0)
sys.exit(1)
PY
ok "host miner: net.stratum.v1 with its pid and name"

if [ $with_podman = 1 ]; then
	python3 - "$out/live.json" <<'PY' || { cat "$out/live.json"; fail "container miner not attributed"; }
import json, sys
for line in open(sys.argv[1]):
    f = json.loads(line)
    fl = f["fields"]
    if f["rule"] == "net.stratum.cryptonote" and fl.get("proc.name") == "hh-net-ctminer" \
            and len(fl.get("container.id", "")) == 64:
        print("container", fl["container.id"][:12], fl.get("container.name", ""))
        sys.exit(0)
sys.exit(1)
PY
	ok "container miner: net.stratum.cryptonote with its container id"
else
	partial "podman absent: container attribution not checked"
fi
echo "PASS: live capture"
