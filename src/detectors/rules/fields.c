/* Field table and getters: the only code that knows struct hh_event's layout
 * on behalf of the rule engine. */
#include "detectors/rules/fields.h"

#include "detectors/indicators/wallet.h"
#include "detectors/rules/fields_flags.h"
#include "detectors/rules/fields_proc.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum fid {
	F_EVT_TYPE, F_EVT_DIR, F_EVT_RAWRES, F_EVT_FLAGS, F_EVT_OPEN_WRITE, F_EVT_OPEN_READ, F_EVT_DNS_QUERY,
	F_PROC_NAME, F_PROC_PID, F_PROC_TID, F_PROC_PPID, F_PROC_CMDLINE, F_PROC_ARGS, F_PROC_EXEPATH,
	F_PROC_EXE, F_PROC_PNAME, F_PROC_ANAME, F_PROC_ENV, F_PROC_UPPER, F_PROC_MEMFD, F_PROC_DELETED,
	F_PROC_TRAITS, F_PROC_WALLET, F_PROC_SHA256, F_PROC_CMDLINE_TRUNC, F_FPU_SWITCHES, F_FPU_NONDEFAULT, F_FPU_MXCSR,
	F_USER_UID, F_GROUP_GID,
	F_CT_ID, F_CT_NAME, F_CT_IMAGE, F_CT_REPO, F_CT_INFO, F_CT_RUNTIME, F_K8S_NS, F_K8S_POD, F_K8S_LABEL,
	F_FD_NAME, F_FD_DIR, F_FD_FILENAME, F_FD_SIP, F_FD_SPORT, F_FD_SIP_NAME, F_FD_L4PROTO,
	/* Falco fields filled from the event or, while the process lives, /proc */
	F_EVT_NUM, F_EVT_RES, F_EVT_HOSTNAME, F_EVT_ARG_PATH, F_EVT_ARG_REQUEST, F_FD_TYPECHAR, F_FD_TYPE, F_FD_NUM,
	F_FD_CONNECTED, F_FD_SOCKFAMILY, F_FD_NAME_CHANGED, F_USER_NAME, F_USER_LOGINUID, F_USER_LOGINNAME,
	F_GROUP_NAME, F_PROC_TTY, F_PROC_CWD, F_PROC_PCMDLINE, F_PROC_PEXE, F_PROC_PEXEPATH,
	F_THREAD_CAP_EFF, F_THREAD_CAP_PERM, F_K8S_POD_UID,
	F_UNAVAILABLE,     /* a Falco field no source of ours fills: always <NA> */
	F_COUNT
};

enum { ARG_NONE, ARG_INDEX, ARG_NAME };

struct fdef {
	const char *name;
	enum fid id;
	enum ftype type;
	int arg;           /* ARG_INDEX: [N] allowed; ARG_NAME: [NAME] required or allowed */
	bool arg_required;
	const char *why_na; /* F_UNAVAILABLE: why hashhound cannot fill it (docs/rules.md) */
};

/* Aliases (fd.rip, fd.net ...) share an id with their canonical field so
 * ported Falco rules keep their spelling. */
