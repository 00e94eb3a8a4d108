#!/usr/bin/env python3
"""Copies an OCI image layout, re-compressing its tar layers with gzip or
zstd and rewriting the manifest and index digests to match.
usage: recompress_oci.py SRC DST gzip|zstd"""
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys

src, dst, algo = sys.argv[1:4]
shutil.copytree(src, dst)
blobs = os.path.join(dst, "blobs", "sha256")


def put(data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, d), "wb") as f:
        f.write(data)
    return "sha256:" + d, len(data)


def get(digest):
    with open(os.path.join(blobs, digest.split(":", 1)[1]), "rb") as f:
        return f.read()


index = json.load(open(os.path.join(dst, "index.json")))
for m in index["manifests"]:
    man = json.loads(get(m["digest"]))
    for layer in man["layers"]:
        raw = get(layer["digest"])
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        if algo == "gzip":
            comp = gzip.compress(raw, 6)
            layer["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
        else:
            comp = subprocess.run(["zstd", "-q", "-c"], input=raw, stdout=subprocess.PIPE, check=True).stdout
            layer["mediaType"] = "application/vnd.oci.image.layer.v1.tar+zstd"
        layer["digest"], layer["size"] = put(comp)
    m["digest"], m["size"] = put(json.dumps(man).encode())
json.dump(index, open(os.path.join(dst, "index.json"), "w"))
