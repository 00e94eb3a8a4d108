# Checks the JSON lines `hashhound sensor` printed in tests/integration/sensor.sh.
#   check.py ebpf FILE TRIGGER_CGID BENIGN_CGID
#   check.py fallback FILE CGID
#   check.py fpu FILE ERRFILE MINER_PID PLAIN_SIM_PID
import json, statistics, sys

def load(path):
    out = []
    for n, line in enumerate(open(path), 1):
        line = line.strip()
        if line:
            try:
                out.append(json.loads(line))
            except ValueError as e:
                sys.exit("%s:%d: not JSON: %s" % (path, n, e))
    return out

failures = []
def need(cond, what):
    print(("  ok    " if cond else "  FAIL  ") + what)
    if not cond:
        failures.append(what)

def lat(evs):
    v = [e["evt.latency_us"] for e in evs if "evt.latency_us" in e]
    if not v:
        return "n/a"
    return "median %d us, max %d us (n=%d)" % (statistics.median(v), max(v), len(v))

mode = sys.argv[1]
evs = load(sys.argv[2])
if mode == "ebpf":
    trig, benign = int(sys.argv[3]), int(sys.argv[4])
    t = [e for e in evs if e.get("container.cgroup_id") == trig]
    b = [e for e in evs if e.get("container.cgroup_id") == benign]
    host = [e for e in evs if e.get("container.cgroup_id") not in (trig, benign)]
    print("events: %d from the trigger container, %d from the benign one, %d others" % (len(t), len(b), len(host)))
    def find(kind, **kw):
        return [e for e in t if e["evt.type"] == kind and all(
            (v(e.get(k)) if callable(v) else e.get(k) == v) for k, v in kw.items())]
    checks = [
        ("exec of the trigger script", find("execve", **{"proc.cmdline": lambda c: c and "triggers.py all" in c})),
        ("connect IPv4 127.0.0.1:3333", find("connect", **{"fd.sip": "127.0.0.1", "fd.sport": 3333})),
        ("connect IPv6 [::1]:14444", find("connect", **{"fd.sip": "::1", "fd.sport": 14444})),
        ("dns query pool.hh-sensor-t.example", find("dns", **{"dns.query": "pool.hh-sensor-t.example", "fd.sport": 53})),
        ("open nr_hugepages", find("open", **{"fd.name": "/proc/sys/vm/nr_hugepages"})),
        ("open msr", find("open", **{"fd.name": "/dev/cpu/0/msr"})),
        ("open core_pattern", find("open", **{"fd.name": "/proc/sys/kernel/core_pattern"})),
        ("open /proc/self/mem", find("open", **{"fd.name": "/proc/self/mem"})),
        ("open release_agent", find("open", **{"fd.name": "/sys/fs/cgroup/memory/release_agent"})),
        ("open containerd.sock", find("open", **{"fd.name": "/run/containerd/containerd.sock"})),
        ("connect docker.sock (unix)", find("open", **{"fd.name": "/var/run/docker.sock", "fd.type": "unix"})),
        ("memfd_create hh-fileless", find("memfd_create", **{"evt.arg.name": "hh-fileless"})),
        ("exec from a memfd", find("execve", **{"proc.exe_memfd": True})),
        ("exec of a dropped binary (upper layer)", find("execve", **{"proc.exepath": "/var/tmp/hh-dropped", "proc.exe_upper_layer": True})),
        ("host binary not flagged upper", find("execve", **{"proc.exepath": "/usr/bin/cp", "proc.exe_upper_layer": False})),
        ("ptrace attach", find("ptrace", **{"evt.arg.request": 16})),
        ("setns CLONE_NEWNET", find("setns", **{"evt.arg.nstype": 0x40000000})),
        ("unshare CLONE_NEWUSER", find("unshare", **{"evt.arg.flags": 0x10000000})),
        ("mount tmpfs on /mnt", find("mount", **{"fd.name": "/mnt", "evt.arg.fstype": "tmpfs"})),
        ("exit", find("exit")),
    ]
    for what, got in checks:
        need(bool(got), "%s: %s" % (what, lat(got) if got else "missing"))
    # every container event names the container's processes, not the host's
    need(all(e["proc.pid"] > 0 for e in t), "pids set")
    sensitive = ("open", "ptrace", "setns", "unshare", "mount", "memfd_create", "init_module")
    # the runtime's own init sets up the container (mounts, pivot_root, namespaces)
    # inside it before it executes the workload: only what follows that exec counts
    first_exec = min([e["evt.ktime_ns"] for e in b if e["evt.type"] == "execve"] or [0])
    setup = [e for e in b if e["evt.ktime_ns"] < first_exec]
    print("  (benign container: %d runtime setup events before its first exec, by %s)" %
          (len(setup), ", ".join(sorted({e.get("proc.name", "?") for e in setup}))))
    bad = [e for e in b if e["evt.type"] in sensitive and e["evt.ktime_ns"] >= first_exec]
    need(not bad, "benign container: no sensitive-open/escape events (%d seen%s)" %
         (len(bad), (": " + json.dumps(bad[0])) if bad else ""))
    need(any(e["evt.type"] == "execve" for e in b), "benign container: its exec is seen")
    need(not [e for e in host if e["evt.type"] == "execve" and e.get("container.cgroup_id") == 1],
         "--containers-only: no host execs")
    for kind in ("execve", "connect", "dns", "open"):
        print("  latency %-8s %s" % (kind, lat([e for e in t if e["evt.type"] == kind])))