static const struct fdef fields[] = {
	{ "evt.type", F_EVT_TYPE, FT_EVTYPE, 0, 0, NULL },
	{ "evt.dir", F_EVT_DIR, FT_STR, 0, 0, NULL },
	{ "evt.rawres", F_EVT_RAWRES, FT_NUM, 0, 0, NULL },
	{ "evt.res", F_EVT_RES, FT_STR, 0, 0, NULL },
	{ "evt.arg.flags", F_EVT_FLAGS, FT_STR, 0, 0, NULL },
	{ "evt.is_open_write", F_EVT_OPEN_WRITE, FT_BOOL, 0, 0, NULL },
	{ "evt.is_open_read", F_EVT_OPEN_READ, FT_BOOL, 0, 0, NULL },
	{ "evt.dns.query", F_EVT_DNS_QUERY, FT_STR, 0, 0, NULL },
	{ "proc.name", F_PROC_NAME, FT_STR, 0, 0, NULL },
	{ "proc.pid", F_PROC_PID, FT_NUM, 0, 0, NULL },
	{ "proc.vpid", F_PROC_PID, FT_NUM, 0, 0, NULL },
	{ "thread.tid", F_PROC_TID, FT_NUM, 0, 0, NULL },
	{ "proc.ppid", F_PROC_PPID, FT_NUM, 0, 0, NULL },
	{ "proc.cmdline", F_PROC_CMDLINE, FT_STR, 0, 0, NULL },
	{ "proc.args", F_PROC_ARGS, FT_STR, 0, 0, NULL },
	{ "proc.exepath", F_PROC_EXEPATH, FT_STR, 0, 0, NULL },
	{ "proc.exe", F_PROC_EXE, FT_STR, 0, 0, NULL },
	{ "proc.pname", F_PROC_PNAME, FT_STR, 0, 0, NULL },
	{ "proc.aname", F_PROC_ANAME, FT_STR, ARG_INDEX, 0, NULL },
	{ "proc.env", F_PROC_ENV, FT_STR, ARG_NAME, 0, NULL },
	{ "proc.is_exe_upper_layer", F_PROC_UPPER, FT_BOOL, 0, 0, NULL },
	{ "proc.is_exe_from_memfd", F_PROC_MEMFD, FT_BOOL, 0, 0, NULL },
	{ "proc.exe_deleted", F_PROC_DELETED, FT_BOOL, 0, 0, NULL },
	{ "proc.exe.miner_traits", F_PROC_TRAITS, FT_STR, 0, 0, NULL },
	{ "proc.cmdline.wallet", F_PROC_WALLET, FT_STR, 0, 0, NULL },
	{ "proc.exe.sha256", F_PROC_SHA256, FT_STR, 0, 0, NULL },
	{ "proc.cmdline_truncated", F_PROC_CMDLINE_TRUNC, FT_BOOL, 0, 0, NULL },
	{ "proc.fpu.switches", F_FPU_SWITCHES, FT_NUM, 0, 0, NULL },
	{ "proc.fpu.nondefault_switches", F_FPU_NONDEFAULT, FT_NUM, 0, 0, NULL },
	{ "proc.fpu.mxcsr", F_FPU_MXCSR, FT_NUM, 0, 0, NULL },
	{ "user.uid", F_USER_UID, FT_NUM, 0, 0, NULL },
	{ "group.gid", F_GROUP_GID, FT_NUM, 0, 0, NULL },
	{ "container.id", F_CT_ID, FT_STR, 0, 0, NULL },
	{ "container.name", F_CT_NAME, FT_STR, 0, 0, NULL },
	{ "container.image", F_CT_IMAGE, FT_STR, 0, 0, NULL },
	{ "container.image.repository", F_CT_REPO, FT_STR, 0, 0, NULL },
	{ "container.info", F_CT_INFO, FT_STR, 0, 0, NULL },
	{ "container.runtime", F_CT_RUNTIME, FT_STR, 0, 0, NULL },
	{ "k8s.ns.name", F_K8S_NS, FT_STR, 0, 0, NULL },
	{ "k8s.pod.name", F_K8S_POD, FT_STR, 0, 0, NULL },
	{ "k8s.pod.label", F_K8S_LABEL, FT_STR, ARG_NAME, 1, NULL },
	{ "fd.name", F_FD_NAME, FT_STR, 0, 0, NULL },
	{ "fd.directory", F_FD_DIR, FT_STR, 0, 0, NULL },
	{ "fd.filename", F_FD_FILENAME, FT_STR, 0, 0, NULL },
	{ "fd.sip", F_FD_SIP, FT_IP, 0, 0, NULL },
	{ "fd.rip", F_FD_SIP, FT_IP, 0, 0, NULL },
	{ "fd.net", F_FD_SIP, FT_IP, 0, 0, NULL },
	{ "fd.snet", F_FD_SIP, FT_IP, 0, 0, NULL },
	{ "fd.rnet", F_FD_SIP, FT_IP, 0, 0, NULL },
	{ "fd.sport", F_FD_SPORT, FT_NUM, 0, 0, NULL },
	{ "fd.rport", F_FD_SPORT, FT_NUM, 0, 0, NULL },
	{ "fd.sip.name", F_FD_SIP_NAME, FT_STR, 0, 0, NULL },
	{ "fd.rip.name", F_FD_SIP_NAME, FT_STR, 0, 0, NULL },
	{ "fd.l4proto", F_FD_L4PROTO, FT_STR, 0, 0, NULL },
	{ "evt.num", F_EVT_NUM, FT_NUM, 0, 0, NULL },
	{ "evt.hostname", F_EVT_HOSTNAME, FT_STR, 0, 0, NULL },
	{ "evt.arg.path", F_EVT_ARG_PATH, FT_STR, 0, 0, NULL },
	{ "evt.arg.name", F_EVT_ARG_PATH, FT_STR, 0, 0, NULL },
	{ "evt.arg.filename", F_EVT_ARG_PATH, FT_STR, 0, 0, NULL },
	{ "fs.path.name", F_EVT_ARG_PATH, FT_STR, 0, 0, NULL },
	{ "evt.arg.request", F_EVT_ARG_REQUEST, FT_STR, 0, 0, NULL },
	{ "syscall.type", F_EVT_TYPE, FT_EVTYPE, 0, 0, NULL },
	{ "fd.typechar", F_FD_TYPECHAR, FT_STR, 0, 0, NULL },
	{ "fd.type", F_FD_TYPE, FT_STR, 0, 0, NULL },
	{ "fd.num", F_FD_NUM, FT_NUM, 0, 0, NULL },
	{ "fd.connected", F_FD_CONNECTED, FT_BOOL, 0, 0, NULL },
	{ "fd.sockfamily", F_FD_SOCKFAMILY, FT_STR, 0, 0, NULL },
	{ "fd.name_changed", F_FD_NAME_CHANGED, FT_BOOL, 0, 0, NULL },
	{ "fd.nameraw", F_FD_NAME, FT_STR, 0, 0, NULL },
	{ "fd.ip", F_FD_SIP, FT_IP, 0, 0, NULL },
	{ "fd.port", F_FD_SPORT, FT_NUM, 0, 0, NULL },
	{ "user.name", F_USER_NAME, FT_STR, 0, 0, NULL },
	{ "user.loginuid", F_USER_LOGINUID, FT_NUM, 0, 0, NULL },
	{ "user.loginname", F_USER_LOGINNAME, FT_STR, 0, 0, NULL },
	{ "group.name", F_GROUP_NAME, FT_STR, 0, 0, NULL },
	{ "proc.tty", F_PROC_TTY, FT_NUM, 0, 0, NULL },
	{ "proc.cwd", F_PROC_CWD, FT_STR, 0, 0, NULL },
	{ "proc.pcmdline", F_PROC_PCMDLINE, FT_STR, 0, 0, NULL },
	{ "proc.pexe", F_PROC_PEXE, FT_STR, 0, 0, NULL },
	{ "proc.pexepath", F_PROC_PEXEPATH, FT_STR, 0, 0, NULL },
	{ "thread.cap_effective", F_THREAD_CAP_EFF, FT_STR, 0, 0, NULL },
	{ "thread.cap_permitted", F_THREAD_CAP_PERM, FT_STR, 0, 0, NULL },
	/* Known Falco fields we cannot fill (listed in docs/rules.md): a rule
	 * that compares one loads, the comparison is false (Falco's rule for
	 * missing values), and the load report names the field once. */
	{ "proc.sname", F_UNAVAILABLE, FT_STR, 0, 0, "session leader: not tracked by the sensor" },
	{ "proc.vpgid.name", F_UNAVAILABLE, FT_STR, 0, 0, "process group leader: not tracked" },
	{ "proc.vpgid.exe", F_UNAVAILABLE, FT_STR, 0, 0, "process group leader: not tracked" },
	{ "proc.is_vpgid_leader", F_UNAVAILABLE, FT_BOOL, 0, 0, "process groups: not tracked" },
	{ "proc.duration", F_UNAVAILABLE, FT_NUM, 0, 0, "process start times: not tracked per event" },
	{ "proc.ppid.duration", F_UNAVAILABLE, FT_NUM, 0, 0, "process start times: not tracked per event" },
	{ "proc.exe_ino.mtime", F_UNAVAILABLE, FT_NUM, 0, 0, "executable inode times: not read" },
	{ "proc.exe_ino.ctime", F_UNAVAILABLE, FT_NUM, 0, 0, "executable inode times: not read" },
	{ "proc.exe_ino.ctime_duration_proc_start", F_UNAVAILABLE, FT_NUM, 0, 0, "executable inode times: not read" },
	{ "proc.aexe", F_UNAVAILABLE, FT_STR, ARG_INDEX, 0, "ancestor executables: only ancestor names are kept" },
	{ "proc.aexepath", F_UNAVAILABLE, FT_STR, ARG_INDEX, 0, "ancestor executables: only ancestor names are kept" },
	{ "container.privileged", F_UNAVAILABLE, FT_BOOL, 0, 0, "not in the per-event identity (hashhound check and the agent's posture context report it)" },
	{ "container.mount.dest", F_UNAVAILABLE, FT_STR, ARG_NAME, 0, "container mounts: not in the per-event identity" },
	{ "container.mounts", F_UNAVAILABLE, FT_STR, 0, 0, "container mounts: not in the per-event identity" },
	{ "container.start_ts", F_UNAVAILABLE, FT_NUM, 0, 0, "container start time: not in the per-event identity" },
	{ "fd.lport", F_UNAVAILABLE, FT_NUM, 0, 0, "local end of sockets: the sensor records the remote end only" },
	{ "fd.cip", F_UNAVAILABLE, FT_IP, 0, 0, "local end of sockets: the sensor records the remote end only" },
	{ "fd.cip.name", F_UNAVAILABLE, FT_STR, 0, 0, "local end of sockets: the sensor records the remote end only" },
	{ "fd.lip.name", F_UNAVAILABLE, FT_STR, 0, 0, "local end of sockets: the sensor records the remote end only" },
	{ "fd.cnet", F_UNAVAILABLE, FT_IP, 0, 0, "local end of sockets: the sensor records the remote end only" },
	{ "fd.types", F_UNAVAILABLE, FT_STR, 0, 0, "the process's whole fd table: not tracked" },
	{ "evt.arg.uid", F_UNAVAILABLE, FT_STR, 0, 0, "setuid events: not traced" },
	{ "evt.arg.mode", F_UNAVAILABLE, FT_STR, 0, 0, "chmod events: not traced" },
	{ "evt.arg.fd", F_UNAVAILABLE, FT_NUM, 0, 0, "dup and fcntl events: not traced" },
	{ "evt.arg.cmd", F_UNAVAILABLE, FT_STR, 0, 0, "bpf and fcntl commands: not traced" },
	{ "evt.arg.domain", F_UNAVAILABLE, FT_STR, 0, 0, "socket events: not traced" },
	{ "evt.arg.res_or_fd", F_UNAVAILABLE, FT_NUM, 0, 0, "generic return values: not kept for every syscall" },
	{ "evt.arg.oldpath", F_UNAVAILABLE, FT_STR, 0, 0, "rename and link events: not traced" },
	{ "evt.arg.newpath", F_UNAVAILABLE, FT_STR, 0, 0, "rename and link events: not traced" },
	{ "evt.arg.target", F_UNAVAILABLE, FT_STR, 0, 0, "symlink events: not traced" },
	{ "evt.arg.linkpath", F_UNAVAILABLE, FT_STR, 0, 0, "symlink events: not traced" },
	{ "evt.args", F_UNAVAILABLE, FT_STR, 0, 0, "raw syscall arguments: not kept" },
	{ "evt.buffer", F_UNAVAILABLE, FT_STR, 0, 0, "I/O buffers: not captured" },
	{ "evt.is_open_exec", F_UNAVAILABLE, FT_BOOL, 0, 0, "open flags beyond read/write: not kept" },
	{ "k8s.pod.uid", F_K8S_POD_UID, FT_STR, 0, 0, NULL },
};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

