/* Field table and getters: the only code that knows struct hh_event's layout
 * on behalf of the rule engine. */
#include "detectors/rules/fields.h"

#include "detectors/indicators/wallet.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum fid {
	F_EVT_TYPE, F_EVT_DIR, F_EVT_RAWRES, F_EVT_FLAGS, F_EVT_OPEN_WRITE, F_EVT_OPEN_READ, F_EVT_DNS_QUERY,
	F_PROC_NAME, F_PROC_PID, F_PROC_TID, F_PROC_PPID, F_PROC_CMDLINE, F_PROC_ARGS, F_PROC_EXEPATH,
	F_PROC_EXE, F_PROC_PNAME, F_PROC_ANAME, F_PROC_ENV, F_PROC_UPPER, F_PROC_MEMFD, F_PROC_DELETED,
	F_PROC_TRAITS, F_PROC_WALLET, F_PROC_SHA256, F_PROC_CMDLINE_TRUNC, F_FPU_SWITCHES, F_FPU_NONDEFAULT, F_FPU_MXCSR,
	F_USER_UID, F_GROUP_GID,
	F_CT_ID, F_CT_NAME, F_CT_IMAGE, F_CT_REPO, F_CT_INFO, F_CT_RUNTIME, F_K8S_NS, F_K8S_POD, F_K8S_LABEL,
	F_FD_NAME, F_FD_DIR, F_FD_FILENAME, F_FD_SIP, F_FD_SPORT, F_FD_SIP_NAME, F_FD_L4PROTO,
	F_COUNT
};

enum { ARG_NONE, ARG_INDEX, ARG_NAME };

struct fdef {
	const char *name;
	enum fid id;
	enum ftype type;
	int arg;           /* ARG_INDEX: [N] allowed; ARG_NAME: [NAME] required or allowed */
	bool arg_required;
};

/* Aliases (fd.rip, fd.net ...) share an id with their canonical field so
 * ported Falco rules keep their spelling. */
