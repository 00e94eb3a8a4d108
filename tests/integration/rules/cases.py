# Trigger and benign counterpart for each default rule (rules/miner.yaml),
# run in real containers by rules_in_containers.sh. Each command runs as
# `sh -c CMD` in a container over the host root (--rootfs /:O), with the test
# work directory at /hh (hh-minersim copied there). Every trigger may fail
# with EPERM/ENOENT: the attempt is what the sensor sees.
PY = "python3 -c "
WALLET = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"
SLEEP = "import time; time.sleep(0.6)"

def py(code, *args):
    return PY + "'" + code + "' " + " ".join(args)

DNSQ = ("import socket,struct,sys; n=sys.argv[1].encode(); "
        "q=struct.pack(\">HHHHHH\",1,256,1,0,0,0)+b\"\".join(bytes([len(l)])+l for l in n.split(b\".\"))+b\"\\0\\0\\1\\0\\1\"; "
        "socket.socket(socket.AF_INET,socket.SOCK_DGRAM).sendto(q,(\"127.0.0.1\",53))")
CONNECT = ("import socket,sys; s=socket.socket(); s.setblocking(False)\n"
           "try: s.connect((sys.argv[1],int(sys.argv[2])))\nexcept OSError: pass")
OPENW = ("import os,sys\ntry: os.close(os.open(sys.argv[1], os.O_WRONLY))\nexcept OSError: pass")
OPENR = ("import os,sys\ntry: os.close(os.open(sys.argv[1], os.O_RDONLY))\nexcept OSError: pass")
UNIX = ("import socket,sys; s=socket.socket(socket.AF_UNIX)\ntry: s.connect(sys.argv[1])\nexcept OSError: pass")
MEMFD = ("import os; fd=os.memfd_create(\"x\",0); os.write(fd,open(\"/bin/true\",\"rb\").read()); "
         "os.execv(\"/proc/self/fd/%d\"%fd,[\"x\"])")
PTRACE = ("import ctypes,os,time; c=os.fork()\nif c==0: time.sleep(2); os._exit(0)\n"
          "ctypes.CDLL(None).ptrace(%d,c,None,None); os.kill(c,9); os.waitpid(c,0)")
SIM = "/hh/hh-minersim --threads 4 --duration 8 --quiet"

# (rule id, trigger, benign counterpart); None: cannot be triggered here (reason)
CASES = [
    ("miner.stratum-url", py(SLEEP, "-o", "stratum+tcp://pool.minexmr.com:4444"), py(SLEEP, "-o", "https://example.com:4444")),
    ("miner.stratum-url-env", "POOL=stratum+tcp://pool.minexmr.com:4444 " + py(SLEEP), "POOL=https://example.com " + py(SLEEP)),
    ("miner.cmdline-flags", py(SLEEP, "--donate-level", "1"), py(SLEEP, "--level", "1")),
    ("miner.wallet-arg", py(SLEEP, "-u", WALLET), py(SLEEP, "-u", "alice")),
    ("miner.binary-name", "cp /bin/sleep /usr/local/bin/xmrig && /usr/local/bin/xmrig 0.5", "cp /bin/sleep /usr/local/bin/webapp && /usr/local/bin/webapp 0.5"),
    ("miner.renamed-binary", "cp /hh/hh-minersim /usr/local/bin/kworkerd && /usr/local/bin/kworkerd --duration 1 --quiet",
     "cp /bin/sleep /usr/local/bin/kworkerd && /usr/local/bin/kworkerd 1"),
    ("miner.fpu-randomx", SIM + " --fpu-rounding", SIM),
    ("miner.msr-access", py(OPENR, "/dev/cpu/0/msr"), py(OPENR, "/dev/null")),
    ("miner.msr-module", "cp /bin/true /usr/local/bin/modprobe && /usr/local/bin/modprobe msr", "cp /bin/true /usr/local/bin/modprobe && /usr/local/bin/modprobe dummy"),
    ("miner.hugepages", py(OPENW, "/proc/sys/vm/nr_hugepages"), py(OPENR, "/proc/sys/vm/nr_hugepages")),
    ("net.miner-pool-dns", py(DNSQ, "pool.supportxmr.com"), py(DNSQ, "www.example.org")),
    ("net.miner-pool-port", py(CONNECT, "203.0.113.7", "3333"), py(CONNECT, "203.0.113.7", "443")),
    ("net.miner-pool-domain-port", None, "needs fd.sip.name: the sensor sees DNS queries, not answers"),
    ("net.miner-pool-domain", None, "needs fd.sip.name: the sensor sees DNS queries, not answers"),
    ("container.drift-exec", "cp /bin/sleep /usr/local/bin/hh-dropped && /usr/local/bin/hh-dropped 0.3", "/bin/sleep 0.3"),
    ("exec.tmp-dir", "cp /bin/sleep /tmp/hh-tmp && /tmp/hh-tmp 0.3", "/bin/sleep 0.3"),
    ("exec.memfd", py(MEMFD), py("import os; os.execv(\"/bin/true\",[\"true\"])")),
    ("dropper.curl-pipe-sh", "sh -c 'curl -s http://127.0.0.1:9/x | sh; sleep 0.3'", "sh -c 'curl -s http://127.0.0.1:9/x -o /dev/null; sleep 0.3'"),
    ("escape.namespace-change", py("import ctypes; ctypes.CDLL(None).unshare(0x10000000)"), py("import os; os.getpid()")),
    ("escape.mount", py("import ctypes; ctypes.CDLL(None).mount(b\"none\",b\"/mnt\",b\"tmpfs\",0,None)"), py(OPENR, "/proc/self/mounts")),
    ("escape.release-agent", py(OPENW, "/sys/fs/cgroup/memory/release_agent"), py(OPENR, "/sys/fs/cgroup/memory/release_agent")),
    ("escape.core-pattern", py(OPENW, "/proc/sys/kernel/core_pattern"), py(OPENR, "/proc/sys/kernel/core_pattern")),
    ("escape.runtime-socket", py(UNIX, "/var/run/docker.sock"), py(UNIX, "/run/hh-app.sock")),
    ("escape.proc-mem", py("import os\ntry: os.close(os.open(\"/proc/%d/mem\"%os.getpid(),os.O_RDONLY))\nexcept OSError: pass"),
     py("import os; os.close(os.open(\"/proc/%d/status\"%os.getpid(),os.O_RDONLY))")),
    ("escape.kernel-module", None, "init_module/finit_module: this kernel has no module support (CONFIG_MODULES off)"),
    ("escape.ptrace", py(PTRACE % 16), py(PTRACE.replace("ctypes.CDLL(None).ptrace(%d,c,None,None); ", "") )),
]