const char *const *field_names(void)
{
	static const char *names[N_FIELDS + 1];
	if (!names[0])
		for (size_t i = 0; i < N_FIELDS; i++)
			names[i] = fields[i].name;
	return names;
}

void rule_ctx_init(struct rule_ctx *c, const struct hh_event *ev)
{
	/* evt.num: events numbered from 1 in evaluation order, as Falco numbers
	 * them in capture order (its never_true macro is evt.num=0). */
	static _Atomic unsigned long long evt_counter;
	c->ev = ev;
	c->have = 0;
	c->evt_num = (long long)++evt_counter;
	memset(c->memo_have, 0, sizeof(c->memo_have));
}

int field_resolve(const char *name, size_t len, struct field_ref *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	size_t base = len;
	const char *br = memchr(name, '[', len);
	if (br)
		base = (size_t)(br - name);
	for (size_t i = 0; i < N_FIELDS; i++) {
		const struct fdef *d = &fields[i];
		if (strlen(d->name) != base || memcmp(d->name, name, base) != 0)
			continue;
		out->id = (uint16_t)i;
		out->type = d->type;
		out->index = -1;
		if (!br) {
			if (d->arg_required) {
				snprintf(err, errlen, "field '%s' needs an argument: %s[NAME]", d->name, d->name);
				return -1;
			}
			out->multi = d->id == F_PROC_ANAME;
			return 0;
		}
		size_t alen = len - base - 2;
		if (d->arg == ARG_NONE) {
			snprintf(err, errlen, "field '%s' takes no [argument]", d->name);
			return -1;
		}
		if (name[len - 1] != ']' || len < base + 3 || alen >= sizeof(out->arg)) {
			snprintf(err, errlen, "malformed field argument in '%.*s'", (int)(len > 200 ? 200 : len), name);
			return -1;
		}
		memcpy(out->arg, br + 1, alen);
		out->arg[alen] = '\0';
		if (d->arg == ARG_INDEX) {
			char *end;
			long v = strtol(out->arg, &end, 10);
			if (*end || v < 0 || v > HH_EV_MAX_ANCESTORS) {
				snprintf(err, errlen, "%s[N] needs N in 0..%d, got '%s'", d->name,
					 HH_EV_MAX_ANCESTORS, out->arg);
				return -1;
			}
			out->index = (int)v;
		}
		return 0;
	}
	snprintf(err, errlen, "unknown field '%.*s'", (int)(len > 200 ? 200 : len), name);
	return -1;
}

