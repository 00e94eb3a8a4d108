#!/bin/sh
# Regenerates the tar flavours kept here (and copied into fuzz/corpus/scan_layer):
# pax (long path, big ids), GNU long names (L and K), old GNU sparse with an
# extension block (more than 4 data chunks), pax sparse 1.0, and neighbours of
# the issue 17 pax crash. Needs python3 and GNU tar. Run from this directory.
set -e
python3 make_pax_crash.py pax-short-record.tar
python3 - <<'PY'
import io, tarfile
def add(t, name, data=b"x\n", **kw):
    i = tarfile.TarInfo(name); i.size = len(data)
    for k, v in kw.items(): setattr(i, k, v)
    t.addfile(i, io.BytesIO(data))
long = "deep/" + "d" * 120 + "/" + "n" * 120 + "/xmrig.conf"
with tarfile.open("pax-long.tar", "w", format=tarfile.PAX_FORMAT) as t:
    add(t, long, b'{"url":"stratum+tcp://pool.example:3333"}\n', uid=3000000, pax_headers={"comment": "c" * 40})
    add(t, "plain.txt")
with tarfile.open("gnu-longname.tar", "w", format=tarfile.GNU_FORMAT) as t:
    add(t, long, b"gnu long name\n")
    s = tarfile.TarInfo("l" * 150); s.type = tarfile.SYMTYPE; s.linkname = "t" * 150; t.addfile(s)
# neighbours of the crash: record lengths around the prefix, missing newline,
# length past the header, no digits, a huge length
for name, rec in [("pax-len-2.tar", b"2 \n"), ("pax-len-3.tar", b"3 \n"), ("pax-no-newline.tar", b"9 path=ab"),
                  ("pax-len-past.tar", b"99 path=a\n"), ("pax-no-digits.tar", b" path=a\n"),
                  ("pax-huge-len.tar", b"99999999999999999999 x\n"), ("pax-zero.tar", b"0 \n"),
                  ("pax-ok-then-bad.tar", b"11 path=ab\n1 x")]:
    with tarfile.open(name, "w", format=tarfile.USTAR_FORMAT) as t:
        p = tarfile.TarInfo("././@PaxHeader"); p.type = tarfile.XHDTYPE; p.size = len(rec)
        t.addfile(p, io.BytesIO(rec))
        add(t, "hello.txt")
PY
rm -rf sparse.tmp && mkdir sparse.tmp
python3 - <<'PY'
with open("sparse.tmp/holes.bin", "wb") as f:
    for i in range(6):           # 6 data chunks: more than the 4 in the header
        f.seek(i * 65536)
        f.write(b"chunk%d stratum+tcp://pool.example:3333\n" % i)
    f.truncate(6 * 65536 + 4096)
PY
tar --format=gnu -S -b1 -cf gnu-sparse.tar -C sparse.tmp holes.bin
tar --format=pax -S --sparse-version=1.0 -b1 -cf pax-sparse.tar -C sparse.tmp holes.bin
rm -rf sparse.tmp
