// SPDX-License-Identifier: GPL-2.0
/* hashhound eBPF sensor programs (CO-RE). Each program filters in the kernel
 * (host processes when containers_only, uninteresting paths, ports and
 * ptrace requests) and writes one record (sensor_events.h) into the ring
 * buffer; a failed reserve is counted per program in the per-CPU "lost"
 * array, so a full buffer is never silent. The FPU program only aggregates
 * per process in an LRU hash that user space reads each interval.
 * Classic tracepoints and kprobes only: fentry/tp_btf (BPF_PROG_TYPE_TRACING)
 * is missing on some kernels (this one included). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "sensor_events.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define PF_KTHREAD 0x00200000
#define OVERLAYFS_SUPER_MAGIC 0x794c7630

const volatile struct hh_k_config cfg = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HH_P_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct hh_k_fpu);
} fpu_stats SEC(".maps");

/* Scratch for a path read before deciding whether to report it. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hh_k_sys);
} scratch SEC(".maps");

/* Waking the reader for every record costs more than the probe itself
 * (an irq_work and a wakeup per event; an IPI in a VM). Frequent records
 * (exec, exit, connect) are submitted without a wakeup unless a backlog
 * builds up: the reader polls at least every HH_SENSOR_MAX_WAIT_MS (sensor.h).
 * Rare, sensitive records wake it at once. */
#define HH_WAKEUP_BACKLOG (512 << 10)

static __always_inline void submit_lazy(void *e)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	bpf_ringbuf_submit(e, avail >= HH_WAKEUP_BACKLOG ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

static __always_inline void count_lost(__u32 prog)
{
	__u64 *v = bpf_map_lookup_elem(&lost, &prog);
	if (v)
		*v += 1;
}

static __always_inline __u32 task_pidns(struct task_struct *t)
{
	struct pid *p = BPF_CORE_READ(t, thread_pid);
	if (!p)
		return 0;
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid up = {};
	bpf_core_read(&up, sizeof(up), &p->numbers[level & 31]);
	if (!up.ns)
		return 0;
	return BPF_CORE_READ(up.ns, ns.inum);
}

/* true when the current task must not be reported. in_container_only:
 * the event only means something inside a container (setns, unshare, mount). */
static __always_inline bool skip_current(bool in_container_only)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (tgid == cfg.self_tgid)
		return true;
	if (!cfg.containers_only && !in_container_only)
		return false;
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u32 ns = task_pidns(t);
	return ns == 0 || ns == cfg.host_pidns;
}

static __always_inline void fill_hdr(struct hh_k_hdr *h, __u32 type)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u64 pt = bpf_get_current_pid_tgid();
	__u64 ug = bpf_get_current_uid_gid();
	h->type = type;
	h->flags = 0;
	h->ktime_ns = bpf_ktime_get_ns();
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->pid = pt >> 32;
	h->tid = (__u32)pt;
	h->ppid = BPF_CORE_READ(t, real_parent, tgid);
	h->uid = (__u32)ug;
	h->gid = ug >> 32;
	h->pidns = task_pidns(t);
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

/* ---- exec / exit ---- */

/* overlayfs, described locally (CO-RE flavours) rather than taken from
 * vmlinux.h: overlay may be a module (its BTF then lives in
 * /sys/kernel/btf/overlay, which libbpf also relocates against), and its
 * layout changed in 6.5: before, the lower layer is a path in the inode and
 * struct ovl_entry names its count numlower; since, the inode points to an
 * ovl_entry with __numlower. */
struct ovl_path___hh {
	struct dentry *dentry;
} __attribute__((preserve_access_index));
struct ovl_entry___hh {
	unsigned int __numlower;
} __attribute__((preserve_access_index));
struct ovl_entry___hh61 {
	unsigned int numlower;
} __attribute__((preserve_access_index));
struct ovl_inode___hh {
	struct inode vfs_inode;
	struct dentry *__upperdentry;
	struct ovl_entry___hh *oe;            /* 6.5 and later */
	struct ovl_path___hh lowerpath;       /* before 6.5 */
} __attribute__((preserve_access_index));

