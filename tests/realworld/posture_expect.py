#!/usr/bin/env python3
"""Checks `hashhound check -f json` findings against kube-linter's fixture convention.

usage: posture_expect.py MANIFEST CONTROL MODE < findings.jsonl
Documents are split on '---' lines; each finding is attributed to the document
whose line range holds its file.line. MODE 'each': every object not named
dont-fire raises CONTROL and no dont-fire object does. MODE 'any': at least one
object not named dont-fire raises it (kube-linter judges some RBAC checks on
the binding that references a role by name; we judge the role itself), and no
dont-fire object does. Exit 0 when the expectations hold."""
import json
import re
import sys

path, control, mode = sys.argv[1:4]
lines = open(path).read().split('\n')
docs = []  # [start, end, kind, name]
start = 1
for i, l in enumerate(lines + ['---'], 1):
    if re.match(r'^---\s*$', l):
        body = lines[start - 1:i - 1]
        kind = next((m.group(1) for m in (re.match(r'^kind:\s*(\S+)', x) for x in body) if m), None)
        name = None
        in_meta = False
        for x in body:
            if re.match(r'^metadata:', x):
                in_meta = True
                continue
            if in_meta:
                m = re.match(r'^\s+name:\s*(\S+)', x)
                if m:
                    name = m.group(1)
                    break
                if re.match(r'^\S', x):
                    in_meta = False
        if kind:
            docs.append([start, i - 1, kind, name or ''])
        start = i + 1
fired = {i: 0 for i in range(len(docs))}
for l in sys.stdin:
    f = json.loads(l)
    if f['rule'] != control:
        continue
    line = f['fields'].get('file.line', 0)
    for i, d in enumerate(docs):
        if d[0] <= line <= d[1]:
            fired[i] += 1
bad = 0
any_fire = False
for i, d in enumerate(docs):
    dont = d[3] == 'dont-fire'
    if dont and fired[i]:
        print(f'FAIL {path}: {d[2]}/{d[3]} (lines {d[0]}-{d[1]}) is dont-fire but raised {control}')
        bad = 1
    if not dont and fired[i]:
        any_fire = True
    if not dont and not fired[i] and mode == 'each':
        print(f'FAIL {path}: {d[2]}/{d[3]} (lines {d[0]}-{d[1]}) did not raise {control}')
        bad = 1
if mode == 'any' and not any_fire:
    print(f'FAIL {path}: no object raised {control}')
    bad = 1
sys.exit(bad)
