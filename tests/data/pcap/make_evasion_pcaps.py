#!/usr/bin/env python3
"""Writes the issue 17 pcap evasion captures (Ethernet, full checksums):

csum-evasion.pcap      a CryptoNote stratum session (login, job, submit) where
                       each direction's first data segment is preceded by one
                       with the same sequence number, junk bytes and a wrong TCP
                       checksum: the real bytes must win (a receiver drops the junk).
csum-partial-junk.pcap the same, but the junk carries an offload-looking
                       checksum (the bare pseudo-header sum): both copies are judged.
frag-v4.pcap           the login request sent as IPv4 fragments, out of order.
frag-v6.pcap           the same over IPv6 (fragment extension header).
frag-incomplete.pcap   the login's fragments with the middle one missing.
frag-overlap.pcap      IPv4 fragments overlapping with different bytes.
Usage: make_evasion_pcaps.py [DIR]"""
import os, struct, sys

CLIENT4, SERVER4 = bytes([10, 0, 0, 2]), bytes([10, 0, 0, 9])
CLIENT6 = bytes.fromhex("20010db8000000000000000000000002")
SERVER6 = bytes.fromhex("20010db8000000000000000000000009")
CPORT, SPORT = 40112, 3333
MAC_C, MAC_S = bytes.fromhex("020000000002"), bytes.fromhex("020000000009")

LOGIN = (b'{"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",'
         b'"pass":"x","agent":"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0","algo":["rx/0","cn/r"]}}\n')
JOB = (b'{"id":1,"jsonrpc":"2.0","error":null,"result":{"id":"7d3c9f","job":{"blob":"' + b"07" * 76 +
       b'","job_id":"j1","target":"b88d0600","algo":"rx/0","height":3100000,"seed_hash":"' + b"ab" * 32 +
       b'"},"extensions":["algo"],"status":"OK"}}\n')
SUBMIT = (b'{"id":2,"jsonrpc":"2.0","method":"submit","params":{"id":"7d3c9f","job_id":"j1","nonce":"deadbeef","result":"' +
          b"00" * 31 + b'01"}}\n')
OK = b'{"id":2,"jsonrpc":"2.0","error":null,"result":{"status":"OK"}}\n'


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def pseudo(src, dst, proto, length):
    if len(src) == 4:
        return src + dst + struct.pack("!BBH", 0, proto, length)
    return src + dst + struct.pack("!IxxxB", length, proto)


def tcp(src, dst, sp, dp, seq, ack, flags, payload, bad=False, partial=False):
    h = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0)
    seg = h + payload
    if partial:   # what Linux leaves for offload: the folded pseudo-header sum
        c = csum(pseudo(src, dst, 6, len(seg)))
    else:
        c = 0xFFFF - csum(pseudo(src, dst, 6, len(seg)) + seg)
        if bad:
            c ^= 0x5A5A
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def ipv4(src, dst, proto, payload, ident=1, frag=0):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0, src, dst)
    c = 0xFFFF - csum(h)
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def ipv6(src, dst, nh, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, 64, src, dst) + payload


def eth(ip, v6=False):
    return MAC_S + MAC_C + (b"\x86\xdd" if v6 else b"\x08\x00") + ip