static __always_inline bool ovl_has_lower(struct ovl_inode___hh *oi)
{
	if (bpf_core_field_exists(oi->oe)) {
		struct ovl_entry___hh *oe = BPF_CORE_READ(oi, oe);
		if (!oe)
			return false;
		if (bpf_core_field_exists(oe->__numlower))
			return BPF_CORE_READ(oe, __numlower) != 0;
		struct ovl_entry___hh61 *old = (void *)oe;
		return BPF_CORE_READ(old, numlower) != 0;
	}
	if (bpf_core_field_exists(oi->lowerpath))
		return BPF_CORE_READ(oi, lowerpath.dentry) != 0;
	return true; /* unknown layout: never claim "upper layer only" */
}

static __always_inline __u32 exe_flags(struct task_struct *t)
{
	__u32 flags = 0;
	struct file *exe = BPF_CORE_READ(t, mm, exe_file);
	if (!exe)
		return 0;
	char name[8] = {};
	const unsigned char *dname = BPF_CORE_READ(exe, f_path.dentry, d_name.name);
	bpf_probe_read_kernel_str(name, sizeof(name), dname);
	if (name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' && name[4] == 'd' &&
	    name[5] == ':')
		flags |= HH_KF_EXE_MEMFD;
	struct inode *ino = BPF_CORE_READ(exe, f_inode);
	unsigned long magic = BPF_CORE_READ(ino, i_sb, s_magic);
	if (magic == OVERLAYFS_SUPER_MAGIC) {
		/* struct ovl_inode embeds the VFS inode: upper dentry set and no
		 * lower layer means the file was created in the container. */
		struct ovl_inode___hh *oi = (void *)ino - bpf_core_field_offset(struct ovl_inode___hh, vfs_inode);
		struct dentry *upper = BPF_CORE_READ(oi, __upperdentry);
		if (upper && !ovl_has_lower(oi))
			flags |= HH_KF_EXE_UPPER;
	}
	return flags;
}

SEC("tracepoint/sched/sched_process_exec")
int tp_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	/* a new program image: its FPU behaviour starts from zero */
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_map_delete_elem(&fpu_stats, &tgid);
	if (skip_current(false))
		return 0;
	struct hh_k_exec *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost(HH_P_EXEC);
		return 0;
	}
	fill_hdr(&e->h, HH_K_EXEC);
	unsigned int off = ctx->__data_loc_filename & 0xFFFF;
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), (void *)ctx + off);

	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	e->h.flags = exe_flags(t);
	unsigned long a0 = BPF_CORE_READ(t, mm, arg_start);
	unsigned long a1 = BPF_CORE_READ(t, mm, arg_end);
	unsigned long n = a1 > a0 ? a1 - a0 : 0;
	if (n > HH_K_ARGS_LEN) {
		n = HH_K_ARGS_LEN;
		e->h.flags |= HH_KF_ARGS_TRUNC;
	}
	e->args_len = 0;
	e->pad = 0;
	barrier_var(n);
	if (n > 0 && n <= HH_K_ARGS_LEN && bpf_probe_read_user(e->args, n, (void *)a0) == 0)
		e->args_len = n;
	submit_lazy(e);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int tp_exit(struct trace_event_raw_sched_process_template *ctx)
{
	__u64 pt = bpf_get_current_pid_tgid();
	if ((__u32)pt != (pt >> 32))
		return 0; /* a thread, not the process */
	/* the FPU summary of a gone process is not deleted here: user space
	 * emits its last summary first and deletes it (LRU bounds the rest) */
	if (skip_current(false))
		return 0;
	struct hh_k_exit *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost(HH_P_EXIT);
		return 0;
	}
	fill_hdr(&e->h, HH_K_EXIT);
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	e->exit_code = BPF_CORE_READ(t, exit_code);
	e->pad = 0;
	submit_lazy(e);
	return 0;
}