static const struct fdef fields[] = {
	{ "evt.type", F_EVT_TYPE, FT_EVTYPE, 0, 0 },
	{ "evt.dir", F_EVT_DIR, FT_STR, 0, 0 },
	{ "evt.rawres", F_EVT_RAWRES, FT_NUM, 0, 0 },
	{ "evt.res", F_EVT_RAWRES, FT_NUM, 0, 0 },
	{ "evt.arg.flags", F_EVT_FLAGS, FT_NUM, 0, 0 },
	{ "evt.is_open_write", F_EVT_OPEN_WRITE, FT_BOOL, 0, 0 },
	{ "evt.is_open_read", F_EVT_OPEN_READ, FT_BOOL, 0, 0 },
	{ "evt.dns.query", F_EVT_DNS_QUERY, FT_STR, 0, 0 },
	{ "proc.name", F_PROC_NAME, FT_STR, 0, 0 },
	{ "proc.pid", F_PROC_PID, FT_NUM, 0, 0 },
	{ "proc.vpid", F_PROC_PID, FT_NUM, 0, 0 },
	{ "thread.tid", F_PROC_TID, FT_NUM, 0, 0 },
	{ "proc.ppid", F_PROC_PPID, FT_NUM, 0, 0 },
	{ "proc.cmdline", F_PROC_CMDLINE, FT_STR, 0, 0 },
	{ "proc.args", F_PROC_ARGS, FT_STR, 0, 0 },
	{ "proc.exepath", F_PROC_EXEPATH, FT_STR, 0, 0 },
	{ "proc.exe", F_PROC_EXE, FT_STR, 0, 0 },
	{ "proc.pname", F_PROC_PNAME, FT_STR, 0, 0 },
	{ "proc.aname", F_PROC_ANAME, FT_STR, ARG_INDEX, 0 },
	{ "proc.env", F_PROC_ENV, FT_STR, ARG_NAME, 0 },
	{ "proc.is_exe_upper_layer", F_PROC_UPPER, FT_BOOL, 0, 0 },
	{ "proc.is_exe_from_memfd", F_PROC_MEMFD, FT_BOOL, 0, 0 },
	{ "proc.exe_deleted", F_PROC_DELETED, FT_BOOL, 0, 0 },
	{ "proc.exe.miner_traits", F_PROC_TRAITS, FT_STR, 0, 0 },
	{ "proc.cmdline.wallet", F_PROC_WALLET, FT_STR, 0, 0 },
	{ "proc.exe.sha256", F_PROC_SHA256, FT_STR, 0, 0 },
	{ "proc.cmdline_truncated", F_PROC_CMDLINE_TRUNC, FT_BOOL, 0, 0 },
	{ "proc.fpu.switches", F_FPU_SWITCHES, FT_NUM, 0, 0 },
	{ "proc.fpu.nondefault_switches", F_FPU_NONDEFAULT, FT_NUM, 0, 0 },
	{ "proc.fpu.mxcsr", F_FPU_MXCSR, FT_NUM, 0, 0 },
	{ "user.uid", F_USER_UID, FT_NUM, 0, 0 },
	{ "group.gid", F_GROUP_GID, FT_NUM, 0, 0 },
	{ "container.id", F_CT_ID, FT_STR, 0, 0 },
	{ "container.name", F_CT_NAME, FT_STR, 0, 0 },
	{ "container.image", F_CT_IMAGE, FT_STR, 0, 0 },
	{ "container.image.repository", F_CT_REPO, FT_STR, 0, 0 },
	{ "container.info", F_CT_INFO, FT_STR, 0, 0 },
	{ "container.runtime", F_CT_RUNTIME, FT_STR, 0, 0 },
	{ "k8s.ns.name", F_K8S_NS, FT_STR, 0, 0 },
	{ "k8s.pod.name", F_K8S_POD, FT_STR, 0, 0 },
	{ "k8s.pod.label", F_K8S_LABEL, FT_STR, ARG_NAME, 1 },
	{ "fd.name", F_FD_NAME, FT_STR, 0, 0 },
	{ "fd.directory", F_FD_DIR, FT_STR, 0, 0 },
	{ "fd.filename", F_FD_FILENAME, FT_STR, 0, 0 },
	{ "fd.sip", F_FD_SIP, FT_IP, 0, 0 },
	{ "fd.rip", F_FD_SIP, FT_IP, 0, 0 },
	{ "fd.net", F_FD_SIP, FT_IP, 0, 0 },
	{ "fd.snet", F_FD_SIP, FT_IP, 0, 0 },
	{ "fd.rnet", F_FD_SIP, FT_IP, 0, 0 },
	{ "fd.sport", F_FD_SPORT, FT_NUM, 0, 0 },
	{ "fd.rport", F_FD_SPORT, FT_NUM, 0, 0 },
	{ "fd.sip.name", F_FD_SIP_NAME, FT_STR, 0, 0 },
	{ "fd.rip.name", F_FD_SIP_NAME, FT_STR, 0, 0 },
	{ "fd.l4proto", F_FD_L4PROTO, FT_STR, 0, 0 },
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
	c->ev = ev;
	c->have = 0;
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

int field_evtype_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(evtypes) / sizeof(evtypes[0]); i++)
		if (strcmp(evtypes[i].name, name) == 0)
			return (int)evtypes[i].t;
	return -1;
}

enum { HAVE_EXE = 1, HAVE_REPO = 2, HAVE_DIR = 4, HAVE_SIP = 8, HAVE_WALLET = 16 };

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
	default: return "";
	}
}

static long long num_field(const struct field_ref *f, const struct hh_event *e)
{
	switch (fields[f->id].id) {
	case F_EVT_RAWRES: return e->ret;
	case F_EVT_FLAGS: return e->flags;
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
		return true;
	case FT_EVTYPE:
		v->n = e->type;
		v->s = hh_event_type_name(e->type);
		return true;
	case FT_NUM:
	case FT_BOOL:
		v->n = num_field(f, e);
		return true;
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