const char *field_name(const struct field_ref *f)
{
	return fields[f->id].name;
}

static const struct {
	const char *name;
	enum hh_event_type t;
} evtypes[] = {
	{ "execve", HH_EV_EXEC }, { "execveat", HH_EV_EXEC }, { "exec", HH_EV_EXEC },
	{ "exit", HH_EV_EXIT }, { "procexit", HH_EV_EXIT },
	{ "connect", HH_EV_CONNECT },
	{ "dns", HH_EV_DNS }, { "sendto", HH_EV_DNS }, { "sendmsg", HH_EV_DNS },
	{ "open", HH_EV_OPEN }, { "openat", HH_EV_OPEN }, { "openat2", HH_EV_OPEN },
	{ "init_module", HH_EV_MODULE }, { "finit_module", HH_EV_MODULE },
	{ "ptrace", HH_EV_PTRACE }, { "setns", HH_EV_SETNS }, { "unshare", HH_EV_UNSHARE },
	{ "mount", HH_EV_MOUNT }, { "memfd_create", HH_EV_MEMFD }, { "fpu", HH_EV_FPU },
	{ "proc", HH_EV_PROC },
};

bool field_unavailable(const struct field_ref *f, const char **why)
{
	if (fields[f->id].id != F_UNAVAILABLE)
		return false;
	if (why)
		*why = fields[f->id].why_na;
	return true;
}

