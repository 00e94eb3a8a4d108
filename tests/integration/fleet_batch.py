#!/usr/bin/env python3
"""fleet_batch.py DIR N NODE...: writes DIR/batch-NODE.jsonl, N low findings
per node, each with its own id (a UUID) and the node as hostname, for
`hashhound fleet publish` in tests/integration/fleet_jetstream.sh and
bench/fleet.sh."""
import json
import sys
import uuid

w, n, nodes = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
for node in nodes:
    with open(f"{w}/batch-{node}.jsonl", "w") as f:
        for i in range(n):
            f.write(json.dumps({
                "id": str(uuid.uuid4()), "time": "2026-12-05T09:00:00.000Z", "source": "agent",
                "rule": "test.batch", "title": "replayed finding", "severity": "low", "confidence": 0.5,
                "mitre": [], "fields": {"hostname": node, "container.id": f"{node}-{i:06d}", "seq": i},
                "evidence": [{"what": "seq", "value": str(i)}]}, separators=(",", ":")) + "\n")
