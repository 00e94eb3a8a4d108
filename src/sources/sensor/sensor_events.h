/* The layout of the records the eBPF programs (sensor.bpf.c) write into the
 * ring buffer and the loader (sensor.c, sensor_decode.c) reads. Shared by
 * kernel and user space: fixed-width types only, no pointers. Every record
 * starts with struct hh_k_hdr; hdr.type says which record follows and the
 * decoder checks the record is at least as long as that type's struct.
 * Strings are NUL-terminated within their field when they fit; the decoder
 * never trusts that and always bounds them by the field size. */
#ifndef HH_SENSOR_EVENTS_H
#define HH_SENSOR_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define HH_K_COMM_LEN 16
#define HH_K_FNAME_LEN 256   /* exec filename, open path, memfd name, mount target */
#define HH_K_ARGS_LEN 1024   /* argv, NUL-separated (power of two: used as a mask) */
#define HH_K_DNS_LEN 512     /* DNS payload copied (classic UDP DNS limit) */
#define HH_K_STR2_LEN 64     /* second string: mount fstype */

enum hh_k_type {
	HH_K_EXEC = 1,
	HH_K_EXIT,
	HH_K_CONNECT,
	HH_K_DNS,
	HH_K_OPEN,
	HH_K_MODULE,
	HH_K_PTRACE,
	HH_K_SETNS,
	HH_K_UNSHARE,
	HH_K_MOUNT,
	HH_K_MEMFD,
	HH_K_TYPE_MAX,
};

/* Programs that can lose events (ring buffer full): index into the
 * per-CPU "lost" array. Keep hh_k_prog_names (sensor.c) in step. */
enum hh_k_prog {
	HH_P_EXEC, HH_P_EXIT, HH_P_CONNECT, HH_P_DNS, HH_P_OPEN, HH_P_MODULE,
	HH_P_PTRACE, HH_P_SETNS, HH_P_UNSHARE, HH_P_MOUNT, HH_P_MEMFD, HH_P_FPU,
	HH_P_COUNT,
};

/* exec flags */
#define HH_KF_EXE_UPPER 0x1   /* exe inode lives only in the overlayfs upper layer */
#define HH_KF_EXE_MEMFD 0x2   /* exe is a memfd ("memfd:" dentry name) */
#define HH_KF_ARGS_TRUNC 0x4  /* argv longer than HH_K_ARGS_LEN */
#define HH_KF_UNIX 0x8        /* open: really a connect(2) to an AF_UNIX socket path */

struct hh_k_hdr {
	__u32 type;          /* enum hh_k_type */
	__u32 flags;         /* HH_KF_* */
	__u64 ktime_ns;      /* bpf_ktime_get_ns() at the syscall (CLOCK_MONOTONIC) */
	__u64 cgroup_id;     /* bpf_get_current_cgroup_id() (cgroup v2) */
	__u32 pid, tid, ppid, uid, gid;
	__u32 pidns;         /* pid namespace inode number */
	char comm[HH_K_COMM_LEN];
};

struct hh_k_exec {
	struct hh_k_hdr h;
	__u32 args_len;      /* bytes valid in args */
	__u32 pad;
	char filename[HH_K_FNAME_LEN];
	char args[HH_K_ARGS_LEN];
};

struct hh_k_exit {
	struct hh_k_hdr h;
	__s32 exit_code;     /* wait status as the kernel keeps it */
	__u32 pad;
};

struct hh_k_connect {
	struct hh_k_hdr h;
	__u16 family;        /* AF_INET / AF_INET6 */
	__u16 port;          /* host order */
	__u32 pad;
	__u8 addr[16];       /* IPv4 in the first 4 bytes */
};

struct hh_k_dns {
	struct hh_k_hdr h;
	__u16 family;
	__u16 port;
	__u32 len;           /* payload bytes copied, <= HH_K_DNS_LEN */
	__u8 addr[16];
	__u8 payload[HH_K_DNS_LEN];
};

/* open, module, ptrace, setns, unshare, mount, memfd: a string and up to
 * three syscall arguments (see docs/sensor.md for which is which). */
struct hh_k_sys {
	struct hh_k_hdr h;
	__u64 arg[3];
	char str[HH_K_FNAME_LEN];
	char str2[HH_K_STR2_LEN];
};

/* FPU summary per process (LRU hash keyed by tgid), read by user space. */
struct hh_k_fpu {
	__u64 switches;
	__u64 nondefault;    /* switches with (mxcsr & 0x6000) != 0 */
	__u64 cgroup_id;
	__u32 mxcsr_last;
	__u32 mxcsr_nondefault_last;
	char comm[HH_K_COMM_LEN];
	/* memory traits of a RandomX VM, from syscall tracepoints (cumulative) */
	__u64 exec_protects;   /* mprotect(..., PROT_EXEC): JIT code made executable */
	__u64 anon_exec_maps;  /* mmap(MAP_ANONYMOUS, PROT_EXEC): executable anonymous memory */
	__u64 hugepage_reqs;   /* mmap(MAP_HUGETLB) or madvise(MADV_HUGEPAGE) */
};

/* Read-only configuration the loader writes before load. */
struct hh_k_config {
	__u32 containers_only;  /* skip tasks in the host pid namespace */
	__u32 host_pidns;       /* inode of the host pid namespace */
	__u32 self_tgid;        /* the sensor itself: never reported */
	__u32 fpu_all;          /* follow every thread's FPU switches, not only non-default rounding */
};

#define HH_MXCSR_RC_MASK 0x6000u
#define HH_FPU_SAMPLE 4u        /* the FPU program looks at one context switch in this many, per CPU */

#endif
