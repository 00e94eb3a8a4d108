#!/usr/bin/env bash
# JA3 of every TLS ClientHello in the real-world captures equals tshark's
# (Wireshark computes tls.handshake.ja3 independently), and SNI presence agrees.
# Hellos tshark gives no JA3 for (it leaves the field empty) are not compared.
. "$(dirname "$0")/../lib.sh"
need_fixtures pcap
need_cmd tshark python3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
n=0
for f in "$HH_FIXTURES"/pcap/*; do
	"$HH_BIN" pcap -v -f json "$f" 2>&1 >/dev/null | sed -n 's/.*tls hello .* sni=\([^ ]*\) alpn=[^ ]* ja3=\([0-9a-f]*\) .*/\2 \1/p' |
		sort >"$out/hh"
	tshark -n -r "$f" -Y 'tls.handshake.type == 1' -T fields -e tls.handshake.ja3 -e tls.handshake.extensions_server_name \
		2>/dev/null | awk -F'\t' '$1 != "" {print $1, ($2 == "" ? "-" : $2)}' | sort >"$out/ts"
	[ -s "$out/ts" ] || continue
	if ! cmp -s "$out/hh" "$out/ts"; then
		diff "$out/hh" "$out/ts" | head -10
		fail "$(basename "$f"): JA3/SNI differ from tshark"
	fi
	c=$(wc -l <"$out/ts")
	n=$((n + c))
	ok "$(basename "$f"): $c ClientHellos, JA3 and SNI equal to tshark's"
done
[ $n -gt 0 ] || skip "no TLS ClientHello in the fixtures"
echo "PASS: JA3 ($n hellos)"
