/* The network capture loader and reader: see netcap.h. */
#include "sources/netcap/netcap.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/workload.h"
#include "core/log.h"
#include "sources/netcap/netcap_events.h" /* before the skeleton: it names struct hh_nc_config */
#include "netcap.skel.h"

struct hh_netcap {
	struct netcap_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[3];
	int cgfd;
	char cgroup2[256];
	hh_netcap_cb cb;
	void *arg;
	int delivered;
	uint64_t bad_records;
	double wall_minus_mono;   /* wall time = monotonic + this */
};

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The first cgroup2 mount in /proc/self/mounts (streamed: a node with many
 * containers has a long mount table). */
static int find_cgroup2(char *out, size_t n)
{
	FILE *fp = setmntent("/proc/self/mounts", "r");
	if (!fp)
		return -1;
	struct mntent *m;
	int rc = -1;
	while ((m = getmntent(fp)))
		if (strcmp(m->mnt_type, "cgroup2") == 0 && strlen(m->mnt_dir) < n) {
			hh_strlcpy(out, m->mnt_dir, n);
			rc = 0;
			break;
		}
	endmntent(fp);
	return rc;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (hh_log_get_level() < HH_LOG_DEBUG)
		return 0;
	char *buf = NULL;
	if (vasprintf(&buf, fmt, ap) < 0)
		return 0;
	/* a verifier log comes as one message of many lines */
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		hh_debug("libbpf: %s", line);
	free(buf);
	(void)level;
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct hh_netcap *n = ctx;
	const struct hh_nc_rec *r = data;
	if (size < sizeof(*r) || r->cap_len > size - sizeof(*r) || r->cap_len > HH_NC_MAX_SNAP) {
		n->bad_records++;
		return 0;
	}
	struct hh_netcap_pkt p = {
		.ts = (double)r->ktime_ns / 1e9 + n->wall_minus_mono,
		.cookie = r->cookie,
		.cgroup_id = r->cgroup_id,
		.pid = (int)r->tgid,
		.egress = r->flags & HH_NC_F_EGRESS,
		.role = r->role,
		.skipped = r->skipped,
		.data = (const uint8_t *)data + sizeof(*r),
		.cap_len = r->cap_len,
		.wire_len = r->wire_len < r->cap_len ? r->cap_len : r->wire_len,
	};
	memcpy(p.comm, r->comm, sizeof(p.comm) - 1);
	p.comm[sizeof(p.comm) - 1] = '\0';
	n->delivered++;
	n->cb(n->arg, &p);
	return 0;
}

static unsigned pow2_at_least(unsigned v, unsigned min)
{
	unsigned p = min;
	while (p < v && p < (1u << 30))
		p <<= 1;
	return p;
}

