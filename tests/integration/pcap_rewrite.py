#!/usr/bin/env python3
"""pcap_rewrite.py IN OUT MODE: rewrites an Ethernet pcap for decoder tests.

MODE: sll, sll2, raw, null, loop, vlan, qinq (re-encapsulate every IP packet),
reorder (swap each pair of consecutive TCP data segments of a flow, so every
second segment arrives before the one it follows), snap:N (cut every packet to
N bytes), trunc:N (cut the file itself after N bytes).
Written for tests: a small pcap (not pcapng) reader and writer."""
import struct
import sys


def read_pcap(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        end = "<"
    else:
        end = ">"
    _, _, _, _, _, snap, lt = struct.unpack(end + "IHHiIII", data[:24])
    pkts, off = [], 24
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack(end + "IIII", data[off:off + 16])
        pkts.append([sec, usec, data[off + 16:off + 16 + incl], orig])
        off += 16 + incl
    return data[:24], end, lt, pkts


def write_pcap(path, end, lt, pkts, snap=262144):
    with open(path, "wb") as f:
        f.write(struct.pack(end + "IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snap, lt))
        for sec, usec, body, orig in pkts:
            f.write(struct.pack(end + "IIII", sec, usec, len(body), orig))
            f.write(body)


def main():
    src, dst, mode = sys.argv[1:4]
    hdr, end, lt, pkts = read_pcap(src)
    if lt != 1:
        sys.exit("input must be Ethernet (link type 1)")
    if mode.startswith("trunc:"):
        raw = open(src, "rb").read()
        open(dst, "wb").write(raw[: int(mode[6:])])
        return
    out = []
    new_lt = lt
    for sec, usec, body, orig in pkts:
        etype = body[12:14]
        ip = body[14:]
        if mode == "sll":
            new_lt = 113
            nb = struct.pack(">HHH8s", 0, 772, 6, b"\0" * 8) + etype + ip
        elif mode == "sll2":
            new_lt = 276
            nb = etype + b"\0\0" + struct.pack(">IHBB8s", 1, 772, 0, 6, b"\0" * 8) + ip
        elif mode == "raw":
            new_lt = 101
            nb = ip
        elif mode == "null":
            new_lt = 0
            fam = 2 if etype == b"\x08\x00" else 24
            nb = struct.pack("<I", fam) + ip
        elif mode == "loop":
            new_lt = 108
            fam = 2 if etype == b"\x08\x00" else 24
            nb = struct.pack(">I", fam) + ip
        elif mode == "vlan":
            nb = body[:12] + b"\x81\x00\x00\x2a" + etype + ip
        elif mode == "qinq":
            nb = body[:12] + b"\x88\xa8\x00\x64\x81\x00\x00\x2a" + etype + ip
        elif mode.startswith("snap:"):
            nb = body[: int(mode[5:])]
        else:
            nb = body
        out.append([sec, usec, nb, orig - len(body) + len(nb) if not mode.startswith("snap:") else orig])
    if mode == "reorder":
        # Swap consecutive data-carrying TCP segments going the same way.
        def tcp_data(b):
            if b[12:14] != b"\x08\x00" or b[23] != 6:
                return None
            ihl = (b[14] & 15) * 4
            tot = struct.unpack(">H", b[16:18])[0]
            t = 14 + ihl
            doff = (b[t + 12] >> 4) * 4
            if tot - ihl - doff <= 0:
                return None
            return (b[26:30], b[30:34], b[t:t + 2], b[t + 2:t + 4])
        i = swaps = 0
        while i + 1 < len(out):
            a, b = tcp_data(out[i][2]), tcp_data(out[i + 1][2])
            if a and a == b:
                out[i], out[i + 1] = out[i + 1], out[i]
                swaps += 1
                i += 2
            else:
                i += 1
        print("swapped %d segment pairs" % swaps)
    write_pcap(dst, end, new_lt, out)


if __name__ == "__main__":
    main()