const char *field_unavailable_reason(size_t i, const char **name)
{
	for (size_t k = 0; k < N_FIELDS; k++)
		if (fields[k].id == F_UNAVAILABLE && i-- == 0) {
			*name = fields[k].name;
			return fields[k].why_na;
		}
	return NULL;
}

/* System calls Falco rules name that no source of ours traces: a rule may
 * name them (it loads), but they never happen here. */
static const char *const unseen_syscalls[] = {
	"accept", "accept4", "bind", "bpf", "capset", "chmod", "chown", "chroot", "clone", "clone3", "close",
	"creat", "delete_module", "dup", "dup2", "dup3", "fchmod", "fchmodat", "fchown", "fchownat", "fcntl",
	"fork", "ioctl", "io_uring_enter", "io_uring_register", "io_uring_setup", "kill", "lchown", "link",
	"linkat", "listen", "mkdir", "mkdirat", "mmap", "mprotect", "pipe", "pipe2", "pivot_root", "prctl",
	"process_vm_readv", "process_vm_writev", "read", "recvfrom", "recvmsg", "rename", "renameat",
	"renameat2", "rmdir", "seccomp", "setgid", "setpgid", "setresgid", "setresuid", "setsid", "setuid",
	"socket", "symlink", "symlinkat", "tgkill", "tkill", "truncate", "umount", "umount2", "unlink",
	"unlinkat", "userfaultfd", "vfork", "write",
};

int field_evtype_parse_rule(const char *name)
{
	int t = field_evtype_parse(name);
	if (t >= 0)
		return t;
	for (size_t i = 0; i < sizeof(unseen_syscalls) / sizeof(unseen_syscalls[0]); i++)
		if (strcmp(unseen_syscalls[i], name) == 0)
			return FIELD_EVTYPE_UNSEEN;
	return -1;
}

int field_evtype_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(evtypes) / sizeof(evtypes[0]); i++)
		if (strcmp(evtypes[i].name, name) == 0)
			return (int)evtypes[i].t;
	return -1;
}

enum {
	HAVE_EXE = 1, HAVE_REPO = 2, HAVE_DIR = 4, HAVE_SIP = 8, HAVE_WALLET = 16,
	/* lazy /proc values: TRIED = looked up, OK = available */
	TRIED_PCMD = 1u << 8, OK_PCMD = 1u << 9, TRIED_PEXE = 1u << 10, OK_PEXE = 1u << 11,
	TRIED_CWD = 1u << 12, OK_CWD = 1u << 13, TRIED_CAPE = 1u << 14, OK_CAPE = 1u << 15,
	TRIED_CAPP = 1u << 16, OK_CAPP = 1u << 17, TRIED_UNAME = 1u << 18, OK_UNAME = 1u << 19,
	TRIED_GNAME = 1u << 20, OK_GNAME = 1u << 21, TRIED_LNAME = 1u << 22, OK_LNAME = 1u << 23,
};

/* Looks a lazy value up once per event; NULL when it is not available. */
#define LAZY(c, tried, ok, buf, expr)                                     \
	do {                                                              \
		if (!((c)->have & (tried))) {                             \
			(c)->have |= (tried);                             \
			(buf)[0] = '\0';                                  \
			if (expr)                                         \
				(c)->have |= (ok);                        \
		}                                                         \
		return ((c)->have & (ok)) ? (buf) : NULL;                 \
	} while (0)

