/* Container identity of sensor events: see sensor_container.h. */
#include "sources/sensor/sensor_container.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "core/fileio.h"
#include "enrich/container_id.h"

#define CG_SLOTS 1024
#define PID_SLOTS 4096
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#define FILEID_KERNFS 0xfe /* include/linux/exportfs.h: a kernfs node by its 64-bit id */

struct cg_slot {
	uint64_t cgroup_id;   /* 0: empty */
	struct hh_cgroup_identity id;
};

struct pid_slot {
	int32_t pid;          /* 0: empty */
	uint64_t cgroup_id;
	struct hh_cgroup_identity id;
};

struct hh_cgcache {
	char proc_root[256];
	char cg2_root[256];   /* the cgroup2 mount, "" when none */
	int cg2_fd;           /* open on it for open_by_handle_at, -1 when none */
	struct cg_slot slots[CG_SLOTS];
	struct pid_slot pids[PID_SLOTS];
	struct hh_cgcache_stats st;
};

static bool is_cgroup2(const char *dir)
{
	struct statfs sf;
	return statfs(dir, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

struct hh_cgcache *hh_cgcache_new(const char *proc_root, const char *cgroup_root)
{
	struct hh_cgcache *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	snprintf(c->proc_root, sizeof(c->proc_root), "%s", proc_root && *proc_root ? proc_root : "/proc");
	const char *root = cgroup_root && *cgroup_root ? cgroup_root : "/sys/fs/cgroup";
	char unified[256];
	snprintf(unified, sizeof(unified), "%s/unified", root);
	c->cg2_fd = -1;
	if (is_cgroup2(root))
		snprintf(c->cg2_root, sizeof(c->cg2_root), "%s", root);
	else if (is_cgroup2(unified))
		snprintf(c->cg2_root, sizeof(c->cg2_root), "%s", unified);
	if (c->cg2_root[0])
		c->cg2_fd = open(c->cg2_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return c;
}

void hh_cgcache_free(struct hh_cgcache *c)
{
	if (!c)
		return;
	if (c->cg2_fd >= 0)
		close(c->cg2_fd);
	free(c);
}

void hh_cgcache_get_stats(const struct hh_cgcache *c, struct hh_cgcache_stats *out)
{
	*out = c->st;
}

static void apply(const struct hh_cgroup_identity *id, struct hh_event *ev)
{
	hh_strlcpy(ev->workload.container_id, id->container_id, sizeof(ev->workload.container_id));
	hh_strlcpy(ev->workload.runtime, id->runtime, sizeof(ev->workload.runtime));
	hh_strlcpy(ev->workload.pod_uid, id->pod_uid, sizeof(ev->workload.pod_uid));
}

/* Whether the cgroup id alone decides the identity of the text of
 * /proc/PID/cgroup: its v2 line names a container, or there is no v1 line
 * (a pure v2 host: the v2 path is all there is). *v2_names: the v2 line
 * names a container; *v2 / *v2n: that line's path. */
static bool decided_by_v2(const char *text, size_t len, bool *v2_names_out, const char **v2, size_t *v2n)
{
	bool v1 = false, v2_names = false;
	*v2 = NULL;
	*v2n = 0;
	size_t i = 0;
	while (i < len) {
		const char *line = text + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t ln = nl ? (size_t)(nl - line) : len - i;
		i += ln + 1;
		if (ln == 0)
			continue;
		if (ln >= 3 && memcmp(line, "0::", 3) == 0) {
			struct hh_cgroup_identity id;
			v2_names = hh_cgroup_path_identity(line + 3, ln - 3, &id);
			*v2 = line + 3;
			*v2n = ln - 3;
		} else {
			v1 = true;
		}
	}
	*v2_names_out = v2_names;
	return v2_names || !v1;
}

/* True when the v2 path (as /proc/PID/cgroup shows it now) is not the cgroup
 * of cgroup_id: the process moved after its syscall (a runtime's helper
 * joining the container it sets up). False when it cannot tell. */
static bool moved_since(const struct hh_cgcache *c, const char *v2, size_t v2n, uint64_t cgroup_id)
{
	if (c->cg2_fd < 0 || !cgroup_id || !v2 || v2n == 0 || v2n >= PATH_MAX - 2)
		return false;
	char rel[PATH_MAX];
	size_t skip = v2[0] == '/' ? 1 : 0;
	if (v2n - skip == 0)
		snprintf(rel, sizeof(rel), ".");
	else
		snprintf(rel, sizeof(rel), "%.*s", (int)(v2n - skip), v2 + skip);
	struct stat st;
	if (fstatat(c->cg2_fd, rel, &st, 0) < 0)
		return false;
	return (uint64_t)st.st_ino != cgroup_id;
}

static struct pid_slot *pid_slot(struct hh_cgcache *c, int32_t pid)
{
	return &c->pids[(uint32_t)pid % PID_SLOTS];
}

/* Step 4: the cgroup's path from its id. Returns true when it names a container. */
static bool by_handle(struct hh_cgcache *c, uint64_t cgroup_id, struct hh_cgroup_identity *id)
{
	if (c->cg2_fd < 0 || !cgroup_id)
		return false;
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h;
	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = sizeof(uint64_t);
	h.fh.handle_type = FILEID_KERNFS;
	memcpy(h.fh.f_handle, &cgroup_id, sizeof(cgroup_id));
	int fd = open_by_handle_at(c->cg2_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char link[64], path[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	close(fd);
	if (n <= 0)
		return false;
	path[n] = '\0';
	size_t rl = strlen(c->cg2_root);
	const char *rel = strncmp(path, c->cg2_root, rl) == 0 ? path + rl : path;
	memset(id, 0, sizeof(*id));
	return hh_cgroup_path_identity(rel, strlen(rel), id);
}

void hh_cgcache_enrich(struct hh_cgcache *c, struct hh_event *ev)
{
	struct cg_slot *s = ev->cgroup_id ? &c->slots[ev->cgroup_id % CG_SLOTS] : NULL;
	struct pid_slot *ps = ev->pid > 0 ? pid_slot(c, ev->pid) : NULL;
	struct hh_cgroup_identity id;
	memset(&id, 0, sizeof(id));
	if (s && s->cgroup_id == ev->cgroup_id) {
		c->st.by_cgroup++;
		apply(&s->id, ev);
		goto done;
	}
	char path[300], text[4096];
	snprintf(path, sizeof(path), "%s/%d/cgroup", c->proc_root, ev->pid);
	ssize_t n = ev->pid > 0 ? hh_read_small(path, text, sizeof(text)) : -1;
	bool v2_names = false;
	const char *v2 = NULL;
	size_t v2n = 0;
	bool decided = n > 0 && decided_by_v2(text, (size_t)n, &v2_names, &v2, &v2n);
	if (n > 0 && v2_names && moved_since(c, v2, v2n, ev->cgroup_id)) {
		/* in a container now, not at the syscall: the cgroup of the record */
		if (by_handle(c, ev->cgroup_id, &id)) {
			c->st.by_handle++;
			apply(&id, ev);
		} else {
			c->st.unknown++;
		}
		goto done;
	}
	if (n > 0) {
		char cgpath[1024];
		hh_proc_cgroup_identity(text, (size_t)n, &id, cgpath, sizeof(cgpath));
		c->st.by_proc++;
		apply(&id, ev);
		if (s && decided) {
			s->cgroup_id = ev->cgroup_id;
			s->id = id;
		}
		if (ps) {
			ps->pid = ev->pid;
			ps->cgroup_id = ev->cgroup_id;
			ps->id = id;
		}
		goto done;
	}
	/* gone */
	if (ps && ps->pid == ev->pid && ps->cgroup_id == ev->cgroup_id) {
		c->st.by_pid++;
		apply(&ps->id, ev);
		goto done;
	}
	if (by_handle(c, ev->cgroup_id, &id)) {
		c->st.by_handle++;
		apply(&id, ev);
		if (s) {
			s->cgroup_id = ev->cgroup_id;
			s->id = id;
		}
		goto done;
	}
	c->st.unknown++; /* gone and never seen: unknown, not "host" */
done:
	if (ev->type == HH_EV_EXIT && ps && ps->pid == ev->pid)
		ps->pid = 0;
}
