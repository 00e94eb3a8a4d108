# Issue 17 pcap blind spots, on the captures under tests/data/pcap (written by
# make_evasion_pcaps.py): junk segments with the real sequence number and a
# wrong TCP checksum sent first must not hide a CryptoNote session; neither
# must junk dressed with an offload-looking checksum; a login sent as IPv4 or
# IPv6 fragments is reassembled and read; fragments that cannot be reassembled
# are never skipped without a word on stderr.
. "$(dirname "$0")/../lib.sh"
[ -x "$HH_BIN" ] || fail "build first: $HH_BIN missing"
d=$HH_ROOT/tests/data/pcap
out=$HH_ROOT/tests/out/pcap-evasion
rm -rf "$out" && mkdir -p "$out"
run() { # NAME: scan tests/data/pcap/NAME.pcap into $out/NAME.{json,err}, exit in $out/NAME.rc
	"$HH_BIN" pcap -f json "$d/$1.pcap" >"$out/$1.json" 2>"$out/$1.err"
	echo $? >"$out/$1.rc"
}
field() { # NAME KEY: the value of fields.KEY in the first cryptonote finding
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    f = json.loads(l)
    if f["rule"] == "net.stratum.cryptonote":
        print(f["fields"].get(sys.argv[2], "")); break' "$out/$1.json" "$2"
}
for n in csum-evasion csum-partial-junk frag-v4 frag-v6 frag-incomplete frag-overlap; do run "$n"; done

grep -q '"rule":"net.stratum.cryptonote"' "$out/csum-evasion.json" ||
	{ cat "$out/csum-evasion.err"; fail "csum-evasion: the session hidden by bad-checksum junk was not found"; }
[ "$(field csum-evasion net.agent)" = "XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0" ] ||
	fail "csum-evasion: login not read (agent '$(field csum-evasion net.agent)')"
grep -q "2 packet(s) with a wrong IPv4/TCP/UDP checksum ignored" "$out/csum-evasion.err" ||
	{ cat "$out/csum-evasion.err"; fail "csum-evasion: no warning about the dropped junk"; }
ok "csum-evasion: session found (exit $(cat "$out/csum-evasion.rc")), junk counted on stderr"

[ -n "$(field csum-partial-junk net.login)" ] ||
	{ cat "$out/csum-partial-junk.err"; fail "csum-partial-junk: junk with an offload checksum hid the login"; }
ok "csum-partial-junk: both copies judged, login $(field csum-partial-junk net.login)"

for n in frag-v4 frag-v6; do
	[ "$(field $n net.method)" = login ] && [ -n "$(field $n net.login)" ] ||
		{ cat "$out/$n.err"; fail "$n: the fragmented login was not reassembled"; }
	! grep -q "not reassembled" "$out/$n.err" || { cat "$out/$n.err"; fail "$n: complete datagram reported as skipped"; }
	ok "$n: login $(field $n net.login) read from fragments"
done
grep -q "1 fragmented IP datagram(s) not reassembled and not inspected (1 incomplete at the end" "$out/frag-incomplete.err" ||
	{ cat "$out/frag-incomplete.err"; fail "frag-incomplete: skipped datagram not reported"; }
ok "frag-incomplete: warned"
grep -q "1 with conflicting overlaps" "$out/frag-overlap.err" ||
	{ cat "$out/frag-overlap.err"; fail "frag-overlap: conflicting overlap not reported"; }
ok "frag-overlap: warned"