static const char *ptrace_request_name(uint32_t req)
{
	switch (req) {
	case 0: return "PTRACE_TRACEME";
	case 1: return "PTRACE_PEEKTEXT";
	case 2: return "PTRACE_PEEKDATA";
	case 4: return "PTRACE_POKETEXT";
	case 5: return "PTRACE_POKEDATA";
	case 6: return "PTRACE_POKEUSR";
	case 13: return "PTRACE_SETREGS";
	case 16: return "PTRACE_ATTACH";
	case 17: return "PTRACE_DETACH";
	case 0x4206: return "PTRACE_SEIZE";
	default: return "";
	}
}

static bool is_net_event(const struct hh_event *e)
{
	return (e->type == HH_EV_CONNECT || e->type == HH_EV_DNS) && e->family != 0;
}

bool field_sip(struct rule_ctx *c, uint8_t *family, const uint8_t **addr)
{
	if (!(c->have & HAVE_SIP)) {
		c->have |= HAVE_SIP;
		c->sip_family = 0;
		if (inet_pton(AF_INET, c->ev->sip, c->sip) == 1)
			c->sip_family = 4;
		else if (inet_pton(AF_INET6, c->ev->sip, c->sip) == 1)
			c->sip_family = 6;
	}
	*family = c->sip_family;
	*addr = c->sip;
	return c->sip_family != 0;
}

/* The value of NAME in the '\n'-separated environment, copied to scratch. */
static const char *env_value(struct rule_ctx *c, const char *name)
{
	size_t nl = strlen(name);
	const char *p = c->ev->env;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > nl && p[nl] == '=' && memcmp(p, name, nl) == 0) {
			size_t vl = len - nl - 1;
			if (vl >= sizeof(c->scratch))
				vl = sizeof(c->scratch) - 1;
			memcpy(c->scratch, p + nl + 1, vl);
			c->scratch[vl] = '\0';
			return c->scratch;
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	return "";
}

