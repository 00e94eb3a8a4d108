#!/usr/bin/env python3
"""Writes pax-short-record.tar: the issue 17 crash input. A USTAR archive whose
first member is a pax extended header (XHDTYPE, "././@PaxHeader") of 3 bytes
holding "1 x": a record length (1) shorter than its own "1 " prefix. Then a
plain file. The scanner must report a malformed pax record, not crash."""
import io, sys, tarfile

out = sys.argv[1] if len(sys.argv) > 1 else "pax-short-record.tar"
with tarfile.open(out, "w", format=tarfile.USTAR_FORMAT) as t:
    pax = tarfile.TarInfo("././@PaxHeader")
    pax.type = tarfile.XHDTYPE
    pax.size = 3
    t.addfile(pax, io.BytesIO(b"1 x"))
    f = tarfile.TarInfo("hello.txt")
    data = b"hello\n"
    f.size = len(data)
    t.addfile(f, io.BytesIO(data))
