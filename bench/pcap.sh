#!/usr/bin/env bash
# bench/pcap.sh: one large capture (>= 1 GB: real mining sessions from the
# fixtures and the simulator, each repeated with its own addresses, among
# benign traffic), read in one run by hashhound pcap, ndpiReader (nDPI) and
# tshark (Wireshark, with a Stratum string filter: what byte-pattern IDS rules
# do). Packets per second and which mining sessions each finds, side by side:
# bench/results-pcap.md. Needs tcpdump, editcap, ndpiReader, tshark, python3.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/out/pcap
FIX=${HH_FIXTURES:-$ROOT/../shared/fixtures}/pcap
HH=$ROOT/build/hashhound
MINER=$ROOT/build/hh-minersim
POOL=$ROOT/build/hh-poolsim
RESULTS=$ROOT/bench/results-pcap.md
for c in tcpdump editcap ndpiReader tshark python3; do
	command -v $c >/dev/null || { echo "bench pcap: needs $c (scripts/deps.sh)"; exit 1; }
done
[ -x "$HH" ] && [ -x "$MINER" ] || { echo "bench pcap: build first (make)"; exit 1; }
mkdir -p "$OUT"
rm -f "$OUT"/*.pcap "$OUT"/*.json "$OUT"/*.csv

# 1. Simulator sessions on loopback, recorded with tcpdump (run side by side).
sim() { # NAME DURATION JOB_INTERVAL MINER-ARGS...
	local name=$1 dur=$2 job=$3; shift 3
	local pool_args=(--listen 127.0.0.1:0 --max-seconds $((dur + 20)) --job-interval "$job")
	[[ " $* " == *" --tls "* ]] && pool_args+=(--tls)
	"$POOL" "${pool_args[@]}" >"$OUT/$name.pool" 2>&1 &
	local pp=$! port="" i
	for i in $(seq 50); do
		port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$OUT/$name.pool" 2>/dev/null | sed 's/.*://')
		[ -n "$port" ] && break
		sleep 0.1
	done
	tcpdump -i lo -U -s 0 -w "$OUT/sim-$name.pcap" "tcp port $port" 2>/dev/null &
	local td=$!
	sleep 1
	"$MINER" --pool "127.0.0.1:$port" --duty 2 --quiet --duration "$dur" "$@"
	sleep 1
	kill $td $pp 2>/dev/null
	wait $td $pp 2>/dev/null
}
echo "recording simulator sessions (the TLS one runs 70 s: the behavior detector wants >= 60 s)"
sim tls 70 5 --dialect cryptonote --tls &
tlsjob=$!
sim cryptonote 8 2 --dialect cryptonote --json compact
sim stratum-split 8 2 --dialect stratum --json spaced --split
sim ethproxy-split 8 2 --dialect ethproxy --json spaced --split
wait $tlsjob

# 2. Templates: real sessions (fixtures) and ours; pcapng converted to pcap.
templates=()
add() { [ -s "$2" ] && templates+=("$1=$2"); }
if [ -d "$FIX" ]; then
	editcap -F pcap "$FIX/mining-mixed.pcapng" "$OUT/mining-mixed.pcap"
	editcap -F pcap "$FIX/benign-ssl.pcapng" "$OUT/benign-ssl.pcap"
	add stratum-v1 "$FIX/stratum-bitcoin.pcap"
	add cryptonote "$FIX/stratum-monero-xmrstak.pcap"
	add mixed "$OUT/mining-mixed.pcap"
	add ethproxy "$FIX/crypto-p2p-ethereum.pcap"
	for b in "$FIX"/benign-*.cap "$FIX"/benign-*.pcap "$OUT/benign-ssl.pcap"; do add benign "$b"; done
	add p2p "$FIX/crypto-p2p-bitcoin.pcap"
	add p2p "$FIX/crypto-p2p-monero.pcap"
else
	echo "NOTE: fixtures absent ($FIX): simulator sessions only"
fi
add sim-cryptonote "$OUT/sim-cryptonote.pcap"
add sim-stratum-split "$OUT/sim-stratum-split.pcap"
add sim-ethproxy-split "$OUT/sim-ethproxy-split.pcap"
add sim-tls "$OUT/sim-tls.pcap"
echo "building the capture"
python3 bench/pcap_gen.py "$OUT/big.pcap" "$OUT/truth.tsv" "${templates[@]}" | tee "$OUT/gen.txt"
size=$(stat -c %s "$OUT/big.pcap")
packets=$(awk '{print $1; exit}' "$OUT/gen.txt")

# 3. The three tools, one after the other on the same file (page cache warm for all).
cat "$OUT/big.pcap" >/dev/null
timeit() { # NAME CMD...: wall seconds and peak RSS into $OUT/NAME.time
	local name=$1; shift
	/usr/bin/time -f "%e %U %S %M" -o "$OUT/$name.time" "$@"
}
echo "hashhound"
timeit hashhound "$HH" pcap -f json --fail-on critical "$OUT/big.pcap" >"$OUT/hashhound.json" 2>"$OUT/hashhound.err"
echo "ndpiReader"
timeit ndpi ndpiReader -q -i "$OUT/big.pcap" -C "$OUT/ndpi.csv" >"$OUT/ndpi.out" 2>&1
echo "tshark"
# tshark has no Stratum dissector: the filter is the byte-pattern approach of IDS rules.
timeit tshark tshark -n -r "$OUT/big.pcap" -Y 'tcp.payload contains "mining.subscribe" or tcp.payload contains "mining.authorize" or tcp.payload contains "\"login\"" or tcp.payload contains "eth_submitLogin" or tcp.payload contains "getwork"' \
	-T fields -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport >"$OUT/tshark.tsv" 2>"$OUT/tshark.err"

# 4. Compare.
python3 bench/pcap_compare.py "$OUT" "$RESULTS" "$size" "$packets"