static const char *str_field(const struct field_ref *f, struct rule_ctx *c)
{
	const struct hh_event *e = c->ev;
	const struct hh_workload *w = &e->workload;
	switch (fields[f->id].id) {
	case F_EVT_DIR: return "<";
	case F_EVT_DNS_QUERY: return e->dns_query;
	case F_PROC_NAME: return e->comm;
	case F_PROC_CMDLINE: return e->cmdline;
	case F_PROC_ARGS: {
		const char *sp = strchr(e->cmdline, ' ');
		return sp ? sp + 1 : "";
	}
	case F_PROC_EXEPATH: return e->exepath;
	case F_PROC_EXE:
		if (!(c->have & HAVE_EXE)) {
			size_t n = strcspn(e->cmdline, " ");
			if (n >= sizeof(c->exe))
				n = sizeof(c->exe) - 1;
			memcpy(c->exe, e->cmdline, n);
			c->exe[n] = '\0';
			c->have |= HAVE_EXE;
		}
		return c->exe;
	case F_PROC_PNAME: return e->pcomm[0] ? e->pcomm : (e->n_ancestors ? e->ancestors[0] : "");
	case F_PROC_ENV: return f->arg[0] ? env_value(c, f->arg) : e->env;
	case F_PROC_TRAITS: return e->exe_traits;
	case F_PROC_WALLET:
		/* A checksum-valid wallet address in the command line, masked
		 * (findings never print a full wallet). */
		if (!(c->have & HAVE_WALLET)) {
			struct hh_wallet_match m;
			c->wallet[0] = '\0';
			if (hh_wallet_scan(e->cmdline, strnlen(e->cmdline, sizeof(e->cmdline)), &m, 1) == 1)
				snprintf(c->wallet, sizeof(c->wallet), "%s:", hh_coin_name(m.coin));
			if (c->wallet[0]) {
				size_t k = strlen(c->wallet);
				hh_wallet_mask(e->cmdline + m.offset, m.len, c->wallet + k, sizeof(c->wallet) - k);
			}
			c->have |= HAVE_WALLET;
		}
		return c->wallet;
	case F_PROC_SHA256: return e->exe_sha256;
	case F_CT_ID: return w->container_id[0] ? w->container_id : "host";
	case F_CT_NAME: return w->container_name[0] ? w->container_name : (w->container_id[0] ? "" : "host");
	case F_CT_IMAGE: return w->image;
	case F_CT_REPO:
		if (!(c->have & HAVE_REPO)) {
			hh_image_repository(w->image, c->repo, sizeof(c->repo));
			c->have |= HAVE_REPO;
		}
		return c->repo;
	case F_CT_INFO:
		return w->container_name[0] ? w->container_name : (w->container_id[0] ? w->container_id : "host");
	case F_CT_RUNTIME: return w->runtime;
	case F_K8S_NS: return w->pod_namespace;
	case F_K8S_POD: return w->pod_name;
	case F_K8S_LABEL: {
		const char *v = hh_workload_label(w, f->arg);
		return v ? v : "";
	}
	case F_FD_NAME: return e->path;
	case F_FD_DIR:
	case F_FD_FILENAME: {
		const char *slash = strrchr(e->path, '/');
		if (fields[f->id].id == F_FD_FILENAME)
			return slash ? slash + 1 : e->path;
		if (!(c->have & HAVE_DIR)) {
			size_t n = slash ? (size_t)(slash - e->path) : 0;
			if (slash && n == 0)
				n = 1; /* "/x" -> "/" */
			memcpy(c->dir, e->path, n);
			c->dir[n] = '\0';
			c->have |= HAVE_DIR;
		}
		return c->dir;
	}
	case F_FD_SIP: return e->sip;
	case F_FD_SIP_NAME: return e->sip_name;
	case F_FD_L4PROTO:
		return e->l4proto == IPPROTO_TCP ? "tcp" : e->l4proto == IPPROTO_UDP ? "udp" : "";
	case F_K8S_POD_UID: return w->pod_uid;
	case F_EVT_RES:
		hh_res_text(e->ret, c->scratch, sizeof(c->scratch));
		return c->scratch;
	case F_EVT_FLAGS:
		if (e->type == HH_EV_EXEC || e->type == HH_EV_EXIT || e->type == HH_EV_CONNECT ||
		    e->type == HH_EV_DNS || e->type == HH_EV_FPU || e->type == HH_EV_PROC)
			return NULL; /* these events carry no flags argument */
		hh_flags_text(e->type, e->flags, e->open_flags, c->flagtext, sizeof(c->flagtext));
		return c->flagtext;
	case F_EVT_HOSTNAME: {
		static char host[256];
		if (!host[0] && gethostname(host, sizeof(host) - 1) < 0)
			snprintf(host, sizeof(host), "unknown");
		return host;
	}
	case F_EVT_ARG_PATH:
		return e->type == HH_EV_OPEN || e->type == HH_EV_MOUNT || e->type == HH_EV_MEMFD ||
				       e->type == HH_EV_MODULE || e->type == HH_EV_EXEC
			       ? (e->type == HH_EV_EXEC ? e->exepath : e->path)
			       : NULL;
	case F_EVT_ARG_REQUEST: return e->type == HH_EV_PTRACE ? ptrace_request_name(e->flags) : NULL;
	case F_FD_TYPECHAR:
		if (e->type == HH_EV_OPEN)
			return "f";
		return is_net_event(e) ? (e->family == 6 ? "6" : "4") : NULL;
	case F_FD_TYPE:
		if (e->type == HH_EV_OPEN)
			return "file";
		return is_net_event(e) ? (e->family == 6 ? "ipv6" : "ipv4") : NULL;
	case F_FD_SOCKFAMILY: return is_net_event(e) ? "ip" : NULL;
	case F_USER_NAME:
		LAZY(c, TRIED_UNAME, OK_UNAME, c->uname, fproc_user_name(e->pid, e->uid, false, c->uname, sizeof(c->uname)));
	case F_GROUP_NAME:
		LAZY(c, TRIED_GNAME, OK_GNAME, c->gname, fproc_user_name(e->pid, e->gid, true, c->gname, sizeof(c->gname)));
	case F_USER_LOGINNAME: {
		long long luid;
		LAZY(c, TRIED_LNAME, OK_LNAME, c->lname,
		     fproc_loginuid(e->pid, &luid) && luid >= 0 &&
			     fproc_user_name(e->pid, luid, false, c->lname, sizeof(c->lname)));
	}
	case F_PROC_CWD: LAZY(c, TRIED_CWD, OK_CWD, c->cwd, fproc_link(e->pid, "cwd", c->cwd, sizeof(c->cwd)));
	case F_PROC_PCMDLINE:
		LAZY(c, TRIED_PCMD, OK_PCMD, c->pcmdline, fproc_cmdline(e->ppid, c->pcmdline, sizeof(c->pcmdline)));
	case F_PROC_PEXE:
	case F_PROC_PEXEPATH:
		LAZY(c, TRIED_PEXE, OK_PEXE, c->pexe, fproc_link(e->ppid, "exe", c->pexe, sizeof(c->pexe)));
	case F_THREAD_CAP_EFF:
		LAZY(c, TRIED_CAPE, OK_CAPE, c->cap_eff, fproc_caps(e->pid, true, c->cap_eff, sizeof(c->cap_eff)));
	case F_THREAD_CAP_PERM:
		LAZY(c, TRIED_CAPP, OK_CAPP, c->cap_prm, fproc_caps(e->pid, false, c->cap_prm, sizeof(c->cap_prm)));
	case F_UNAVAILABLE: return NULL;
	default: return "";
	}
}

