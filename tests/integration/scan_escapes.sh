# Entry names with terminal escapes, CR and LF (issue 17) never reach stderr
# or the table raw: a layer whose flagged file and whose traversal entry are
# named with ESC [2J, CR and LF is scanned; neither output holds a control
# byte, and the escaped names are there (\x1b, \r, \n).
. "$(dirname "$0")/../lib.sh"
need_cmd python3
[ -x "$HH_BIN" ] || fail "build first: $HH_BIN missing"
out=$HH_ROOT/tests/out/scan-escapes
rm -rf "$out" && mkdir -p "$out"
python3 - "$out/evil.tar" <<'PY'
import io, sys, tarfile
script = b"#!/bin/sh\n./xmrig -o stratum+tcp://pool.supportxmr.com:3333 -u 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A\n"
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    for name, data in (("opt/\x1b[2J\x1b[1;1Hok\rFAKE\nline/run.sh", script),
                       ("../\x1b]0;title\x07\r\nhashhound 00:00:00 info: all clean", b"x")):
        i = tarfile.TarInfo(name); i.size = len(data); i.mode = 0o755
        t.addfile(i, io.BytesIO(data))
PY
"$HH_BIN" scan --format table "$out/evil.tar" >"$out/table.txt" 2>"$out/stderr.txt"
rc=$?
[ $rc -le 2 ] || fail "scan exit $rc"
for f in table.txt stderr.txt; do
	if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$out/$f"; then
		LC_ALL=C grep -n $'[\x01-\x08\x0b-\x1f\x7f]' "$out/$f" | cat -v | head -5
		fail "$f holds raw control bytes"
	fi
done
grep -qF 'opt/\x1b[2J\x1b[1;1Hok\rFAKE\nline' "$out/table.txt" ||
	{ cat "$out/table.txt"; fail "table: escaped entry name missing"; }
grep -qF '\x1b]0;title\x07\r\nhashhound 00:00:00 info: all clean' "$out/stderr.txt" ||
	{ cat "$out/stderr.txt"; fail "stderr: escaped traversal entry missing"; }
! grep -q '^hashhound 00:00:00 info: all clean' "$out/stderr.txt" || fail "a forged log line reached stderr"
ok "table and stderr escape ESC, BEL, CR and LF in entry names"