/* ---- path filter for sensitive opens ---- */

static __always_inline bool has_prefix(const char *s, const char *p, int plen)
{
	for (int i = 0; i < plen; i++)
		if (s[i] != p[i])
			return false;
	return true;
}

/* len: bytes including the terminating NUL, as bpf_probe_read_*_str returns. */
static __always_inline bool has_suffix(const char *s, int len, const char *p, int plen)
{
	int start = len - 1 - plen;
	if (start < 0)
		return false;
	for (int i = 0; i < plen; i++)
		if (s[(start + i) & (HH_K_FNAME_LEN - 1)] != p[i])
			return false;
	return true;
}

#define PREFIX(s, lit) has_prefix(s, lit, sizeof(lit) - 1)
#define SUFFIX(s, len, lit) has_suffix(s, len, lit, sizeof(lit) - 1)

static __always_inline bool runtime_socket(const char *s, int len)
{
	return SUFFIX(s, len, "/docker.sock") || SUFFIX(s, len, "/containerd.sock") ||
	       SUFFIX(s, len, "/crio.sock") || SUFFIX(s, len, "/podman.sock");
}

static __always_inline bool sensitive_path(const char *s, int len)
{
	if (len < 2)
		return false;
	if (PREFIX(s, "/dev/cpu/") && SUFFIX(s, len, "/msr"))
		return true;
	if (PREFIX(s, "/proc/")) {
		if (PREFIX(s, "/proc/sys/vm/nr_hugepages") || PREFIX(s, "/proc/sys/kernel/core_pattern"))
			return true;
		if (SUFFIX(s, len, "/mem"))
			return true;
	}
	if (SUFFIX(s, len, "/release_agent"))
		return true;
	return runtime_socket(s, len);
}

static __always_inline int report_sys(__u32 type, __u32 prog, __u32 flags, struct hh_k_sys *src)
{
	struct hh_k_sys *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost(prog);
		return 0;
	}
	fill_hdr(&e->h, type);
	e->h.flags = flags;
	e->arg[0] = src->arg[0];
	e->arg[1] = src->arg[1];
	e->arg[2] = src->arg[2];
	bpf_probe_read_kernel(e->str, sizeof(e->str), src->str);
	bpf_probe_read_kernel(e->str2, sizeof(e->str2), src->str2);
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	return 0;
}

static __always_inline struct hh_k_sys *scratch_get(void)
{
	__u32 zero = 0;
	struct hh_k_sys *s = bpf_map_lookup_elem(&scratch, &zero);
	if (s) {
		s->arg[0] = s->arg[1] = s->arg[2] = 0;
		s->str[0] = 0;
		s->str2[0] = 0;
	}
	return s;
}