elif mode == "fallback":
    cg = int(sys.argv[3])
    got = [e for e in evs if e["evt.type"] == "execve" and "hh-fallback-marker" in e.get("proc.cmdline", "")]
    need(bool(got), "fallback exec seen")
    if got:
        need(got[0].get("container.cgroup_id") == cg, "cgroup id %s == %d" % (got[0].get("container.cgroup_id"), cg))
        need(got[0].get("proc.exepath", "").startswith("/usr/bin/python3"), "exepath %s" % got[0].get("proc.exepath"))
        print("  latency  %s" % lat(got))
    need(not [e for e in evs if e.get("container.cgroup_id") == 1], "--containers-only: no host processes")
elif mode == "fpu":
    last = {}
    for e in evs:
        if e["evt.type"] == "fpu":
            last[e["proc.pid"]] = e
    rows = sorted(last.values(), key=lambda e: -e["fpu.nondefault_switches"])
    def table(sel):
        print("  %-16s %7s %8s %12s %8s" % ("process", "pid", "switches", "non-default", "share"))
        for e in sel:
            sw = e["fpu.switches"]
            nd = e["fpu.nondefault_switches"]
            print("  %-16s %7d %8d %12d %7.2f%%" % (e.get("proc.name", "?"), e["proc.pid"], sw, nd,
                                                100.0 * nd / sw if sw else 0))
    miner_pid, plain_pid = int(sys.argv[4]), int(sys.argv[5])
    miner = [e for e in rows if e["proc.pid"] == miner_pid]
    # RandomX picks one of the four rounding modes at random, default included:
    # about three switches in four are non-default
    need(bool(miner) and miner[0]["fpu.nondefault_switches"] > 10 and
         miner[0]["fpu.nondefault_switches"] * 5 > miner[0]["fpu.switches"],
         "hh-minersim --fpu-rounding (pid %d): non-default rounding on more than 20%% of its switches" % miner_pid)
    # our benign workloads (other processes on a shared machine are not ours to judge)
    ours = ("stress-ng", "xz", "openssl", "python3", "cc1", "as", "ld", "gcc", "collect2", "hh-plain-sim")
    benign = [e for e in rows if e not in miner and e["fpu.switches"] >= 20 and
              (e.get("proc.name", "").startswith(ours) or e["proc.pid"] == plain_pid)]
    table(miner + benign)
    others = [e for e in rows if e not in miner and e not in benign and e["fpu.nondefault_switches"]]
    if others:
        print("  other processes on this machine with non-default switches:")
        table(others)
    need(any(e["proc.pid"] == plain_pid for e in benign), "hh-minersim without --fpu-rounding measured")
    names = {e.get("proc.name") for e in benign}
    noisy = [e for e in benign if e["fpu.nondefault_switches"] * 100 > e["fpu.switches"]]
    need(not noisy, "benign workloads (%s): non-default share under 1%%" % ", ".join(sorted(n for n in names if n)))
    need(len(benign) >= 3, "at least three benign workloads measured")
else:
    sys.exit("unknown mode " + mode)
sys.exit(1 if failures else 0)
