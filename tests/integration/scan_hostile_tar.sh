# `hashhound scan` on every tar flavour under tests/data/tar (issue 17): the pax
# crash input and its neighbours end with a clear input error naming the file
# and the offset (exit 2), never a signal; well-formed flavours (pax, GNU long
# names, GNU and pax sparse) scan without input errors.
. "$(dirname "$0")/../lib.sh"
[ -x "$HH_BIN" ] || fail "build first: $HH_BIN missing"
out=$HH_ROOT/tests/out/scan-hostile-tar
rm -rf "$out" && mkdir -p "$out"
d=$HH_ROOT/tests/data/tar
"$HH_BIN" scan --format json "$d/pax-short-record.tar" >"$out/crash.json" 2>"$out/crash.err"
rc=$?
[ $rc -eq 2 ] || { cat "$out/crash.err"; fail "pax crash input: exit $rc, want 2 (input error)"; }
grep -q "pax-short-record.tar: archive: malformed pax record at offset 512" "$out/crash.err" ||
	{ cat "$out/crash.err"; fail "pax crash input: no error naming the file and offset"; }
ok "pax crash input: exit 2, $(grep -o 'malformed pax record at offset [0-9]*' "$out/crash.err")"
for t in "$d"/*.tar; do
	n=$(basename "$t")
	"$HH_BIN" scan --format json "$t" >"$out/$n.json" 2>"$out/$n.err"
	rc=$?
	[ $rc -le 2 ] || { tail -20 "$out/$n.err"; fail "$n: exit $rc (crash?)"; }
	case $n in
	pax-len-3.tar | pax-long.tar | gnu-longname.tar | gnu-sparse.tar | pax-sparse.tar)
		grep -q "input error" "$out/$n.err" && ! grep -q " 0 input error" "$out/$n.err" &&
			{ cat "$out/$n.err"; fail "$n: well-formed tar gave input errors"; } ;;
	*)
		grep -q "$n: archive: malformed pax record at offset" "$out/$n.err" ||
			{ cat "$out/$n.err"; fail "$n: no malformed-pax error"; } ;;
	esac
	ok "$n: exit $rc"
done
