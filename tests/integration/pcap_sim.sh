#!/usr/bin/env bash
# Captures of our own: hh-poolsim and hh-minersim talk over loopback while
# tcpdump records them; hashhound pcap must find every session with its dialect
# (compact and spaced JSON, lines split across segments, segments reordered,
# every link-layer encapsulation we decode), and the TLS session by flow
# behavior alone.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd tcpdump python3
MINER=$HH_BUILD/hh-minersim
POOL=$HH_BUILD/hh-poolsim
[ -x "$MINER" ] && [ -x "$POOL" ] || skip "simulator not built ($MINER, $POOL): make SAN=1 tools"
REWRITE=$(dirname "$0")/pcap_rewrite.py
out=$(mktemp -d /tmp/hh-net-sim.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT

# capture NAME MINER-ARGS...: runs a pool and a miner, records the traffic in $out/NAME.pcap
capture() {
	local name=$1; shift
	local pool_args=(--listen 127.0.0.1:0 --max-seconds 60 --job-interval 1)
	[[ " $* " == *" --tls "* ]] && pool_args+=(--tls)
	"$POOL" "${pool_args[@]}" >"$out/$name.pool" 2>&1 &
	local pool_pid=$!
	pids+=("$pool_pid")
	wait_for "grep -q 'listening on' $out/$name.pool" 10 || fail "$name: pool did not start"
	local port
	port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$out/$name.pool" | head -1 | sed 's/.*://')
	tcpdump -i lo -U -s 0 -w "$out/$name.pcap" "tcp port $port" 2>"$out/$name.tcpdump" &
	local td=$!
	pids+=("$td")
	wait_for "grep -q listening $out/$name.tcpdump" 10 || fail "$name: tcpdump did not start"
	"$MINER" --pool "127.0.0.1:$port" --duty 5 --quiet "$@" || fail "$name: miner failed"
	sleep 1
	kill "$td" "$pool_pid" 2>/dev/null
	wait "$td" "$pool_pid" 2>/dev/null
	[ -s "$out/$name.pcap" ] || fail "$name: nothing captured"
}

# detect FILE RULE DIALECT [CONFIG]: hashhound pcap finds RULE with DIALECT
detect() {
	local file=$1 rule=$2 dialect=$3 cfg=${4:-}
	local args=(pcap -f json --fail-on critical)
	[ -n "$cfg" ] && args+=(-c "$cfg")
	"$HH_BIN" "${args[@]}" "$file" >"$file.json" 2>"$file.err"
	local rc=$?
	[ $rc -le 1 ] || { cat "$file.err"; fail "$(basename "$file"): exit $rc"; }
	python3 - "$file.json" "$rule" "$dialect" <<'PY' || { cat "$file.json" "$file.err"; fail "$(basename "$file"): no $rule ($dialect)"; }
import json, sys
path, rule, dialect = sys.argv[1:4]
for line in open(path):
    f = json.loads(line)
    if f["rule"] == rule and f["fields"].get("net.dialect") == dialect and f["fields"].get("fd.sip") == "127.0.0.1":
        sys.exit(0)
sys.exit(1)
PY
	ok "$(basename "$file"): $rule ($dialect)"
}

capture cn-compact --dialect cryptonote --json compact --duration 4
detect "$out/cn-compact.pcap" net.stratum.cryptonote cryptonote

capture stratum-spaced-split --dialect stratum --json spaced --split --duration 4
detect "$out/stratum-spaced-split.pcap" net.stratum.v1 stratum-v1

capture ethproxy-split --dialect ethproxy --json spaced --split --duration 4
detect "$out/ethproxy-split.pcap" net.ethproxy ethproxy

# Lines split across segments that arrive out of order.
swaps=$(python3 "$REWRITE" "$out/stratum-spaced-split.pcap" "$out/reordered.pcap" reorder) || fail "rewrite reorder"
[ "$(echo "$swaps" | awk '{print $2}')" -gt 0 ] || fail "reorder: nothing swapped ($swaps)"
detect "$out/reordered.pcap" net.stratum.v1 stratum-v1

# Every link-layer encapsulation the decoder reads.
for mode in sll sll2 raw null loop vlan qinq; do
	python3 "$REWRITE" "$out/cn-compact.pcap" "$out/cn-$mode.pcap" "$mode" || fail "rewrite $mode"
	detect "$out/cn-$mode.pcap" net.stratum.cryptonote cryptonote
done

# A capture cut short: an error naming the file and offset, and what was read is reported.
size=$(stat -c %s "$out/cn-compact.pcap")
python3 "$REWRITE" "$out/cn-compact.pcap" "$out/cut.pcap" "trunc:$((size - 7))"
"$HH_BIN" pcap -f json "$out/cut.pcap" >"$out/cut.json" 2>"$out/cut.err"
rc=$?
grep -q "cut.pcap: packet [0-9]* at offset [0-9]*" "$out/cut.err" || { cat "$out/cut.err"; fail "truncated capture: no file/offset in the error"; }
[ $rc = 1 ] || fail "truncated capture: exit $rc (want 1: findings reported)"
json_lines_have "$out/cut.json" net.stratum.cryptonote || fail "truncated capture: session not reported"
ok "truncated capture: error with offset, session still reported"

# Snapshot length cut every packet: no crash, a clear count, no false session.
python3 "$REWRITE" "$out/cn-compact.pcap" "$out/snap.pcap" snap:60
"$HH_BIN" pcap -f json --stats "$out/snap.pcap" >"$out/snap.json" 2>"$out/snap.err" || [ $? = 1 ] || fail "snaplen capture failed"
grep -q "snaplen-cut" "$out/snap.err" || fail "snaplen capture: no stats"
ok "snaplen-cut capture handled"

# TLS: the payload is encrypted, so only the flow's behavior can tell.
cat >"$out/tls.yaml" <<'YAML'
network:
  tls_behavior:
    min_duration_s: 10
YAML
capture tls --dialect cryptonote --tls --duration 16
detect "$out/tls.pcap" net.tls-mining-behavior "tls (behavior)" "$out/tls.yaml"
grep -q '"rule":"net.stratum' "$out/tls.pcap.json" && fail "TLS session parsed as plaintext?"
grep -q '"what":"push period median_s"' "$out/tls.pcap.json" || fail "TLS finding lacks the period evidence"
ok "TLS session found by behavior alone, with its evidence"
echo "PASS: simulator captures"
