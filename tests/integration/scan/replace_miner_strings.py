#!/usr/bin/env python3
"""replace_miner_strings.py IN OUT: what an attacker does to hide a miner from
string rules: every miner word (names, algorithms, stratum methods, pool and
wallet words, hashrate reports) is replaced, case-insensitively, by a
same-length stand-in, so the binary still runs but says nothing. Prints the
number of replacements."""
import re
import sys

WORDS = [
    "xmrig", "xmr-stak", "xmr_stak", "xmr", "monero", "cpuminer", "minerd", "miner", "mining", "pooler",
    "scryptjane", "tpruvot", "ethminer", "lolminer", "t-rex", "srbminer", "nbminer", "teamredminer",
    "phoenixminer", "ccminer", "nanominer", "randomx", "rx/0", "rx/wow", "argon2", "cryptonight",
    "cn/r", "cn-heavy", "cn/half", "cn-lite", "cn/0", "cn/", "stratum", "subscribe", "authorize",
    "submit", "notify", "keepalived", "eth_", "hashrate", "h/s", "accepted (", "rejected (", "diff ",
    "shares", "donate", "nicehash", "pools", "pool", "wallet", "login", "job_id", "getblocktemplate",
    "coinbase", "cpu-max-threads-hint", "1gb-pages", "hugepages", "huge-pages", "hashes", "hash",
    "algo", "blob", "target", "coin", "worker", "rig",
]


def stand_in(m):
    # letters shift by 7 (case kept), digits by 3, everything else becomes 'q'
    out = []
    for ch in m.group(0):
        c = chr(ch)
        if c.isalpha():
            base = ord('a') if c.islower() else ord('A')
            out.append(chr(base + (ord(c) - base + 7) % 26))
        elif c.isdigit():
            out.append(str((int(c) + 3) % 10))
        else:
            out.append('q')
    return "".join(out).encode()


def main():
    data = open(sys.argv[1], "rb").read()
    pat = re.compile(b"|".join(re.escape(w.encode()) for w in sorted(WORDS, key=len, reverse=True)), re.I)
    out, n = pat.subn(stand_in, data)
    assert len(out) == len(data)
    open(sys.argv[2], "wb").write(out)
    print(n)


if __name__ == "__main__":
    main()
