#!/usr/bin/env python3
"""Generates a synthetic node for bench/agent.sh: N podman containers on a
cgroup v2 hierarchy (machine.slice/libpod-<id>.scope with cpu.stat, cpu.max,
memory, pids, io), a procfs with one process per container, and podman's
runtime state (containers.json + userdata/config.json) under a host root.
usage: agent_tree.py OUT_DIR N [--distinct-exes]
--distinct-exes: each process's exe is its own file (OUT_DIR/bin/app-I: /bin/sleep
with 8 bytes of its own appended), so a cold sweep hashes N distinct binaries
instead of one binary N times (the exe hash cache would hide the cost)."""
import hashlib, json, os, shutil, sys

out, n = sys.argv[1], int(sys.argv[2])
distinct = "--distinct-exes" in sys.argv[3:]
cg, proc, host = (os.path.join(out, d) for d in ("cgroup", "proc", "host"))
store = os.path.join(host, "var/lib/containers/storage/overlay-containers")
for d in (cg, proc, store):
    os.makedirs(d, exist_ok=True)

def w(path, text):
    with open(path, "w") as f:
        f.write(text)

w(os.path.join(cg, "cgroup.controllers"), "cpuset cpu io memory pids\n")
os.makedirs(os.path.join(cg, "machine.slice"), exist_ok=True)
w(os.path.join(proc, "stat"),
  "cpu  100000 0 50000 2000000 1000 0 500 0 0 0\ncpu0 50000 0 25000 1000000 500 0 250 0 0 0\n"
  "cpu1 50000 0 25000 1000000 500 0 250 0 0 0\nintr 0\nctxt 0\nbtime 1795300000\nprocesses 1\n")
entries = []
for i in range(n):
    cid = hashlib.sha256(b"hh-bench-%d" % i).hexdigest()
    d = os.path.join(cg, "machine.slice", "libpod-%s.scope" % cid)
    os.makedirs(d, exist_ok=True)
    pid = 100000 + i
    w(os.path.join(d, "cpu.stat"), "usage_usec %d\nuser_usec %d\nsystem_usec 0\nnr_periods 100\nnr_throttled 0\nthrottled_usec 0\n"
      % (1000000 + i, 1000000 + i))
    w(os.path.join(d, "cpu.max"), "max 100000\n" if i % 2 else "30000 100000\n")
    w(os.path.join(d, "memory.current"), "%d\n" % (4 << 20))
    w(os.path.join(d, "memory.max"), "max\n")
    w(os.path.join(d, "pids.current"), "1\n")
    w(os.path.join(d, "io.stat"), "8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n")
    w(os.path.join(d, "cgroup.procs"), "%d\n" % pid)
    p = os.path.join(proc, str(pid))
    os.makedirs(p, exist_ok=True)
    w(os.path.join(p, "cgroup"), "0::/machine.slice/libpod-%s.scope\n" % cid)
    w(os.path.join(p, "cmdline"), "/bin/sleep\0" + "3600\0")
    w(os.path.join(p, "comm"), "sleep\n")
    w(os.path.join(p, "environ"), "PATH=/usr/bin:/bin\0HOSTNAME=bench%d\0" % i)
    w(os.path.join(p, "stat"), "%d (sleep) S 1 %d %d 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 %d 2367488 200 "
      "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n" % (pid, pid, pid, 1000 + i))
    w(os.path.join(p, "status"), "Name:\tsleep\nState:\tS (sleeping)\nTgid:\t%d\nPid:\t%d\nPPid:\t1\n"
      "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n" % (pid, pid))
    if not os.path.lexists(os.path.join(p, "exe")):
        exe = "/bin/sleep"
        if distinct:
            exe = os.path.abspath(os.path.join(out, "bin", "app-%d" % i))
            os.makedirs(os.path.dirname(exe), exist_ok=True)
            shutil.copyfile("/bin/sleep", exe)
            with open(exe, "ab") as f:
                f.write(i.to_bytes(8, "little"))
            os.chmod(exe, 0o755)
        os.symlink(exe, os.path.join(p, "exe"))
    u = os.path.join(store, cid, "userdata")
    os.makedirs(u, exist_ok=True)
    w(os.path.join(u, "config.json"), json.dumps({"ociVersion": "1.0.2-dev", "process": {"args": ["/bin/sleep", "3600"]},
      "annotations": {"io.container.manager": "libpod", "org.opencontainers.image.stopSignal": "15"}}))
    entries.append({"id": cid, "names": ["bench-%d" % i], "image": "",
                    "metadata": json.dumps({"image-name": "localhost/bench/app-%d:1.0" % (i % 50), "name": "bench-%d" % i})})
w(os.path.join(store, "containers.json"), json.dumps(entries))
print(out)
