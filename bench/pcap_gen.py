#!/usr/bin/env python3
"""pcap_gen.py OUT.pcap TRUTH.tsv TEMPLATE... : builds the large benchmark capture.

Each TEMPLATE is LABEL=FILE.pcap (an Ethernet pcap; LABEL "benign", "p2p" or a
mining dialect). Every template is repeated COPIES times (env HH_BENCH_COPIES,
default 40) with its addresses remapped per copy, so each copy is a distinct set
of flows: address j of template t, copy k becomes (10+j).t.(k>>8).(k&255).
Copies start at random offsets over the capture span and are merged in time
order among synthetic benign bulk HTTP downloads that bring the file to
HH_BENCH_BYTES (default 1.1e9). TRUTH.tsv lists every mining copy:
label, template, copy, server address, server port."""
import heapq
import os
import random
import struct
import sys

SPAN = 3600.0
COPIES = int(os.environ.get("HH_BENCH_COPIES", "40"))
TARGET = int(float(os.environ.get("HH_BENCH_BYTES", "1.1e9")))
random.seed(7)


def read_pcap(path):
    data = open(path, "rb").read()
    end = "<" if struct.unpack("<I", data[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    nano = struct.unpack(end + "I", data[:4])[0] == 0xA1B23C4D
    lt = struct.unpack(end + "I", data[20:24])[0]
    if lt != 1:
        sys.exit("%s: not Ethernet" % path)
    off, pkts = 24, []
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(end + "IIII", data[off:off + 16])
        pkts.append((sec + frac / (1e9 if nano else 1e6), data[off + 16:off + 16 + incl], orig))
        off += 16 + incl
    return pkts


def ip_checksum(h):
    s = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return (~s) & 0xFFFF


class Template:
    def __init__(self, tid, label, path):
        self.tid, self.label, self.path = tid, label, path
        self.pkts = [p for p in read_pcap(path) if len(p[1]) >= 34 and p[1][12:14] == b"\x08\x00"]
        t0 = self.pkts[0][0]
        self.rel = [(ts - t0, body, orig) for ts, body, orig in self.pkts]
        addrs = sorted({p[1][26:30] for p in self.pkts} | {p[1][30:34] for p in self.pkts})
        self.index = {a: j for j, a in enumerate(addrs)}
        # Mining templates hold only mining flows: the server of each TCP flow
        # is its lower-port endpoint (3333, 4444, 9050 ... against ephemeral ports).
        # The SYN names the server when the capture has it (loopback captures
        # share one address, and ephemeral ports can be below the pool's).
        self.servers = set()
        flows = {}
        for _, body, _ in self.pkts:
            if body[23] != 6:
                continue
            ihl = (body[14] & 15) * 4
            sport, dport = struct.unpack("!HH", body[14 + ihl:14 + ihl + 4])
            key = tuple(sorted(((body[26:30], sport), (body[30:34], dport))))
            if body[14 + ihl + 13] & 0x12 == 0x02:
                flows[key] = (body[30:34], dport)
            else:
                flows.setdefault(key, (body[30:34], dport) if dport < sport else (body[26:30], sport))
        self.servers = set(flows.values())

    def addr(self, a, k):
        return bytes([10 + self.index[a], self.tid, k >> 8, k & 255])

    def copy(self, k, start):
        cache = {}
        for rel, body, orig in self.rel:
            ihl = (body[14] & 15) * 4
            src, dst = body[26:30], body[30:34]
            key = (src, dst)
            m = cache.get(key)
            if m is None:
                m = cache[key] = (self.addr(src, k), self.addr(dst, k))
            hdr = bytearray(body[14:14 + ihl])
            hdr[12:16], hdr[16:20] = m[0], m[1]
            hdr[10:12] = b"\0\0"
            hdr[10:12] = struct.pack("!H", ip_checksum(bytes(hdr) + (b"\0" if len(hdr) % 2 else b"")))
            yield start + rel, body[:14] + bytes(hdr) + body[14 + ihl:], orig - len(body) + len(body)


def bulk_flow(n, start):
    """A benign HTTP download of ~1 MiB: handshake, request, 1448-byte segments, ACKs, FIN."""
    cli = bytes([172, 16 + (n >> 16 & 15), n >> 8 & 255, n & 255])
    srv = bytes([198, 18, n >> 8 & 255, n & 255])
    cport, sport = 30000 + n % 30000, 80
    eth = b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00"
    cseq, sseq = 1000, 50000

    def pkt(src, dst, sp, dp, seq, ack, flags, payload=b""):
        ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 20 + len(payload), n & 0xFFFF, 0x4000, 64, 6, 0, src, dst))
        ip[10:12] = struct.pack("!H", ip_checksum(bytes(ip)))
        tcp = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50, flags, 65535, 0, 0)
        return eth + bytes(ip) + tcp + payload

    t = start
    yield t, pkt(cli, srv, cport, sport, cseq, 0, 0x02), None
    t += 0.02
    yield t, pkt(srv, cli, sport, cport, sseq, cseq + 1, 0x12), None
    t += 0.0001
    yield t, pkt(cli, srv, cport, sport, cseq + 1, sseq + 1, 0x10), None
    req = b"GET /files/archive-%d.tar HTTP/1.1\r\nHost: mirror.example\r\nUser-Agent: curl/7.88\r\n\r\n" % n
    yield t, pkt(cli, srv, cport, sport, cseq + 1, sseq + 1, 0x18, req), None
    cseq += 1 + len(req)
    sseq += 1
    body = b"HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n" + bytes(1448 - 46)
    seg = bytes(range(256)) * 5 + bytes(1448 - 1280)
    for i in range(724):
        t += 0.0004
        data = body if i == 0 else seg
        yield t, pkt(srv, cli, sport, cport, sseq, cseq, 0x10, data), None
        sseq += len(data)
        if i % 2:
            yield t, pkt(cli, srv, cport, sport, cseq, sseq, 0x10), None
    t += 0.001
    yield t, pkt(srv, cli, sport, cport, sseq, cseq, 0x11), None
    yield t, pkt(cli, srv, cport, sport, cseq, sseq + 1, 0x11), None