static __always_inline int on_open(const char *upath, __u64 flags)
{
	if (skip_current(false))
		return 0;
	struct hh_k_sys *s = scratch_get();
	if (!s)
		return 0;
	int len = bpf_probe_read_user_str(s->str, sizeof(s->str), upath);
	if (len <= 0 || !sensitive_path(s->str, len))
		return 0;
	s->arg[0] = flags;
	return report_sys(HH_K_OPEN, HH_P_OPEN, 0, s);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tp_openat(struct trace_event_raw_sys_enter *ctx)
{
	return on_open((const char *)ctx->args[1], ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_openat2")
int tp_openat2(struct trace_event_raw_sys_enter *ctx)
{
	__u64 flags = 0;
	bpf_probe_read_user(&flags, sizeof(flags), (void *)ctx->args[2]); /* struct open_how.flags */
	return on_open((const char *)ctx->args[1], flags);
}

SEC("tracepoint/syscalls/sys_enter_open")
int tp_open(struct trace_event_raw_sys_enter *ctx)
{
	return on_open((const char *)ctx->args[0], ctx->args[1]);
}

/* ---- connect ---- */

SEC("tracepoint/syscalls/sys_enter_connect")
int tp_connect(struct trace_event_raw_sys_enter *ctx)
{
	const void *uaddr = (const void *)ctx->args[1];
	__u16 family = 0;
	if (bpf_probe_read_user(&family, sizeof(family), uaddr) < 0)
		return 0;
	if (family != AF_INET && family != AF_INET6 && family != AF_UNIX)
		return 0;
	if (skip_current(false))
		return 0;
	if (family == AF_UNIX) {
		/* Runtime sockets are reached with connect(2), not open(2). */
		struct hh_k_sys *s = scratch_get();
		if (!s)
			return 0;
		int len = bpf_probe_read_user_str(s->str, 108, uaddr + 2);
		if (len <= 0 || !runtime_socket(s->str, len))
			return 0;
		return report_sys(HH_K_OPEN, HH_P_OPEN, HH_KF_UNIX, s);
	}
	struct hh_k_connect *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost(HH_P_CONNECT);
		return 0;
	}
	fill_hdr(&e->h, HH_K_CONNECT);
	e->family = family;
	e->pad = 0;
	__u16 nport = 0;
	bpf_probe_read_user(&nport, sizeof(nport), uaddr + 2);
	e->port = bpf_ntohs(nport);
	__builtin_memset(e->addr, 0, sizeof(e->addr));
	if (family == AF_INET)
		bpf_probe_read_user(e->addr, 4, uaddr + 4);
	else
		bpf_probe_read_user(e->addr, 16, uaddr + 8);
	submit_lazy(e);
	return 0;
}

/* ---- DNS: UDP datagrams to port 53 (sendto, sendmsg, sendmmsg) ----
 * Syscall tracepoints rather than a kprobe on udp_sendmsg: kprobes are not
 * built into every kernel (this one has none). A connected socket (the
 * glibc resolver) has no address in the call: the peer comes from the sock. */

#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define IPPROTO_UDP 17

/* The UDP sock behind fd of the current task, or NULL. */
static __always_inline struct sock *udp_sock_of(int fd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	if (!fdt || fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = 0;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd & 0xffffff]);
	if (!f)
		return 0;
	umode_t mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return 0;
	struct socket *so = BPF_CORE_READ(f, private_data);
	struct sock *sk = so ? BPF_CORE_READ(so, sk) : 0;
	if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_UDP)
		return 0;
	return sk;
}

/* uaddr: the destination the caller passed (user memory), or NULL. */
static __always_inline int on_udp_send(int fd, const void *uaddr, const void *buf, __u64 len)
{
	struct sock *sk = udp_sock_of(fd);
	if (!sk)
		return 0;
	__u16 family = 0, nport = 0;
	__u8 addr[16] = {};
	if (uaddr) {
		bpf_probe_read_user(&family, sizeof(family), uaddr);
		bpf_probe_read_user(&nport, sizeof(nport), uaddr + 2);
		if (family == AF_INET)
			bpf_probe_read_user(addr, 4, uaddr + 4);
		else if (family == AF_INET6)
			bpf_probe_read_user(addr, 16, uaddr + 8);
	} else {
		family = BPF_CORE_READ(sk, __sk_common.skc_family);
		nport = BPF_CORE_READ(sk, __sk_common.skc_dport);
		if (family == AF_INET)
			bpf_core_read(addr, 4, &sk->__sk_common.skc_daddr);
		else
			bpf_core_read(addr, 16, &sk->__sk_common.skc_v6_daddr);
	}
	if (bpf_ntohs(nport) != 53)
		return 0;
	if (skip_current(false))
		return 0;
	struct hh_k_dns *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost(HH_P_DNS);
		return 0;
	}
	fill_hdr(&e->h, HH_K_DNS);
	e->family = family;
	e->port = 53;
	__builtin_memcpy(e->addr, addr, sizeof(addr));
	if (len > HH_K_DNS_LEN)
		len = HH_K_DNS_LEN;
	e->len = 0;
	barrier_var(len);
	if (buf && len > 0 && len <= HH_K_DNS_LEN && bpf_probe_read_user(e->payload, len, buf) == 0)
		e->len = len;
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int tp_sendto(struct trace_event_raw_sys_enter *ctx)
{
	return on_udp_send((int)ctx->args[0], (const void *)ctx->args[4], (const void *)ctx->args[1],
			   ctx->args[2]);
}

