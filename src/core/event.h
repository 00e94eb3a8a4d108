/* A runtime event: what the eBPF sensor or the procfs fallback saw one
 * process do. The rule engine evaluates rules over these (field names like
 * Falco's: see src/detectors/rules/fields.c), and the agent enriches them with
 * the workload. Fixed-size, owns no memory: sources fill one on the stack and
 * pass it by pointer; strings longer than a field are truncated (and say so
 * with the *_truncated flags where it matters for evidence). */
#ifndef HH_EVENT_H
#define HH_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/workload.h"

enum hh_event_type {
	HH_EV_EXEC = 1,    /* a process executed a program */
	HH_EV_EXIT,        /* a process exited */
	HH_EV_CONNECT,     /* outbound connect(), IPv4 or IPv6 */
	HH_EV_DNS,         /* a DNS query sent (UDP to port 53), name parsed in user space */
	HH_EV_OPEN,        /* an open of a sensitive path (filtered in the kernel) */
	HH_EV_MODULE,      /* init_module / finit_module */
	HH_EV_PTRACE,      /* ptrace attach/poke */
	HH_EV_SETNS,       /* setns() */
	HH_EV_UNSHARE,     /* unshare() */
	HH_EV_MOUNT,       /* mount() */
	HH_EV_MEMFD,       /* memfd_create() */
	HH_EV_FPU,         /* FPU rounding-mode summary for a process (RandomX trait) */
	HH_EV_PROC,        /* procfs inventory snapshot of a running process */
};

#define HH_EV_COMM_LEN    16
#define HH_EV_PATH_LEN    1024
#define HH_EV_CMDLINE_LEN 4096
#define HH_EV_ENV_LEN     4096
#define HH_EV_MAX_ANCESTORS 8

struct hh_event {
	enum hh_event_type type;
	double time;              /* wall clock, seconds since the epoch */
	uint64_t ktime_ns;        /* kernel monotonic time of the syscall (latency measurement), 0 if unknown */

	/* process */
	int32_t pid, tid, ppid;
	uint32_t uid, gid;
	uint64_t cgroup_id;       /* kernel cgroup v2 id, 0 if unknown */
	char comm[HH_EV_COMM_LEN];              /* proc.name */
	char exepath[HH_EV_PATH_LEN];           /* proc.exepath */
	char cmdline[HH_EV_CMDLINE_LEN];        /* proc.cmdline: argv joined by spaces */
	bool cmdline_truncated;
	char env[HH_EV_ENV_LEN];                /* environment, NUL-separated pairs replaced by '\n'; procfs only */
	char pcomm[HH_EV_COMM_LEN];             /* proc.pname */
	char ancestors[HH_EV_MAX_ANCESTORS][HH_EV_COMM_LEN]; /* proc.aname[1..]: parent first */
	uint8_t n_ancestors;
	bool exe_upper_layer;     /* exe written into the container's writable layer */
	bool exe_memfd;           /* exe is a memfd (fileless) */
	bool exe_deleted;         /* exe unlinked after start */
	char exe_sha256[65];      /* when computed (procfs inventory), else "" */
	/* proc.exe.miner_traits: comma-separated miner traits the sensor found in
	 * the exe's content (e.g. "xmrig-strings,randomx"), "" when none or not
	 * scanned. Lets rules catch renamed miner binaries. */
	char exe_traits[256];

	/* file (open, mount, module, memfd name) */
	char path[HH_EV_PATH_LEN];              /* fd.name */
	int32_t open_flags;

	/* network (connect, dns): the remote end, as Falco's fd.sip/fd.sport */
	uint8_t family;           /* 4 or 6, 0 if none */
	char sip[46];             /* fd.sip */
	uint16_t sport;           /* fd.sport */
	uint8_t l4proto;          /* IPPROTO_TCP / IPPROTO_UDP */
	char sip_name[256];       /* fd.sip.name: the DNS name the process looked up for sip, if known */
	char dns_query[256];      /* the queried name (HH_EV_DNS) */

	/* FPU (HH_EV_FPU) */
	uint64_t fpu_switches;            /* context switches sampled */
	uint64_t fpu_nondefault_switches; /* of which with MXCSR rounding bits (0x6000) non-default */
	uint32_t mxcsr_last;
	uint64_t fpu_exec_protects;       /* mprotect(PROT_EXEC) calls (JIT code made executable) */
	uint64_t fpu_anon_exec_maps;      /* anonymous executable mmaps */
	uint64_t fpu_hugepage_reqs;       /* MAP_HUGETLB mmaps and MADV_HUGEPAGE madvises */

	/* other syscall details */
	int64_t ret;              /* syscall return value where meaningful */
	uint32_t flags;           /* unshare/setns/mount flags, ptrace request */
	int32_t target_pid;       /* ptrace: the traced pid (evt.arg.pid) */
	char arg_str[64];         /* mount: fstype; init_module: module parameters */
	int32_t exit_code;        /* exit: wait status (evt.arg.status) */

	/* identity, filled by enrich */
	struct hh_workload workload;
};

/* "exec", "connect", ... (evt.type) */
const char *hh_event_type_name(enum hh_event_type t);

#endif
