/* cgroup telemetry: discovery by a bounded walk, then one small read per
 * counter file. Values that do not parse leave the field at its default and
 * say so at debug level: a garbage counter must not look like a real zero
 * to someone reading the log, nor stop the other counters being read. */
#include "sources/telemetry/cgroup_stats.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/log.h"
#include "enrich/container_id.h"

#define WALK_MAX_DEPTH 16        /* kind nesting is 7 deep; leave room */
#define WALK_MAX_DIRS  200000    /* directories visited per sweep */
#define STAT_FILE_MAX  (64 * 1024)

/* v1 memory.limit_in_bytes reads PAGE_COUNTER_MAX * PAGE_SIZE when unlimited
 * (9223372036854771712 on 4 KiB pages); anything this large means "none". */
#define V1_UNLIMITED   (UINT64_C(1) << 62)

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The v2 hierarchy under root: root itself when it is cgroup2, else root/unified. */
static bool v2_base(const char *root, char *out, size_t n)
{
	char p[HH_PATH_LEN];
	if (hh_path_join(p, sizeof(p), root, "/cgroup.controllers") == 0 && access(p, F_OK) == 0) {
		hh_strlcpy(out, root, n);
		return true;
	}
	if (hh_path_join(out, n, root, "/unified") == 0 && is_dir(out))
		return true;
	return false;
}

/* A v1 controller directory: the first of names that exists under root. */
static bool v1_base(const char *root, const char *const *names, char *out, size_t n)
{
	for (size_t i = 0; names[i]; i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "/%s", names[i]);
		if (hh_path_join(out, n, root, rel) == 0 && is_dir(out))
			return true;
	}
	return false;
}

static const char *const v1_cpu_names[] = { "cpu", "cpu,cpuacct", "cpuacct,cpu", NULL };
static const char *const v1_acct_names[] = { "cpuacct", "cpu,cpuacct", "cpuacct,cpu", "cpu", NULL };

struct walker {
	struct hh_container_ref *out;
	size_t max, n;
	size_t dirs;
	int version;
	bool capped;
};

static void walk(struct walker *w, int dirfd, char *rel, size_t rel_len, size_t rel_cap, int depth,
		 const char *parent_id)
{
	if (depth > WALK_MAX_DEPTH)
		return;
	int fd = dup(dirfd);
	if (fd < 0)
		return;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (w->capped)
			break;
		if (w->dirs >= WALK_MAX_DIRS) {
			w->capped = true;
			break;
		}
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		if (de->d_type != DT_DIR) {
			if (de->d_type != DT_UNKNOWN)
				continue;
			struct stat st;
			if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
				continue;
		}
		size_t nl = strlen(de->d_name);
		if (rel_len + 1 + nl + 1 > rel_cap)
			continue; /* deeper than a cgroup path we can record */
		w->dirs++;
		rel[rel_len] = '/';
		memcpy(rel + rel_len + 1, de->d_name, nl + 1);
		size_t len = rel_len + 1 + nl;

		struct hh_cgroup_identity ci;
		const char *my_id = parent_id;
		if (hh_cgroup_path_identity(rel, len, &ci) && strcmp(ci.container_id, parent_id) != 0) {
			/* A new container (its own sub-cgroups, e.g. podman's
			 * libpod-<id>.scope/container, repeat the id and are skipped). */
			if (w->n >= w->max) {
				w->capped = true; /* one more than fits: say so, stop */
				rel[rel_len] = '\0';
				break;
			}
			struct hh_container_ref *r = &w->out[w->n++];
			memset(r, 0, sizeof(*r));
			hh_strlcpy(r->id, ci.container_id, sizeof(r->id));
			hh_strlcpy(r->runtime, ci.runtime, sizeof(r->runtime));
			hh_strlcpy(r->pod_uid, ci.pod_uid, sizeof(r->pod_uid));
			hh_strlcpy(r->cgroup_path, rel, sizeof(r->cgroup_path));
			r->version = w->version;
			my_id = r->id;
		}
		int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0) {
			char id_copy[HH_ID_LEN];
			hh_strlcpy(id_copy, my_id, sizeof(id_copy));
			walk(w, sub, rel, len, rel_cap, depth + 1, id_copy);
			close(sub);
		}
		rel[rel_len] = '\0';
	}
	closedir(d);
}