def main():
    out, truth_path = sys.argv[1:3]
    templates = []
    for i, spec in enumerate(sys.argv[3:]):
        label, path = spec.split("=", 1)
        templates.append(Template(i + 1, label, path))
    streams = []
    truth = open(truth_path, "w")
    truth.write("label\ttemplate\tcopy\tserver\tport\n")
    tmpl_bytes = 0
    for t in templates:
        size = sum(len(b) for _, b, _ in t.rel)
        for k in range(COPIES):
            dur = t.rel[-1][0]
            start = random.uniform(0, max(1.0, SPAN - min(dur, SPAN * 0.9)))
            streams.append(t.copy(k, start))
            tmpl_bytes += size
            if t.label not in ("benign", "p2p"):
                for a, port in sorted(t.servers):
                    truth.write("%s\t%s\t%d\t%s\t%d\n" % (t.label, os.path.basename(t.path), k,
                                                          ".".join(map(str, t.addr(a, k))), port))
    n_bulk = max(0, (TARGET - tmpl_bytes) // (724 * 1500 + 362 * 54))
    for n in range(n_bulk):
        streams.append(bulk_flow(n, random.uniform(0, SPAN)))
    with open(out, "wb", buffering=1 << 22) as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        packets = written = 0
        for ts, body, orig in heapq.merge(*streams, key=lambda p: p[0]):
            sec = int(ts)
            usec = int((ts - sec) * 1e6)
            f.write(struct.pack("<IIII", sec + 1700000000, usec, len(body), max(orig or 0, len(body))))
            f.write(body)
            packets += 1
            written += 16 + len(body)
    print("%d packets, %d bytes, %d template copies, %d bulk flows" % (packets, written + 24, len(templates) * COPIES, n_bulk))


if __name__ == "__main__":
    main()
