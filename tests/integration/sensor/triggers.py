# Runs inside a container: performs each syscall the sensor must report,
# once, in a known order; prints the container's cgroup v2 path first.
# Every trigger may fail with EPERM/ENOENT: the sensor sees the attempt.
import ctypes, os, socket, struct, sys, time

libc = ctypes.CDLL(None, use_errno=True)
print(open("/proc/self/cgroup").read().split("0::", 1)[1].split("\n")[0], flush=True)
what = sys.argv[1] if len(sys.argv) > 1 else "all"
# the test reads our cgroup id from the host, then lets us go
for _ in range(200):
    if os.path.exists("/hh/go-" + what):
        break
    time.sleep(0.05)

def tryopen(p):
    try:
        os.close(os.open(p, os.O_RDONLY))
    except OSError:
        pass

if what == "fallback":
    os.execv("/usr/bin/python3", ["python3", "-c", "import time; time.sleep(1)", "hh-fallback-marker"])
if what == "benign":
    tryopen("/etc/hostname")
    tryopen("/proc/self/status")
    tryopen("/proc/sys/kernel/hostname")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect("/run/hh-benign.sock")
    except OSError:
        pass
    os.system("/bin/true")
    sys.exit(0)

# connect, IPv4 and IPv6 (refused is fine: the attempt is the event)
for fam, addr in ((socket.AF_INET, ("127.0.0.1", 3333)), (socket.AF_INET6, ("::1", 14444))):
    s = socket.socket(fam, socket.SOCK_STREAM)
    try:
        s.connect(addr)
    except OSError:
        pass
    s.close()
# DNS query for a pool name to the loopback resolver port
q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0) + b"\x04pool\x0bhh-sensor-t\x07example\x00" + struct.pack(">HH", 1, 1)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(q, ("127.0.0.1", 53))
# sensitive opens
for p in ("/proc/sys/vm/nr_hugepages", "/dev/cpu/0/msr", "/proc/sys/kernel/core_pattern",
          "/proc/self/mem", "/sys/fs/cgroup/memory/release_agent", "/run/containerd/containerd.sock"):
    tryopen(p)
d = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    d.connect("/var/run/docker.sock")
except OSError:
    pass
# memfd, then exec from it (fileless)
fd = os.memfd_create("hh-fileless", 0)
os.write(fd, open("/bin/true", "rb").read())
pid = os.fork()
if pid == 0:
    try:
        os.execv("/proc/self/fd/%d" % fd, ["hh-fileless-exec"])
    finally:
        os._exit(1)
os.waitpid(pid, 0)
# a binary dropped into the container's writable layer, executed
os.system("cp /bin/true /var/tmp/hh-dropped && /var/tmp/hh-dropped")
# ptrace attach to a child
child = os.fork()
if child == 0:
    time.sleep(2)
    os._exit(0)
libc.ptrace(16, child, None, None)
os.kill(child, 9)
os.waitpid(child, 0)
# namespaces and mount
nsfd = os.open("/proc/self/ns/net", os.O_RDONLY)
libc.setns(nsfd, 0x40000000)
libc.unshare(0x10000000)  # CLONE_NEWUSER
libc.mount(b"none", b"/mnt", b"tmpfs", 0, None)
time.sleep(0.2)