static int discover_in(const char *base, int version, struct hh_container_ref *out, size_t max, bool *capped)
{
	int fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct walker w = { .out = out, .max = max, .version = version };
	char rel[HH_PATH_LEN] = "";
	walk(&w, fd, rel, 0, sizeof(rel), 1, "");
	close(fd);
	*capped = w.capped;
	return (int)w.n;
}

int hh_containers_discover(const char *cgroup_root, struct hh_container_ref *out, size_t max)
{
	if (!cgroup_root)
		cgroup_root = "/sys/fs/cgroup";
	if (max > INT32_MAX)
		max = INT32_MAX;
	char base[HH_PATH_LEN];
	bool capped = false;
	int n = -1;
	char probe[HH_PATH_LEN];
	bool pure_v2 = hh_path_join(probe, sizeof(probe), cgroup_root, "/cgroup.controllers") == 0 &&
		       access(probe, F_OK) == 0;
	/* Hybrid hosts (v1 controllers, an empty unified tree beside them) keep
	 * quota, memory and pids in v1: read v1 there. Pure v2 reads v2. */
	if (!pure_v2 && v1_base(cgroup_root, v1_cpu_names, base, sizeof(base)))
		n = discover_in(base, 1, out, max, &capped);
	if (n <= 0 && v2_base(cgroup_root, base, sizeof(base))) {
		int n2 = discover_in(base, 2, out, max, &capped);
		if (n2 >= 0)
			n = n2;
	}
	if (n < 0) {
		hh_warn("cgroup: %s: no readable cgroup v1 cpu or v2 hierarchy", cgroup_root);
		return -1;
	}
	if (capped)
		hh_warn("cgroup: %s: more containers than the limit (%zu containers, %d directories); the rest are not watched",
			cgroup_root, max, WALK_MAX_DIRS);
	return n;
}

/* ---- value parsing ---- */

static bool parse_u64(const char *s, uint64_t *out)
{
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return false;
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	if (*end != '\0')
		return false;
	*out = v;
	return true;
}

static bool read_u64(const char *dir, const char *file, uint64_t *out)
{
	char p[HH_PATH_LEN], buf[64];
	if (hh_path_join(p, sizeof(p), dir, file) < 0)
		return false;
	if (hh_read_small(p, buf, sizeof(buf)) < 0)
		return false;
	if (!parse_u64(buf, out)) {
		hh_debug("cgroup: %s: not a number: '%.32s'", p, buf);
		return false;
	}
	return true;
}

/* "key value" lines (cpu.stat): the value of key, or false. */
static bool kv_get(const char *text, const char *key, uint64_t *out)
{
	size_t kl = strlen(key);
	const char *p = text;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t ln = nl ? (size_t)(nl - p) : strlen(p);
		if (ln > kl && memcmp(p, key, kl) == 0 && p[kl] == ' ') {
			char v[32];
			size_t vn = ln - kl - 1;
			if (vn >= sizeof(v))
				return false;
			memcpy(v, p + kl + 1, vn);
			v[vn] = '\0';
			return parse_u64(v, out);
		}
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

static bool read_text(const char *dir, const char *file, struct hh_buf *b)
{
	char p[HH_PATH_LEN], err[256];
	if (hh_path_join(p, sizeof(p), dir, file) < 0)
		return false;
	if (hh_read_file(p, STAT_FILE_MAX, b, err, sizeof(err)) < 0) {
		if (errno != ENOENT)
			hh_debug("cgroup: %s", err);
		return false;
	}
	return true;
}

/* Saturating add: a hostile counter must not wrap the sum to something small. */
static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t m)
{
	return a > UINT64_MAX / m ? UINT64_MAX : a * m;
}

