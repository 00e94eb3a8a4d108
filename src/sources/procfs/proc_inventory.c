/* Process inventory from procfs. Every read is bounded; a process that
 * exits half-way through is reported as gone, never half-filled garbage. */
#include "sources/procfs/proc_inventory.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/finding.h"
#include "core/log.h"
#include "sources/procfs/exe_hash.h"
#include "sources/procfs/procfs_parse.h"

#define CMDLINE_READ_MAX (8u << 20)     /* read this far for the tail; the event keeps head and tail */
#define ENV_READ_MAX     (8u << 20)
#define MOUNTINFO_MAX    (4u << 20)
#define STAT_MAX         4096

struct hh_procfs {
	char proc_root[HH_PATH_LEN];
	char host_root[HH_PATH_LEN];
	bool include_host;
	struct hh_identity *identity;   /* not owned; may be NULL */
	struct hh_exe_cache *exe;
	double btime;                   /* boot time from proc_root/stat, 0 unknown */
	dev_t self_dev;                 /* our own executable: it holds every trait */
	ino_t self_ino;                 /* pattern as data, so it is not scanned */
	long hz;
};

static double read_btime(const char *proc_root)
{
	char p[HH_PATH_LEN], err[256];
	struct hh_buf b;
	if (hh_path_join(p, sizeof(p), proc_root, "/stat") < 0 || hh_read_file(p, 1 << 20, &b, err, sizeof(err)) < 0)
		return 0;
	double bt = 0;
	const char *s = strstr(b.data, "\nbtime ");
	if (s)
		bt = strtod(s + 7, NULL);
	hh_buf_free(&b);
	return bt;
}

struct hh_procfs *hh_procfs_new(const struct hh_procfs_opts *opts, struct hh_identity *identity)
{
	struct hh_procfs *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	hh_strlcpy(p->proc_root, opts && opts->proc_root ? opts->proc_root : "/proc", sizeof(p->proc_root));
	hh_strlcpy(p->host_root, opts && opts->host_root ? opts->host_root : "/", sizeof(p->host_root));
	p->include_host = opts && opts->include_host;
	p->identity = identity;
	p->exe = hh_exe_cache_new(opts ? opts->cache_cap : 0, opts ? opts->hash_max_bytes : 0);
	if (!p->exe) {
		free(p);
		return NULL;
	}
	p->btime = read_btime(p->proc_root);
	struct stat self;
	if (stat("/proc/self/exe", &self) == 0) {
		p->self_dev = self.st_dev;
		p->self_ino = self.st_ino;
	}
	p->hz = sysconf(_SC_CLK_TCK);
	if (p->hz <= 0)
		p->hz = 100;
	return p;
}

void hh_procfs_free(struct hh_procfs *p)
{
	if (!p)
		return;
	hh_exe_cache_free(p->exe);
	free(p);
}

static int pid_path(const struct hh_procfs *p, int pid, const char *file, char *out, size_t n)
{
	char rel[64];
	snprintf(rel, sizeof(rel), "/%d%s%s", pid, file[0] ? "/" : "", file);
	return hh_path_join(out, n, p->proc_root, rel);
}

