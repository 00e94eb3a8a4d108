#!/usr/bin/env python3
"""Writes small BoltDB files (bbolt format 2) from nested dicts, the fuzz seeds
of fuzz/corpus/boltdb, shaped like containerd's meta.db (v1 / namespace /
images / NAME / target). Pages of 512 bytes; every nested bucket is inline (as
bbolt stores small buckets). small-inline.db: the root bucket is one leaf page
with overflow pages; branch.db: the root bucket is a branch page over two
leaves. Usage: mkbolt.py DIR"""
import struct
import sys

PS = 512


def fnv64a(b):
    h = 0xcbf29ce484222325
    for x in b:
        h = ((h ^ x) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def leaf(items, pgid=0):
    keys = sorted(items)
    n = len(keys)
    hdr = struct.pack('<QHHI', pgid, 2, n, 0)
    elems, data = b'', b''
    for i, k in enumerate(keys):
        v = items[k]
        flags = 0
        if isinstance(v, dict):
            v = struct.pack('<QQ', 0, 0) + leaf(v)
            flags = 1
        pos = 16 + 16 * n + len(data) - (16 + 16 * i)
        elems += struct.pack('<IIII', flags, pos, len(k), len(v))
        data += k + v
    return hdr + elems + data


def meta(root, pgid, txid):
    m = struct.pack('<IIIIQQQQQ', 0xED0CDAED, 2, PS, 0, root, 0, 2, pgid, txid)
    return m + struct.pack('<Q', fnv64a(m))


def page(pgid, flags, body=b''):
    p = struct.pack('<QHHI', pgid, flags, 0, 0) + body
    return p + b'\0' * (PS - len(p))


def image(digest):
    return {b'target': {b'digest': digest.encode(),
                        b'mediatype': b'application/vnd.docker.distribution.manifest.v2+json',
                        b'size': b'\xa0\x07'}}


tree = {b'v1': {b'version': b'\x03',
                b'k8s.io': {b'images': {
                    b'localhost/hh-stores-31164-miner:test':
                        image('sha256:22341b5be5c61c44f6d59a282bc512966fd84c4ba2cee0f46e7e2fd0d83c2c96'),
                    b'docker.io/library/busybox:latest':
                        image('sha256:a6237a602aaa06580cde72cc7e437f292ce8a898bfafe2bc5b01c0f73164e803')},
                    b'content': {b'blob': {}}},
                b'moby': {b'images': {}}}}


def pad(p):
    span = (len(p) + PS - 1) // PS
    p = bytearray(p + b'\0' * (span * PS - len(p)))
    struct.pack_into('<I', p, 12, span - 1)
    return bytes(p), span


def head(root, end):
    return page(0, 4, meta(root, end, 7)) + page(1, 4, meta(root, end, 6)) + page(2, 0x10)


root, span = pad(leaf(tree, 3))
open(sys.argv[1] + '/small-inline.db', 'wb').write(head(3, 3 + span) + root)

# branch page 3 over leaf 4 ({v1}) and leaf 4+span ({zz})
left, lspan = pad(leaf(tree, 4))
right, rspan = pad(leaf({b'zz': b'last'}, 4 + lspan))
keys = [(b'v1', 4), (b'zz', 4 + lspan)]
elems, data = b'', b''
for i, (k, child) in enumerate(keys):
    elems += struct.pack('<IIQ', 16 * len(keys) + len(data) - 16 * i, len(k), child)
    data += k
branch, _ = pad(struct.pack('<QHHI', 3, 1, len(keys), 0) + elems + data)
open(sys.argv[1] + '/branch.db', 'wb').write(head(3, 4 + lspan + rspan) + branch + left + right)