class Session:
    """A TCP session with correct sequence numbers; frames collected in order."""

    def __init__(self, v6=False):
        self.v6 = v6
        self.c, self.s = (CLIENT6, SERVER6) if v6 else (CLIENT4, SERVER4)
        self.cseq, self.sseq = 1000, 500000
        self.frames = []
        self.ident = 100

    def ip(self, src, dst, seg):
        self.ident += 1
        return eth(ipv6(src, dst, 6, seg), True) if self.v6 else eth(ipv4(src, dst, 6, seg, self.ident))

    def handshake(self):
        self.frames.append(self.ip(self.c, self.s, tcp(self.c, self.s, CPORT, SPORT, self.cseq, 0, 0x02, b"")))
        self.frames.append(self.ip(self.s, self.c, tcp(self.s, self.c, SPORT, CPORT, self.sseq, self.cseq + 1, 0x12, b"")))
        self.cseq += 1
        self.sseq += 1
        self.frames.append(self.ip(self.c, self.s, tcp(self.c, self.s, CPORT, SPORT, self.cseq, self.sseq, 0x10, b"")))

    def seg(self, from_client, payload, **kw):
        if from_client:
            t = tcp(self.c, self.s, CPORT, SPORT, self.cseq, self.sseq, 0x18, payload, **kw)
            return self.c, self.s, t
        t = tcp(self.s, self.c, SPORT, CPORT, self.sseq, self.cseq, 0x18, payload, **kw)
        return self.s, self.c, t

    def send(self, from_client, payload, junk=None):
        if junk:
            src, dst, t = self.seg(from_client, bytes(junk[0]), **junk[1])
            self.frames.append(self.ip(src, dst, t))
        src, dst, t = self.seg(from_client, payload)
        self.frames.append(self.ip(src, dst, t))
        if from_client:
            self.cseq += len(payload)
        else:
            self.sseq += len(payload)

    def close(self):
        for fc in (True, False):
            src, dst, t = self.seg(fc, b"")
            t = t[:13] + b"\x11" + t[14:]
            t = tcp(src, dst, CPORT if fc else SPORT, SPORT if fc else CPORT, self.cseq if fc else self.sseq,
                    self.sseq if fc else self.cseq, 0x11, b"")
            self.frames.append(self.ip(src, dst, t))


def write(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1764900000 + i // 10, (i % 10) * 100000, len(fr), len(fr)))
            f.write(fr)


def junk_of(n):
    return (b"\x00\x17" * n)[:n]


def evasion(path, how):
    s = Session()
    s.handshake()
    s.send(True, LOGIN, junk=(junk_of(len(LOGIN)), how))
    s.send(False, JOB, junk=(junk_of(len(JOB)), how))
    s.send(True, SUBMIT)
    s.send(False, OK)
    s.close()
    write(path, s.frames)


def fragments(path, v6=False, drop_middle=False, overlap=False):
    s = Session(v6)
    s.handshake()
    src, dst, t = s.seg(True, LOGIN)
    s.cseq += len(LOGIN)
    # pieces of 8-byte multiples: 96, 96, rest
    pieces = [(0, t[:96]), (96, t[96:192]), (192, t[192:])]
    frames = []
    for off, data in pieces:
        more = off + len(data) < len(t)
        if v6:
            fh = struct.pack("!BBHI", 6, 0, off | (1 if more else 0), 0x4242)
            frames.append(eth(ipv6(src, dst, 44, fh + data), True))
        else:
            frames.append(eth(ipv4(src, dst, 6, data, 0x4242, (off // 8) | (0x2000 if more else 0))))
    if overlap:  # the middle piece, then a copy of it with other bytes, then the rest
        ovl = eth(ipv4(src, dst, 6, bytes(96), 0x4242, (96 // 8) | 0x2000))
        s.frames += [frames[1], ovl, frames[2], frames[0]]
    else:
        if drop_middle:
            del frames[1]
        s.frames += [frames[-1]] + frames[:-1]   # last piece first: out of order
    s.send(False, JOB)
    s.send(True, SUBMIT)
    s.send(False, OK)
    s.close()
    write(path, s.frames)


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "."
    evasion(os.path.join(d, "csum-evasion.pcap"), {"bad": True})
    evasion(os.path.join(d, "csum-partial-junk.pcap"), {"partial": True})
    fragments(os.path.join(d, "frag-v4.pcap"))
    fragments(os.path.join(d, "frag-v6.pcap"), v6=True)
    fragments(os.path.join(d, "frag-incomplete.pcap"), drop_middle=True)
    fragments(os.path.join(d, "frag-overlap.pcap"), overlap=True)


main()