static int read_stat(const struct hh_procfs *p, int pid, struct hh_proc_stat *st)
{
	char path[HH_PATH_LEN], buf[STAT_MAX];
	if (pid_path(p, pid, "stat", path, sizeof(path)) < 0 || hh_read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	return hh_proc_stat_parse(buf, st);
}

/* Reads a NUL-separated pseudo-file, joining with sep into out[n]. A file
 * longer than n-1 bytes keeps its first and its last part around a marker
 * ("... [N bytes cut] ..."), so what an attacker appends after megabytes of
 * padding is still seen; *truncated says so. At most max bytes are read (the
 * tail is then the last part of those). Returns the bytes read, or -1. */
static ssize_t read_joined(const char *path, size_t max, char sep, char *out, size_t n, bool *truncated)
{
	out[0] = '\0';
	if (truncated)
		*truncated = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char marker[64];
	size_t head_cap = n > 256 ? (n - 1 - sizeof(marker)) / 2 : n - 1;
	size_t tail_cap = n > 256 ? n - 1 - sizeof(marker) - head_cap : 0;
	char *tail = tail_cap ? malloc(tail_cap) : NULL; /* ring of the last tail_cap bytes */
	char chunk[16384];
	size_t total = 0, head_len = 0;
	bool more = false;
	for (;;) {
		size_t want = sizeof(chunk);
		if (total >= max) {
			more = read(fd, chunk, 1) > 0;
			break;
		}
		if (want > max - total)
			want = max - total;
		ssize_t r = read(fd, chunk, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			close(fd);
			free(tail);
			return -1;
		}
		if (r == 0)
			break;
		for (ssize_t i = 0; i < r; i++, total++) {
			if (head_len < n - 1)
				out[head_len++] = chunk[i];
			if (tail)
				tail[total % tail_cap] = chunk[i];
		}
	}
	close(fd);
	/* trailing NULs end the last argument: not content */
	size_t len = total;
	for (;;) {
		if (!len)
			break;
		size_t i = len - 1;
		char c = i < head_len ? out[i] : (tail && i + tail_cap >= total) ? tail[i % tail_cap] : 'x';
		if (c != '\0')
			break;
		len--;
	}
	if (len <= n - 1) { /* it all fits: the head holds everything */
		for (size_t i = 0; i < len; i++)
			if (out[i] == '\0')
				out[i] = sep;
		out[len] = '\0';
		free(tail);
		if (truncated && more)
			*truncated = true;
		return (ssize_t)total;
	}
	for (size_t i = 0; i < head_cap; i++)
		if (out[i] == '\0')
			out[i] = sep;
	if (!tail) {
		out[n - 1] = '\0';
		if (truncated)
			*truncated = true;
		return (ssize_t)total;
	}
	size_t start = len - tail_cap;
	if (start + tail_cap < total)
		start = total - tail_cap; /* the ring holds only the last tail_cap bytes read */
	int ml = snprintf(marker, sizeof(marker), " ... [%zu bytes cut%s] ... ", start - head_cap,
			  more ? ", read limit reached" : "");
	if (ml < 0 || (size_t)ml >= sizeof(marker))
		ml = (int)sizeof(marker) - 1;
	size_t w = head_cap;
	memcpy(out + w, marker, (size_t)ml);
	w += (size_t)ml;
	for (size_t i = start; i < len; i++)
		out[w++] = tail[i % tail_cap] == '\0' ? sep : tail[i % tail_cap];
	out[w] = '\0';
	free(tail);
	if (truncated)
		*truncated = true;
	return (ssize_t)total;
}

long hh_procfs_read_cmdline(const char *proc_root, int pid, char *out, size_t n, bool *truncated)
{
	char path[HH_PATH_LEN];
	if (n == 0 || pid <= 0 ||
	    snprintf(path, sizeof(path), "%s/%d/cmdline", proc_root ? proc_root : "/proc", pid) >= (int)sizeof(path))
		return -1;
	return (long)read_joined(path, CMDLINE_READ_MAX, ' ', out, n, truncated);
}

/* upperdir of the overlay mounted at "/" in pid's mount namespace. */
static int root_upperdir(const struct hh_procfs *p, int pid, char *out, size_t n)
{
	char path[HH_PATH_LEN], err[256];
	struct hh_buf b;
	out[0] = '\0';
	if (pid_path(p, pid, "mountinfo", path, sizeof(path)) < 0 ||
	    hh_read_file(path, MOUNTINFO_MAX, &b, err, sizeof(err)) < 0)
		return -1;
	int rc = hh_mountinfo_root_upperdir(b.data, out, n);
	hh_buf_free(&b);
	return rc;
}

static bool has_dotdot(const char *s)
{
	for (const char *q = strstr(s, ".."); q; q = strstr(q + 1, ".."))
		if ((q == s || q[-1] == '/') && (q[2] == '\0' || q[2] == '/'))
			return true;
	return false;
}

/* True when the exe (a path inside the container) exists in the container's
 * writable layer: it was written or modified after the container started. */
static bool exe_in_upper(const struct hh_procfs *p, int pid, const char *exepath)
{
	char upper[HH_PATH_LEN];
	if (exepath[0] != '/' || has_dotdot(exepath) || root_upperdir(p, pid, upper, sizeof(upper)) < 0 ||
	    upper[0] != '/' || has_dotdot(upper))
		return false;
	char a[HH_PATH_LEN * 2], b[HH_PATH_LEN * 3];
	if (strcmp(p->host_root, "/") == 0)
		snprintf(a, sizeof(a), "%s", upper);
	else if ((size_t)snprintf(a, sizeof(a), "%s%s", p->host_root, upper) >= sizeof(a))
		return false;
	if ((size_t)snprintf(b, sizeof(b), "%s%s", a, exepath) >= sizeof(b))
		return false;
	struct stat st;
	return lstat(b, &st) == 0 && S_ISREG(st.st_mode);
}

static void read_ids(const struct hh_procfs *p, int pid, struct hh_event *ev)
{
	char path[HH_PATH_LEN], err[256];
	struct hh_buf b;
	if (pid_path(p, pid, "status", path, sizeof(path)) < 0 || hh_read_file(path, 64 * 1024, &b, err, sizeof(err)) < 0)
		return;
	const char *u = strstr(b.data, "\nUid:");
	if (u)
		ev->uid = (uint32_t)strtoul(u + 5, NULL, 10);
	const char *g = strstr(b.data, "\nGid:");
	if (g)
		ev->gid = (uint32_t)strtoul(g + 5, NULL, 10);
	hh_buf_free(&b);
}

int hh_procfs_read_process(struct hh_procfs *p, int pid, struct hh_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	if (pid <= 0)
		return -1;
	ev->type = HH_EV_PROC;
	ev->time = hh_now();
	ev->pid = ev->tid = pid;
	struct hh_proc_stat st;
	if (read_stat(p, pid, &st) < 0)
		return -1;
	ev->ppid = st.ppid;
	hh_strlcpy(ev->comm, st.comm, sizeof(ev->comm));
	char path[HH_PATH_LEN];
	/* comm from the comm file too: stat cuts nothing, but prefer the file when it exists */
	if (pid_path(p, pid, "comm", path, sizeof(path)) == 0) {
		char c[64];
		if (hh_read_small(path, c, sizeof(c)) > 0)
			hh_strlcpy(ev->comm, c, sizeof(ev->comm));
	}
	read_ids(p, pid, ev);

	if (pid_path(p, pid, "cmdline", path, sizeof(path)) == 0)
		read_joined(path, CMDLINE_READ_MAX, ' ', ev->cmdline, sizeof(ev->cmdline), &ev->cmdline_truncated);
	if (pid_path(p, pid, "environ", path, sizeof(path)) == 0)
		read_joined(path, ENV_READ_MAX, '\n', ev->env, sizeof(ev->env), NULL);

	/* exe link: "/path", "/path (deleted)", "/memfd:name (deleted)" */
	char link[HH_EV_PATH_LEN + 16];
	if (pid_path(p, pid, "exe", path, sizeof(path)) == 0) {
		ssize_t n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			const char *del = " (deleted)";
			size_t dl = strlen(del);
			bool deleted = (size_t)n >= dl && strcmp(link + n - dl, del) == 0;
			if (strncmp(link, "/memfd:", 7) == 0) {
				ev->exe_memfd = true; /* a memfd always reads "(deleted)": it never had a name */
			} else if (deleted) {
				ev->exe_deleted = true;
				link[n - dl] = '\0';
			}
			hh_strlcpy(ev->exepath, link, sizeof(ev->exepath));
			struct hh_exe_facts f;
			struct stat est;
			bool self = stat(path, &est) == 0 && est.st_dev == p->self_dev && est.st_ino == p->self_ino;
			if (hh_exe_facts_of(p->exe, path, &f) == 0) {
				hh_strlcpy(ev->exe_sha256, f.sha256, sizeof(ev->exe_sha256));
				/* hashhound's own binary carries the trait patterns as data */
				if (!self)
					hh_strlcpy(ev->exe_traits, f.traits, sizeof(ev->exe_traits));
			}
		}
	}

	/* ancestors, parent first, bounded */
	int pp = st.ppid;
	for (int i = 0; i < HH_EV_MAX_ANCESTORS && pp > 0; i++) {
		struct hh_proc_stat a;
		if (read_stat(p, pp, &a) < 0)
			break;
		hh_strlcpy(ev->ancestors[i], a.comm, sizeof(ev->ancestors[i]));
		ev->n_ancestors = (uint8_t)(i + 1);
		if (pp == a.ppid)
			break;
		pp = a.ppid;
	}
	if (ev->n_ancestors)
		hh_strlcpy(ev->pcomm, ev->ancestors[0], sizeof(ev->pcomm));

	if (p->identity) {
		int rc = hh_identity_of_pid(p->identity, pid, &ev->workload);
		if (rc < 0)
			return -1;
	}
	if (ev->exepath[0] && !ev->exe_memfd && ev->workload.container_id[0])
		ev->exe_upper_layer = exe_in_upper(p, pid, ev->exepath);
	/* still there? (pids are reused; a vanished process gives no event) */
	if (pid_path(p, pid, "", path, sizeof(path)) == 0 && access(path, F_OK) != 0)
		return -1;
	return 0;
}

double hh_procfs_start_time(struct hh_procfs *p, int pid)
{
	struct hh_proc_stat st;
	if (!p->btime || read_stat(p, pid, &st) < 0)
		return 0;
	return p->btime + (double)st.starttime / (double)p->hz;
}

int hh_procfs_sweep(struct hh_procfs *p, hh_event_cb cb, void *ctx)
{
	DIR *d = opendir(p->proc_root);
	if (!d) {
		hh_warn("procfs: %s: %s", p->proc_root, strerror(errno));
		return -1;
	}
	struct hh_event *ev = malloc(sizeof(*ev));
	if (!ev) {
		closedir(d);
		return -1;
	}
	int seen = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid > 0x7fffffff)
			continue;
		if (hh_procfs_read_process(p, (int)pid, ev) < 0)
			continue;
		seen++;
		if (!ev->exepath[0] && !ev->cmdline[0])
			continue; /* kernel thread */
		if (!ev->workload.container_id[0] && !p->include_host)
			continue;
		cb(ev, ctx);
	}
	free(ev);
	closedir(d);
	return seen;
}