/* struct user_msghdr in user memory: first iovec only (DNS queries are one buffer). */
static __always_inline int on_user_msghdr(int fd, const struct user_msghdr *um)
{
	struct user_msghdr m = {};
	if (bpf_probe_read_user(&m, sizeof(m), um) < 0)
		return 0;
	struct iovec iov = {};
	if (m.msg_iov && m.msg_iovlen > 0)
		bpf_probe_read_user(&iov, sizeof(iov), m.msg_iov);
	return on_udp_send(fd, m.msg_name, iov.iov_base, iov.iov_len);
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int tp_sendmsg(struct trace_event_raw_sys_enter *ctx)
{
	return on_user_msghdr((int)ctx->args[0], (const struct user_msghdr *)ctx->args[1]);
}

/* glibc sends the A and AAAA queries together with sendmmsg: the first two. */
SEC("tracepoint/syscalls/sys_enter_sendmmsg")
int tp_sendmmsg(struct trace_event_raw_sys_enter *ctx)
{
	const struct mmsghdr *v = (const struct mmsghdr *)ctx->args[1];
	unsigned int vlen = (unsigned int)ctx->args[2];
	if (vlen > 0)
		on_user_msghdr((int)ctx->args[0], &v[0].msg_hdr);
	if (vlen > 1)
		on_user_msghdr((int)ctx->args[0], &v[1].msg_hdr);
	return 0;
}

/* ---- modules, ptrace, namespaces, mount, memfd ---- */

SEC("tracepoint/syscalls/sys_enter_init_module")
int tp_init_module(struct trace_event_raw_sys_enter *ctx)
{
	if (skip_current(false))
		return 0;
	struct hh_k_sys *s = scratch_get();
	if (!s)
		return 0;
	s->arg[0] = ctx->args[1]; /* image length */
	bpf_probe_read_user_str(s->str2, sizeof(s->str2), (void *)ctx->args[2]);
	return report_sys(HH_K_MODULE, HH_P_MODULE, 0, s);
}

SEC("tracepoint/syscalls/sys_enter_finit_module")
int tp_finit_module(struct trace_event_raw_sys_enter *ctx)
{
	if (skip_current(false))
		return 0;
	struct hh_k_sys *s = scratch_get();
	if (!s)
		return 0;
	int fd = (int)ctx->args[0];
	s->arg[0] = fd;
	s->arg[1] = ctx->args[2];
	bpf_probe_read_user_str(s->str2, sizeof(s->str2), (void *)ctx->args[1]);
	/* the module file's name, from the fd table */
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct file **fds = BPF_CORE_READ(t, files, fdt, fd);
	unsigned int max = BPF_CORE_READ(t, files, fdt, max_fds);
	if (fds && fd >= 0 && (unsigned int)fd < max) {
		struct file *f = 0;
		bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
		if (f) {
			const unsigned char *dn = BPF_CORE_READ(f, f_path.dentry, d_name.name);
			bpf_probe_read_kernel_str(s->str, sizeof(s->str), dn);
		}
	}
	return report_sys(HH_K_MODULE, HH_P_MODULE, 0, s);
}

SEC("tracepoint/syscalls/sys_enter_ptrace")
int tp_ptrace(struct trace_event_raw_sys_enter *ctx)
{
	long req = ctx->args[0];
	/* attach and write requests only: PEEK and GETREGS are what debuggers
	 * and profilers do all day */
	if (req != 16 /* ATTACH */ && req != 0x4206 /* SEIZE */ && req != 4 && req != 5 &&
	    req != 6 /* POKETEXT/DATA/USER */ && req != 13 /* SETREGS */)
		return 0;
	if (skip_current(false))
		return 0;
	struct hh_k_sys *s = scratch_get();
	if (!s)
		return 0;
	s->arg[0] = req;
	s->arg[1] = ctx->args[1];
	return report_sys(HH_K_PTRACE, HH_P_PTRACE, 0, s);
}

SEC("tracepoint/syscalls/sys_enter_setns")
int tp_setns(struct trace_event_raw_sys_enter *ctx)
{
	if (skip_current(true))
		return 0;
	struct hh_k_sys *s = scratch_get();
	if (!s)
		return 0;
	s->arg[0] = ctx->args[0];
	s->arg[1] = ctx->args[1];
	return report_sys(HH_K_SETNS, HH_P_SETNS, 0, s);
}

SEC("tracepoint/syscalls/sys_enter_unshare")
int tp_unshare(struct trace_event_raw_sys_enter *ctx)
{
	if (skip_current(true))
		return 0;
	struct hh_k_sys *s = scratch_get();
	if (!s)
		return 0;
	s->arg[0] = ctx->args[0];
	return report_sys(HH_K_UNSHARE, HH_P_UNSHARE, 0, s);
}

SEC("tracepoint/syscalls/sys_enter_mount")
int tp_mount(struct trace_event_raw_sys_enter *ctx)
{
	if (skip_current(true))
		return 0;
	struct hh_k_sys *s = scratch_get();
	if (!s)
		return 0;
	/* str: "source\0target" packed would need a third field; keep the
	 * target (str), the fstype (str2) and flags; user space reads
	 * the source with the target from /proc/PID/mountinfo if it needs it */
	bpf_probe_read_user_str(s->str, sizeof(s->str), (void *)ctx->args[1]);
	bpf_probe_read_user_str(s->str2, sizeof(s->str2), (void *)ctx->args[2]);
	s->arg[0] = ctx->args[3];
	return report_sys(HH_K_MOUNT, HH_P_MOUNT, 0, s);
}

SEC("tracepoint/syscalls/sys_enter_memfd_create")
int tp_memfd(struct trace_event_raw_sys_enter *ctx)
{
	if (skip_current(false))
		return 0;
	struct hh_k_sys *s = scratch_get();
	if (!s)
		return 0;
	bpf_probe_read_user_str(s->str, sizeof(s->str), (void *)ctx->args[0]);
	s->arg[0] = ctx->args[1];
	return report_sys(HH_K_MEMFD, HH_P_MEMFD, 0, s);
}

/* ---- FPU rounding mode (RandomX leaves MXCSR.RC non-default) ---- */

/* Threads the FPU program follows: created at a thread's first switch with a
 * non-default rounding mode (1: followed; 2: filtered out). A thread that
 * never leaves the default mode costs one task-storage lookup per switch and
 * no hash lookup (the context-switch storm of bench/layered.sh). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
} fpu_followed SEC(".maps");

/* One context switch in HH_FPU_SAMPLE is looked at (a per-CPU counter: the
 * others cost an array access); counts in the map are of sampled switches. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} fpu_tick SEC(".maps");

SEC("tracepoint/x86_fpu/x86_fpu_regs_deactivated")
int tp_fpu(struct trace_event_raw_x86_fpu *ctx)
{
	__u32 zero = 0;
	__u32 *tick = bpf_map_lookup_elem(&fpu_tick, &zero);
	if (!tick || (++*tick % HH_FPU_SAMPLE) != 0)
		return 0;
	struct fpu *fpu = ctx->fpu;
	if (!fpu)
		return 0;
	__u32 mxcsr = BPF_CORE_READ(fpu, fpstate, regs.xsave.i387.mxcsr);
	__u32 *follow = bpf_task_storage_get(&fpu_followed, bpf_get_current_task_btf(), 0,
					     (mxcsr & HH_MXCSR_RC_MASK) || cfg.fpu_all ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	if (!follow)
		return 0;
	if (*follow == 0) { /* first non-default switch of this thread: filter once */
		struct task_struct *t = (struct task_struct *)bpf_get_current_task();
		*follow = (BPF_CORE_READ(t, flags) & PF_KTHREAD) || skip_current(false) ? 2 : 1;
	}
	if (*follow != 1)
		return 0;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct hh_k_fpu *st = bpf_map_lookup_elem(&fpu_stats, &tgid);
	if (!st) {
		struct hh_k_fpu init = {};
		init.cgroup_id = bpf_get_current_cgroup_id();
		bpf_get_current_comm(init.comm, sizeof(init.comm));
		/* may race with another CPU inserting the same tgid: fine, look up again */
		bpf_map_update_elem(&fpu_stats, &tgid, &init, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&fpu_stats, &tgid);
		if (!st) {
			count_lost(HH_P_FPU);
			return 0;
		}
	}
	__sync_fetch_and_add(&st->switches, 1);
	st->mxcsr_last = mxcsr;
	if (mxcsr & HH_MXCSR_RC_MASK) {
		__sync_fetch_and_add(&st->nondefault, 1);
		st->mxcsr_nondefault_last = mxcsr;
	}
	return 0;
}

