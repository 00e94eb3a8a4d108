#!/usr/bin/env bash
# hashhound intel import/list/test on local files: formats, matching, errors
# naming file:line, and the merged list feeding hashhound pcap (--intel).
. "$(dirname "$0")/../lib.sh"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cat >"$out/hosts.txt" <<'T'
# a hosts file
0.0.0.0 pool.hosts.example
127.0.0.1 localhost
T
cat >"$out/adblock.txt" <<'T'
[Adblock Plus 2.0]
! comment
||coins.adblock.example^$third-party
@@||allowed.example^
T
cat >"$out/falco.yaml" <<'T'
- list: miner_domains
  items: [falco.pool.example, "quoted.pool.example"]
- list: miner_ports
  items: [3333, 45700]
- list: miner_ips
  items: ["203.0.113.0/24", "2001:db8:77::/48"]
- macro: ignored
  condition: fd.sport in (miner_ports)
T
printf 'plain.pool.example\nstratum+tcp://url.pool.example:3333\nthis is not one entry\n' >"$out/plain.txt"

"$HH_BIN" intel import --no-builtin-intel "$out/hosts.txt" "$out/adblock.txt" "$out/falco.yaml" "$out/plain.txt" \
	-o "$out/merged.txt" 2>"$out/import.err" || { cat "$out/import.err"; fail "import failed"; }
grep -q "plain.txt:3: expected one entry per line" "$out/import.err" || { cat "$out/import.err"; fail "bad line not named"; }
grep -q "^pool.hosts.example$" "$out/merged.txt" || fail "hosts entry missing"
grep -q "^localhost$" "$out/merged.txt" && fail "hosts self name imported"
grep -q "^allowed.example$" "$out/merged.txt" && fail "adblock exception imported"
ok "import: 4 formats merged, bad line named"

"$HH_BIN" intel test --no-builtin-intel --intel "$out/merged.txt" deep.falco.pool.example QUOTED.pool.example. \
	203.0.113.77 2001:db8:77::1 45700 url.pool.example coins.adblock.example >"$out/test.out" ||
	{ cat "$out/test.out"; fail "intel test: expected matches"; }
[ "$(grep -c ': match ' "$out/test.out")" = 7 ] || { cat "$out/test.out"; fail "intel test: 7 matches wanted"; }
"$HH_BIN" intel test --no-builtin-intel --intel "$out/merged.txt" falco.pool.example.evil.net notfalco.pool.example >"$out/neg.out"
[ $? = 1 ] || fail "intel test: non-matches must exit 1"
grep -q "no match" "$out/neg.out" || fail "intel test: no 'no match'"
ok "test: suffix, case, trailing dot, CIDR v4/v6, port; non-matches refused"

n=$("$HH_BIN" intel list --no-builtin-intel --intel "$out/merged.txt" --kind ip | wc -l)
[ "$n" = 2 ] || fail "list --kind ip: $n entries"
"$HH_BIN" intel list | grep -q "supportxmr.com" || fail "built-in list missing"
ok "list"

"$HH_BIN" intel import /nonexistent/list.txt >"$out/none.out" 2>"$out/none.err"
[ $? = 2 ] || fail "missing file: exit 2 wanted"
[ -s "$out/none.out" ] && fail "missing file: nothing should be written"
grep -q "/nonexistent/list.txt" "$out/none.err" || fail "missing file not named"
printf -- '- list: miner_domains\n  items: [a.example.com\n' >"$out/broken.yaml"
"$HH_BIN" intel test --intel "$out/broken.yaml" x.example 2>"$out/broken.err"
[ $? = 2 ] && grep -q "broken.yaml:" "$out/broken.err" || { cat "$out/broken.err"; fail "broken YAML not named"; }
ok "errors name the file"
echo "PASS: intel CLI"