/* v1 blkio.throttle.io_service_bytes: "MAJ:MIN Read N", "MAJ:MIN Write N", "Total N". */
static void parse_blkio(const char *text, struct hh_cgroup_stats *st)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t ln = nl ? (size_t)(nl - p) : strlen(p);
		char line[128];
		if (ln < sizeof(line)) {
			memcpy(line, p, ln);
			line[ln] = '\0';
			char dev[32], op[16], num[32];
			uint64_t v;
			if (sscanf(line, "%31s %15s %31s", dev, op, num) == 3 && parse_u64(num, &v)) {
				if (strcmp(op, "Read") == 0)
					st->io_read_bytes = sat_add(st->io_read_bytes, v);
				else if (strcmp(op, "Write") == 0)
					st->io_write_bytes = sat_add(st->io_write_bytes, v);
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
}

/* v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N". */
static void parse_iostat(const char *text, struct hh_cgroup_stats *st)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t ln = nl ? (size_t)(nl - p) : strlen(p);
		size_t i = 0;
		while (i < ln) {
			while (i < ln && p[i] == ' ')
				i++;
			size_t s = i;
			while (i < ln && p[i] != ' ')
				i++;
			const char *tok = p + s;
			size_t tn = i - s;
			bool r = tn > 7 && memcmp(tok, "rbytes=", 7) == 0;
			bool w = tn > 7 && memcmp(tok, "wbytes=", 7) == 0;
			if ((r || w) && tn - 7 < 32) {
				char num[32];
				memcpy(num, tok + 7, tn - 7);
				num[tn - 7] = '\0';
				uint64_t v;
				if (parse_u64(num, &v)) {
					if (r)
						st->io_read_bytes = sat_add(st->io_read_bytes, v);
					else
						st->io_write_bytes = sat_add(st->io_write_bytes, v);
				}
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
}

/* A recorded cgroup path is joined to a root: refuse anything that could
 * climb out of it. */
static bool rel_path_ok(const char *p)
{
	if (p[0] != '/')
		return false;
	const char *s = p;
	while (*s) {
		while (*s == '/')
			s++;
		const char *e = s;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - s);
		if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		s = e;
	}
	return true;
}

static double now_real(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_v1(const char *root, const char *rel, struct hh_cgroup_stats *st)
{
	char base[HH_PATH_LEN], dir[HH_PATH_LEN];
	if (!v1_base(root, v1_cpu_names, base, sizeof(base)) || hh_path_join(dir, sizeof(dir), base, rel) < 0 ||
	    !is_dir(dir))
		return -1;
	uint64_t v;
	if (read_u64(dir, "/cpu.cfs_period_us", &v))
		st->cpu_period_us = v;
	char p[HH_PATH_LEN], buf[64];
	if (hh_path_join(p, sizeof(p), dir, "/cpu.cfs_quota_us") == 0 && hh_read_small(p, buf, sizeof(buf)) >= 0) {
		char *end;
		errno = 0;
		long long q = strtoll(buf, &end, 10);
		if (errno == 0 && end != buf && *end == '\0' && q > 0)
			st->cpu_quota_us = q;
	}
	struct hh_buf b;
	if (read_text(dir, "/cpu.stat", &b)) {
		if (kv_get(b.data, "nr_periods", &v))
			st->nr_periods = v;
		if (kv_get(b.data, "nr_throttled", &v))
			st->nr_throttled = v;
		if (kv_get(b.data, "throttled_time", &v))
			st->throttled_ns = v;
		hh_buf_free(&b);
	}
	char other[HH_PATH_LEN], odir[HH_PATH_LEN];
	if (v1_base(root, v1_acct_names, other, sizeof(other)) &&
	    hh_path_join(odir, sizeof(odir), other, rel) == 0 && read_u64(odir, "/cpuacct.usage", &v))
		st->cpu_usage_ns = v;
	static const char *const mem[] = { "memory", NULL };
	if (v1_base(root, mem, other, sizeof(other)) && hh_path_join(odir, sizeof(odir), other, rel) == 0) {
		if (read_u64(odir, "/memory.usage_in_bytes", &v))
			st->mem_bytes = v;
		if (read_u64(odir, "/memory.limit_in_bytes", &v) && v < V1_UNLIMITED)
			st->mem_limit = v;
	}
	static const char *const pids[] = { "pids", NULL };
	if (v1_base(root, pids, other, sizeof(other)) && hh_path_join(odir, sizeof(odir), other, rel) == 0 &&
	    read_u64(odir, "/pids.current", &v))
		st->pids = v;
	static const char *const blkio[] = { "blkio", "blkio,io", NULL };
	if (v1_base(root, blkio, other, sizeof(other)) && hh_path_join(odir, sizeof(odir), other, rel) == 0 &&
	    read_text(odir, "/blkio.throttle.io_service_bytes", &b)) {
		parse_blkio(b.data, st);
		hh_buf_free(&b);
	}
	return 0;
}

static int read_v2(const char *root, const char *rel, struct hh_cgroup_stats *st)
{
	char base[HH_PATH_LEN], dir[HH_PATH_LEN];
	if (!v2_base(root, base, sizeof(base)) || hh_path_join(dir, sizeof(dir), base, rel) < 0 || !is_dir(dir))
		return -1;
	struct hh_buf b;
	uint64_t v;
	if (read_text(dir, "/cpu.stat", &b)) {
		if (kv_get(b.data, "usage_usec", &v))
			st->cpu_usage_ns = sat_mul(v, 1000);
		if (kv_get(b.data, "nr_periods", &v))
			st->nr_periods = v;
		if (kv_get(b.data, "nr_throttled", &v))
			st->nr_throttled = v;
		if (kv_get(b.data, "throttled_usec", &v))
			st->throttled_ns = sat_mul(v, 1000);
		hh_buf_free(&b);
	}
	char p[HH_PATH_LEN], buf[64];
	if (hh_path_join(p, sizeof(p), dir, "/cpu.max") == 0 && hh_read_small(p, buf, sizeof(buf)) >= 0) {
		/* "max 100000" or "QUOTA PERIOD" */
		char q[32], per[32];
		if (sscanf(buf, "%31s %31s", q, per) == 2) {
			uint64_t pv;
			if (parse_u64(per, &pv))
				st->cpu_period_us = pv;
			if (strcmp(q, "max") != 0 && parse_u64(q, &v) && v > 0 && v <= INT64_MAX)
				st->cpu_quota_us = (int64_t)v;
		} else {
			hh_debug("cgroup: %s: unexpected '%.32s'", p, buf);
		}
	}
	if (read_u64(dir, "/memory.current", &v))
		st->mem_bytes = v;
	if (read_u64(dir, "/memory.max", &v)) /* "max" fails to parse: no limit */
		st->mem_limit = v;
	if (read_u64(dir, "/pids.current", &v))
		st->pids = v;
	if (read_text(dir, "/io.stat", &b)) {
		parse_iostat(b.data, st);
		hh_buf_free(&b);
	}
	return 0;
}

int hh_cgroup_read_stats(const char *cgroup_root, const struct hh_container_ref *c, struct hh_cgroup_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->cpu_quota_us = -1;
	out->time = now_real();
	if (!cgroup_root)
		cgroup_root = "/sys/fs/cgroup";
	if (!rel_path_ok(c->cgroup_path)) {
		hh_debug("cgroup: refusing path '%.64s'", c->cgroup_path);
		return -1;
	}
	return c->version == 2 ? read_v2(cgroup_root, c->cgroup_path, out)
			       : read_v1(cgroup_root, c->cgroup_path, out);
}

int hh_node_cpu(const char *proc_root, uint64_t *busy, uint64_t *total, int *ncpu)
{
	char p[HH_PATH_LEN], err[256];
	struct hh_buf b;
	*busy = *total = 0;
	*ncpu = 0;
	if (hh_path_join(p, sizeof(p), proc_root ? proc_root : "/proc", "/stat") < 0)
		return -1;
	if (hh_read_file(p, 1 << 20, &b, err, sizeof(err)) < 0) {
		hh_warn("node cpu: %s", err);
		return -1;
	}
	int rc = -1;
	const char *line = b.data;
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		if (strncmp(line, "cpu ", 4) == 0) {
			/* user nice system idle iowait irq softirq steal (guest is inside user) */
			uint64_t f[8] = { 0 };
			const char *s = line + 4;
			int got = 0;
			for (; got < 8; got++) {
				while (*s == ' ')
					s++;
				if (*s < '0' || *s > '9')
					break;
				char *end;
				errno = 0;
				f[got] = strtoull(s, &end, 10);
				if (errno)
					break;
				s = end;
			}
			if (got >= 4) {
				uint64_t t = 0;
				for (int i = 0; i < 8; i++)
					t = sat_add(t, f[i]);
				uint64_t idle = sat_add(f[3], f[4]);
				*total = t;
				*busy = t >= idle ? t - idle : 0;
				rc = 0;
			}
		} else if (strncmp(line, "cpu", 3) == 0 && line[3] >= '0' && line[3] <= '9') {
			(*ncpu)++;
		}
		line = nl ? nl + 1 : NULL;
	}
	if (rc < 0)
		hh_warn("node cpu: %s: no aggregate 'cpu' line", p);
	hh_buf_free(&b);
	return rc;
}
