#!/usr/bin/env python3
"""Writes a small valid WebAssembly module shaped like a browser miner's:
exports cryptonight_hash, a "name" section, and a data segment holding the
AES S-box and Keccak round constants (as CryptoNight builds carry).
usage: make_wasm.py OUT [--plain]   (--plain: a benign module, no traits)"""
import struct
import sys


def leb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def name(s):
    b = s.encode()
    return leb(len(b)) + b


def section(sid, payload):
    return bytes([sid]) + leb(len(payload)) + payload


plain = "--plain" in sys.argv
fname = "add" if plain else "cryptonight_hash"
types = section(1, leb(1) + b"\x60" + leb(2) + b"\x7f\x7f" + leb(1) + b"\x7f")
funcs = section(3, leb(1) + leb(0))
mem = section(5, leb(1) + b"\x00" + leb(1))
exports = section(7, leb(2) + name(fname) + b"\x00" + leb(0) + name("memory") + b"\x02" + leb(0))
body = b"\x00" + b"\x20\x00\x20\x01\x6a" + b"\x0b"  # local.get 0, local.get 1, i32.add, end
code = section(10, leb(1) + leb(len(body)) + body)
sbox = bytes([0x63, 0x7C, 0x77, 0x7B, 0xF2, 0x6B, 0x6F, 0xC5, 0x30, 0x01, 0x67, 0x2B, 0xFE, 0xD7, 0xAB, 0x76])
rc = struct.pack("<QQQQ", 0x1, 0x8082, 0x800000000000808A, 0x8000000080008000)
blob = b"hello world" if plain else sbox + rc
data = section(11, leb(1) + b"\x00" + b"\x41\x00\x0b" + leb(len(blob)) + blob)
names = b"\x01" + leb(len(leb(1) + leb(0) + name(fname))) + leb(1) + leb(0) + name(fname)
custom = section(0, name("name") + names)
mod = b"\x00asm" + struct.pack("<I", 1) + types + funcs + mem + exports + code + data + custom
with open(sys.argv[1], "wb") as f:
    f.write(mod)
