#!/usr/bin/env python3
"""gen_whiteouts.py OUT.tar [N [flagged|plain]]: a docker-archive image whose
first layer holds N files and whose second layer deletes every one of them with
a whiteout. flagged (default): each file is a miner launcher script, so each is
a hidden-in-layers candidate with findings; plain: a few benign bytes each.
Issue 17: 80k whiteouts over 80k files took 116 s and 838 MB (quadratic)."""
import hashlib, io, json, sys, tarfile

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 80000
plain = len(sys.argv) > 3 and sys.argv[3] == "plain"
SCRIPT = b"#!/bin/sh\n./xmrig -o stratum+tcp://pool.supportxmr.com:3333 -u 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A --donate-level 1\n"


def layer(entries):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.GNU_FORMAT) as t:
        for name, data in entries:
            i = tarfile.TarInfo(name)
            i.size = len(data)
            i.mode = 0o755
            t.addfile(i, io.BytesIO(data))
    return b.getvalue()


def names():
    for i in range(n):
        yield "opt/d%03d" % (i % 500), "run%06d.sh" % i


l1 = layer((d + "/" + f, b"hello %d\n" % i if plain else SCRIPT) for i, (d, f) in enumerate(names()))
l2 = layer((d + "/.wh." + f, b"") for d, f in names())
digests = ["sha256:" + hashlib.sha256(l).hexdigest() for l in (l1, l2)]
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
                  "rootfs": {"type": "layers", "diff_ids": digests}}).encode()
manifest = json.dumps([{"Config": "config.json", "RepoTags": ["bench/whiteouts:latest"],
                        "Layers": ["l1/layer.tar", "l2/layer.tar"]}]).encode()
with tarfile.open(out, "w") as t:
    for name, data in (("manifest.json", manifest), ("config.json", cfg), ("l1/layer.tar", l1), ("l2/layer.tar", l2)):
        i = tarfile.TarInfo(name)
        i.size = len(data)
        t.addfile(i, io.BytesIO(data))