/* ---- memory traits of a RandomX VM (miner.randomx-profile) ----
 * Counted into the same per-process FPU summary: JIT code made executable
 * (mprotect with PROT_EXEC), executable anonymous mappings, huge-page
 * requests. Only these calls touch the map. */
#define HH_PROT_EXEC 0x4
#define HH_MAP_ANONYMOUS 0x20
#define HH_MAP_HUGETLB 0x40000
#define HH_MADV_HUGEPAGE 14

static __always_inline struct hh_k_fpu *mem_stats(void)
{
	if (skip_current(false))
		return NULL;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct hh_k_fpu *st = bpf_map_lookup_elem(&fpu_stats, &tgid);
	if (st)
		return st;
	struct hh_k_fpu init = {};
	init.cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(init.comm, sizeof(init.comm));
	bpf_map_update_elem(&fpu_stats, &tgid, &init, BPF_NOEXIST);
	st = bpf_map_lookup_elem(&fpu_stats, &tgid);
	if (!st)
		count_lost(HH_P_FPU);
	return st;
}

SEC("tracepoint/syscalls/sys_enter_mprotect")
int tp_mprotect(struct trace_event_raw_sys_enter *ctx)
{
	if (!(ctx->args[2] & HH_PROT_EXEC))
		return 0;
	struct hh_k_fpu *st = mem_stats();
	if (st)
		__sync_fetch_and_add(&st->exec_protects, 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_mmap")
int tp_mmap(struct trace_event_raw_sys_enter *ctx)
{
	__u64 prot = ctx->args[2], flags = ctx->args[3];
	bool anon_exec = (prot & HH_PROT_EXEC) && (flags & HH_MAP_ANONYMOUS);
	bool huge = flags & HH_MAP_HUGETLB;
	if (!anon_exec && !huge)
		return 0;
	struct hh_k_fpu *st = mem_stats();
	if (!st)
		return 0;
	if (anon_exec)
		__sync_fetch_and_add(&st->anon_exec_maps, 1);
	if (huge)
		__sync_fetch_and_add(&st->hugepage_reqs, 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_madvise")
int tp_madvise(struct trace_event_raw_sys_enter *ctx)
{
	if (ctx->args[2] != HH_MADV_HUGEPAGE)
		return 0;
	struct hh_k_fpu *st = mem_stats();
	if (st)
		__sync_fetch_and_add(&st->hugepage_reqs, 1);
	return 0;
}