struct hh_netcap *hh_netcap_open(const struct hh_netcap_opts *o, hh_netcap_cb cb, void *arg, char *why,
				 size_t whylen)
{
	struct stat st;
	if (stat("/sys/kernel/btf/vmlinux", &st) < 0) {
		snprintf(why, whylen, "no kernel BTF (/sys/kernel/btf/vmlinux)");
		return NULL;
	}
	struct hh_netcap *n = calloc(1, sizeof(*n));
	if (!n) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	n->cgfd = -1;
	n->cb = cb;
	n->arg = arg;
	if (o->cgroup2 && *o->cgroup2) {
		hh_strlcpy(n->cgroup2, o->cgroup2, sizeof(n->cgroup2));
	} else {
		if (find_cgroup2(n->cgroup2, sizeof(n->cgroup2)) < 0) {
			snprintf(why, whylen, "no cgroup v2 hierarchy mounted (/proc/self/mounts has no cgroup2 entry)");
			free(n);
			return NULL;
		}
	}
	n->cgfd = open(n->cgroup2, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (n->cgfd < 0) {
		snprintf(why, whylen, "%s: %s", n->cgroup2, strerror(errno));
		free(n);
		return NULL;
	}
	libbpf_set_print(libbpf_log);
	n->skel = netcap_bpf__open();
	if (!n->skel) {
		snprintf(why, whylen, "opening the eBPF object: %s", strerror(errno));
		hh_netcap_close(n);
		return NULL;
	}
	unsigned snap = o->snap_bytes > 4096 ? 4096 : o->snap_bytes;
	n->skel->rodata->ncfg.snap_bytes = snap;
	n->skel->rodata->ncfg.profile_pps = o->profile_pps;
	n->skel->rodata->ncfg.server_side = o->server_side;
	n->skel->rodata->ncfg.self_tgid = (uint32_t)getpid();
	unsigned ring = pow2_at_least(o->ring_kb ? o->ring_kb : 4096, 64) * 1024u;
	bpf_map__set_max_entries(n->skel->maps.nc_events, ring);
	bpf_map__set_max_entries(n->skel->maps.nc_socks, o->max_sockets >= 256 ? o->max_sockets : 256);
	int err = netcap_bpf__load(n->skel);
	if (err) {
		snprintf(why, whylen, "loading the eBPF programs: %s", strerror(-err));
		hh_netcap_close(n);
		return NULL;
	}
	struct bpf_program *progs[3] = { n->skel->progs.nc_egress, n->skel->progs.nc_ingress,
					 n->skel->progs.nc_sockops };
	for (int i = 0; i < 3; i++) {
		n->links[i] = bpf_program__attach_cgroup(progs[i], n->cgfd);
		if (!n->links[i]) {
			int e = errno;
			if (i == 2) { /* without it accepted sockets count as unknown: still useful */
				hh_warn("netcap: sock_ops on %s: %s; accepted sockets are captured as unknown role",
					n->cgroup2, strerror(e));
				continue;
			}
			snprintf(why, whylen, "attaching %s to %s: %s", bpf_program__name(progs[i]), n->cgroup2,
				 strerror(e));
			hh_netcap_close(n);
			return NULL;
		}
	}
	n->rb = ring_buffer__new(bpf_map__fd(n->skel->maps.nc_events), on_record, n, NULL);
	if (!n->rb) {
		snprintf(why, whylen, "ring buffer: %s", strerror(errno));
		hh_netcap_close(n);
		return NULL;
	}
	n->wall_minus_mono = wall_s() - mono_s();
	return n;
}

const char *hh_netcap_cgroup2(const struct hh_netcap *n) { return n->cgroup2; }

int hh_netcap_fd(const struct hh_netcap *n) { return ring_buffer__epoll_fd(n->rb); }

int hh_netcap_poll(struct hh_netcap *n, int timeout_ms)
{
	n->delivered = 0;
	int rc = ring_buffer__poll(n->rb, timeout_ms);
	if (rc < 0 && rc != -EINTR) {
		hh_err("netcap: ring buffer poll: %s", strerror(-rc));
		return -1;
	}
	/* quietly submitted records woke nobody: drain them */
	rc = ring_buffer__consume(n->rb);
	if (rc < 0 && rc != -EINTR) {
		hh_err("netcap: ring buffer: %s", strerror(-rc));
		return -1;
	}
	return n->delivered;
}

void hh_netcap_get_stats(const struct hh_netcap *n, struct hh_netcap_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->bad_records = n->bad_records;
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0 || ncpu > 4096)
		ncpu = 1;
	uint64_t *vals = calloc((size_t)ncpu, sizeof(uint64_t));
	if (!vals)
		return;
	uint64_t sum[HH_NC_ST_COUNT] = { 0 };
	int fd = bpf_map__fd(n->skel->maps.nc_stats);
	for (uint32_t k = 0; k < HH_NC_ST_COUNT; k++)
		if (bpf_map_lookup_elem(fd, &k, vals) == 0)
			for (int c = 0; c < ncpu; c++)
				sum[k] += vals[c];
	free(vals);
	s->packets = sum[HH_NC_ST_PACKETS];
	s->records = sum[HH_NC_ST_RECORDS];
	s->lost = sum[HH_NC_ST_LOST];
	s->skipped = sum[HH_NC_ST_SKIPPED];
	s->bytes = sum[HH_NC_ST_BYTES];
}

int hh_netcap_cgroup_path(const struct hh_netcap *n, uint64_t cgroup_id, char *out, size_t len)
{
	/* A cgroup v2 id is its kernfs node id, which is also its file handle
	 * (FILEID_KERNFS): open it and read the path back from /proc/self/fd. */
	struct {
		struct file_handle fh;
		uint64_t id;
	} h;
	if (!cgroup_id || len < 2)
		return -1;
	h.fh.handle_bytes = sizeof(uint64_t);
	h.fh.handle_type = 0xfe; /* FILEID_KERNFS */
	memcpy(h.fh.f_handle, &cgroup_id, sizeof(cgroup_id));
	int fd = open_by_handle_at(n->cgfd, &h.fh, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char link[64], path[HH_PATH_LEN];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t r = readlink(link, path, sizeof(path) - 1);
	close(fd);
	if (r <= 0)
		return -1;
	path[r] = '\0';
	size_t ml = strlen(n->cgroup2);
	const char *rel = strncmp(path, n->cgroup2, ml) == 0 ? path + ml : path;
	if (!*rel)
		rel = "/";
	if (strlen(rel) >= len)
		return -1;
	hh_strlcpy(out, rel, len);
	return 0;
}

void hh_netcap_close(struct hh_netcap *n)
{
	if (!n)
		return;
	ring_buffer__free(n->rb);
	for (int i = 0; i < 3; i++)
		bpf_link__destroy(n->links[i]);
	netcap_bpf__destroy(n->skel);
	if (n->cgfd >= 0)
		close(n->cgfd);
	free(n);
}
