#!/usr/bin/env python3
"""fleet_check.py WORK STREAM_MSGS DRILL KILLED_AT RESTARTED_AT: the
end-to-end count of tests/integration/fleet_jetstream.sh. Every finding the
agents (WORK/node-?.jsonl) and the replays (WORK/batch-*.jsonl) emitted is in
the fleet store (WORK/fleet.db) exactly once by message id (= finding id) and
the stream holds exactly as many messages; some agent findings were emitted
while the killed server was down; a campaign of DRILL lists all three nodes,
and no campaign growth was reported twice (WORK/campaigns.jsonl holds what
both fleet run replicas reported).
Exit 0 when all hold, else 1 with the reason."""
import datetime
import glob
import json
import sqlite3
import sys

w, stream_msgs, drill = sys.argv[1], int(sys.argv[2]), sys.argv[3]
killed, restarted = float(sys.argv[4]), float(sys.argv[5])
nodes = ("node-a", "node-b", "node-c")


def when(f):
    t = datetime.datetime.strptime(f["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()


def main():
    emitted = []
    for path in sorted(glob.glob(f"{w}/node-?.jsonl")) + sorted(glob.glob(f"{w}/batch-*.jsonl")):
        emitted += [json.loads(line)["id"] for line in open(path)]
    db = sqlite3.connect(f"file:{w}/fleet.db?mode=ro", uri=True)
    stored = [r[0] for r in db.execute("select msg_id from fleet_findings")]
    lost, extra = set(emitted) - set(stored), set(stored) - set(emitted)
    print(f"findings: emitted {len(emitted)}, stored {len(stored)}, in the stream {stream_msgs}, "
          f"lost {len(lost)}, unexpected {len(extra)}")
    if len(set(emitted)) != len(emitted):
        return "an id was emitted twice"
    if lost:
        return f"lost: {sorted(lost)[:5]}"
    if extra:
        return f"stored but never emitted: {sorted(extra)[:5]}"
    if len(stored) != len(emitted):
        return "duplicates in the store"
    if stream_msgs != len(emitted):
        return f"the stream holds {stream_msgs} messages for {len(emitted)} findings (duplicates or losses)"
    during = 0
    for node in nodes:
        fs = [json.loads(line) for line in open(f"{w}/{node}.jsonl")]
        d2 = [f for f in fs if f"{drill}-2" in json.dumps(f)]
        during += sum(1 for f in fs if killed <= when(f) < restarted)
        n = db.execute("select count(*) from fleet_findings where node=? and json like ?",
                       (node, f"%{drill}-2%")).fetchone()[0]
        if not d2 or n != len(d2):
            return f"{node}: {len(d2)} findings about drill 2 emitted, {n} stored as {node}'s"
    print(f"agent findings emitted while the killed server was down: {during} "
          f"({restarted - killed:.1f} s outage)")
    if during == 0:
        return "no agent finding was emitted during the outage: the kill did not hit the run"
    camps = [json.loads(line) for line in open(f"{w}/campaigns.jsonl")]
    reports = [(c["fields"]["campaign.id"], c["fields"]["campaign.nodes"]) for c in camps]
    if len(reports) != len(set(reports)):
        return "a campaign reported twice with the same nodes (by both replicas?)"
    mine = [c for c in camps if c["fields"]["campaign.nodes"] == 3
            and any(drill in e["value"] for e in c["evidence"])]
    if not mine:
        return "no campaign of the drill on three nodes; campaigns: %s" % [
            (c["fields"]["campaign.kind"], c["fields"]["campaign.nodes"]) for c in camps][:10]
    c = mine[0]
    if sorted(c["fields"]["campaign.node_list"]) != list(nodes):
        return f"campaign nodes: {c['fields']['campaign.node_list']}"
    print("campaign:", c["title"], "|", c["fields"]["campaign.kind"], c["fields"]["campaign.key"][:48], "|",
          c["severity"], f"| {len(mine)} campaign(s) of the drill on 3 nodes")
    return None


if __name__ == "__main__":
    err = main()
    if err:
        print("FAIL:", err)
        sys.exit(1)