static long long num_field_event(const struct field_ref *f, const struct hh_event *e);

/* false: the value is not available (<NA>). */
static bool num_field(const struct field_ref *f, struct rule_ctx *c, long long *out)
{
	const struct hh_event *e = c->ev;
	switch (fields[f->id].id) {
	case F_EVT_NUM: *out = c->evt_num; return true;
	case F_FD_NUM:
		/* the descriptor an open returned (its result) */
		if (e->type != HH_EV_OPEN)
			return false;
		*out = e->ret;
		return true;
	case F_FD_CONNECTED:
		if (e->type != HH_EV_CONNECT)
			return false;
		*out = e->ret == 0 || e->ret == -115; /* -EINPROGRESS: a non-blocking connect under way */
		return true;
	case F_FD_NAME_CHANGED: *out = 0; return true;
	case F_USER_LOGINUID: return fproc_loginuid(e->pid, out);
	case F_PROC_TTY: return fproc_tty(e->pid, out);
	case F_UNAVAILABLE: return false;
	default: *out = num_field_event(f, e); return true;
	}
}

static long long num_field_event(const struct field_ref *f, const struct hh_event *e)
{
	switch (fields[f->id].id) {
	case F_EVT_RAWRES: return e->ret;
	case F_EVT_OPEN_WRITE:
		return e->type == HH_EV_OPEN && (e->open_flags & O_ACCMODE) != O_RDONLY;
	case F_EVT_OPEN_READ:
		return e->type == HH_EV_OPEN && (e->open_flags & O_ACCMODE) != O_WRONLY;
	case F_PROC_PID: return e->pid;
	case F_PROC_TID: return e->tid;
	case F_PROC_PPID: return e->ppid;
	case F_PROC_UPPER: return e->exe_upper_layer;
	case F_PROC_MEMFD: return e->exe_memfd;
	case F_PROC_DELETED: return e->exe_deleted;
	case F_PROC_CMDLINE_TRUNC: return e->cmdline_truncated;
	case F_FPU_SWITCHES: return (long long)e->fpu_switches;
	case F_FPU_NONDEFAULT: return (long long)e->fpu_nondefault_switches;
	case F_FPU_MXCSR: return e->mxcsr_last;
	case F_USER_UID: return e->uid;
	case F_GROUP_GID: return e->gid;
	case F_FD_SPORT: return e->sport;
	default: return 0;
	}
}

bool field_get(const struct field_ref *f, struct rule_ctx *c, size_t i, struct fval *v)
{
	const struct hh_event *e = c->ev;
	if (fields[f->id].id == F_PROC_ANAME) {
		/* aname[0] is the process itself, aname[1] its parent ...; without an
		 * index the field has one value per known ancestor. */
		size_t k = f->index >= 0 ? (size_t)f->index : i + 1;
		if (f->index >= 0 && i > 0)
			return false;
		if (k == 0) {
			v->s = e->comm;
			return true;
		}
		size_t n = e->n_ancestors > HH_EV_MAX_ANCESTORS ? HH_EV_MAX_ANCESTORS : e->n_ancestors;
		if (k == 1 && n == 0 && e->pcomm[0]) { /* a source that knows only the parent */
			v->s = e->pcomm;
			return true;
		}
		if (k > n) {
			if (f->index >= 0) {
				v->s = "";
				return true;
			}
			return false;
		}
		v->s = e->ancestors[k - 1];
		return true;
	}
	if (i > 0)
		return false;
	switch (f->type) {
	case FT_STR:
	case FT_IP:
		v->s = str_field(f, c);
		return v->s != NULL;
	case FT_EVTYPE:
		v->n = e->type;
		v->s = hh_event_type_name(e->type);
		return true;
	case FT_NUM:
	case FT_BOOL:
		return num_field(f, c, &v->n);
	}
	return false;
}

bool field_present(const struct field_ref *f, struct rule_ctx *c)
{
	const struct hh_event *e = c->ev;
	struct fval v;
	switch (f->type) {
	case FT_STR:
	case FT_IP:
		for (size_t i = 0; field_get(f, c, i, &v); i++)
			if (v.s[0])
				return true;
		return false;
	case FT_EVTYPE:
		return true;
	case FT_NUM:
	case FT_BOOL:
		if (!field_get(f, c, 0, &v))
			return false;
		switch (fields[f->id].id) {
		case F_FD_SPORT: return e->family != 0 || e->sport != 0;
		case F_FPU_SWITCHES:
		case F_FPU_NONDEFAULT:
		case F_FPU_MXCSR: return e->type == HH_EV_FPU || e->fpu_switches > 0;
		case F_EVT_OPEN_WRITE:
		case F_EVT_OPEN_READ: return e->type == HH_EV_OPEN;
		default: return true;
		}
	}
	return false;
}
