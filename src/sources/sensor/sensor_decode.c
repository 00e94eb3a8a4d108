/* Decoder of the eBPF sensor's ring-buffer records: see sensor_decode.h. */
#include "sources/sensor/sensor_decode.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/fileio.h"
#include "sources/sensor/dns_name.h"
#include "sources/sensor/sensor_events.h"

/* Copies a fixed-size kernel string field, which may lack its NUL. */
static void copy_field(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t n = strnlen(src, srclen);
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void hh_sensor_format_ip(int family, const unsigned char addr[16], char *out, size_t outlen)
{
	if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, out, (socklen_t)outlen))
		out[0] = '\0';
}

static void decode_hdr(const struct hh_k_hdr *h, struct hh_event *ev)
{
	ev->ktime_ns = h->ktime_ns;
	ev->pid = (int32_t)h->pid;
	ev->tid = (int32_t)h->tid;
	ev->ppid = (int32_t)h->ppid;
	ev->uid = h->uid;
	ev->gid = h->gid;
	ev->cgroup_id = h->cgroup_id;
	copy_field(ev->comm, sizeof(ev->comm), h->comm, sizeof(h->comm));
}

/* argv, NUL-separated, to one line joined by spaces. */
static void join_args(const char *args, size_t n, char *out, size_t outlen, bool *trunc)
{
	size_t o = 0;
	while (n > 0 && args[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++) {
		if (o + 1 >= outlen) {
			*trunc = true;
			break;
		}
		char c = args[i];
		out[o++] = c == '\0' ? ' ' : c;
	}
	out[o] = '\0';
}

static int need(size_t size, size_t want, const char *what, char *err, size_t errlen)
{
	if (size >= want)
		return 0;
	snprintf(err, errlen, "%s record of %zu bytes, expected %zu", what, size, want);
	return -1;
}

static int ip_family(uint16_t af)
{
	return af == AF_INET6 ? 6 : af == AF_INET ? 4 : 0;
}

int hh_sensor_decode(const void *data, size_t size, struct hh_event *ev, char *err, size_t errlen)
{
	memset(ev, 0, sizeof(*ev));
	if (!data || size < sizeof(struct hh_k_hdr)) {
		snprintf(err, errlen, "record of %zu bytes, shorter than its header", size);
		return -1;
	}
	struct hh_k_hdr h;
	memcpy(&h, data, sizeof(h));
	decode_hdr(&h, ev);
	switch (h.type) {
	case HH_K_EXEC: {
		struct hh_k_exec e;
		if (need(size, sizeof(e), "exec", err, errlen))
			return -1;
		memcpy(&e, data, sizeof(e));
		ev->type = HH_EV_EXEC;
		copy_field(ev->exepath, sizeof(ev->exepath), e.filename, sizeof(e.filename));
		size_t n = e.args_len < sizeof(e.args) ? e.args_len : sizeof(e.args);
		join_args(e.args, n, ev->cmdline, sizeof(ev->cmdline), &ev->cmdline_truncated);
		if (h.flags & HH_KF_ARGS_TRUNC)
			ev->cmdline_truncated = true;
		ev->exe_upper_layer = h.flags & HH_KF_EXE_UPPER;
		ev->exe_memfd = h.flags & HH_KF_EXE_MEMFD;
		return 0;
	}
	case HH_K_EXIT: {
		struct hh_k_exit e;
		if (need(size, sizeof(e), "exit", err, errlen))
			return -1;
		memcpy(&e, data, sizeof(e));
		ev->type = HH_EV_EXIT;
		ev->exit_code = e.exit_code;
		return 0;
	}
	case HH_K_CONNECT: {
		struct hh_k_connect e;
		if (need(size, sizeof(e), "connect", err, errlen))
			return -1;
		memcpy(&e, data, sizeof(e));
		ev->type = HH_EV_CONNECT;
		ev->family = (uint8_t)ip_family(e.family);
		if (!ev->family) {
			snprintf(err, errlen, "connect record with address family %u", e.family);
			return -1;
		}
		hh_sensor_format_ip(ev->family, e.addr, ev->sip, sizeof(ev->sip));
		ev->sport = e.port;
		ev->l4proto = IPPROTO_TCP; /* UDP "connects" look the same at this probe */
		return 0;
	}
	case HH_K_DNS: {
		struct hh_k_dns e;
		if (need(size, sizeof(e), "dns", err, errlen))
			return -1;
		memcpy(&e, data, sizeof(e));
		ev->type = HH_EV_DNS;
		ev->family = (uint8_t)ip_family(e.family);
		if (ev->family)
			hh_sensor_format_ip(ev->family, e.addr, ev->sip, sizeof(ev->sip));
		ev->sport = e.port;
		ev->l4proto = IPPROTO_UDP;
		size_t n = e.len < sizeof(e.payload) ? e.len : sizeof(e.payload);
		uint16_t qtype = 0;
		int rc = hh_dns_query_name(e.payload, n, ev->dns_query, sizeof(ev->dns_query), &qtype);
		if (rc != HH_DNS_OK) {
			snprintf(err, errlen, "dns payload of %zu bytes: %s", n, hh_dns_strerror(rc));
			return -1;
		}
		ev->flags = qtype;
		return 0;
	}
	case HH_K_OPEN: case HH_K_MODULE: case HH_K_PTRACE: case HH_K_SETNS:
	case HH_K_UNSHARE: case HH_K_MOUNT: case HH_K_MEMFD: {
		struct hh_k_sys e;
		if (need(size, sizeof(e), "syscall", err, errlen))
			return -1;
		memcpy(&e, data, sizeof(e));
		copy_field(ev->path, sizeof(ev->path), e.str, sizeof(e.str));
		copy_field(ev->arg_str, sizeof(ev->arg_str), e.str2, sizeof(e.str2));
		static const enum hh_event_type map[] = {
			[HH_K_OPEN] = HH_EV_OPEN, [HH_K_MODULE] = HH_EV_MODULE, [HH_K_PTRACE] = HH_EV_PTRACE,
			[HH_K_SETNS] = HH_EV_SETNS, [HH_K_UNSHARE] = HH_EV_UNSHARE, [HH_K_MOUNT] = HH_EV_MOUNT,
			[HH_K_MEMFD] = HH_EV_MEMFD,
		};
		ev->type = map[h.type];
		switch (h.type) {
		case HH_K_OPEN:
			ev->open_flags = (int32_t)e.arg[0];
			if (h.flags & HH_KF_UNIX)
				ev->family = 0, ev->open_flags = -1; /* reached by connect(2) */
			break;
		case HH_K_PTRACE:
			ev->flags = (uint32_t)e.arg[0];
			ev->target_pid = (int32_t)e.arg[1];
			break;
		case HH_K_SETNS:
			ev->flags = (uint32_t)e.arg[1];
			ev->ret = (int64_t)e.arg[0]; /* the namespace fd */
			break;
		case HH_K_MODULE:
			ev->flags = (uint32_t)e.arg[1];
			break;
		default:
			ev->flags = (uint32_t)e.arg[0];
			break;
		}
		return 0;
	}
	default:
		snprintf(err, errlen, "record of unknown type %u", h.type);
		return -1;
	}
}
