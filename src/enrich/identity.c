/* PID -> container identity, with a bounded LRU of resolved containers.
 * Runtime state is read from disk through host_root (enrich/runtime_*.c);
 * a container no runtime knows yet is retried after a short delay (its
 * state may be written just after its first process shows up). */
#include "enrich/identity.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/fileio.h"
#include "core/log.h"
#include "enrich/container_id.h"
#include "enrich/runtime_state.h"

#define NEGATIVE_RETRY_S 10.0
#define PROC_CGROUP_MAX (256 * 1024)

struct entry {
	char id[HH_ID_LEN];
	struct hh_workload w;   /* without cgroup_path (per process) */
	int status;             /* 0 resolved, -1 unknown to every runtime */
	double when;
	struct entry *prev, *next;  /* LRU: head = most recent */
	struct entry *hnext;
};

struct hh_identity {
	char proc_root[HH_PATH_LEN];
	char host_root[HH_PATH_LEN];
	size_t cap, n;
	struct entry **buckets;
	size_t nbuckets;
	struct entry *head, *tail;
	struct hh_rt_storage *storage;
	char runtimes[96];
};

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t hash_id(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

struct hh_identity *hh_identity_new(const struct hh_identity_opts *opts)
{
	struct hh_identity *id = calloc(1, sizeof(*id));
	if (!id)
		return NULL;
	hh_strlcpy(id->proc_root, opts && opts->proc_root ? opts->proc_root : "/proc", sizeof(id->proc_root));
	hh_strlcpy(id->host_root, opts && opts->host_root ? opts->host_root : "/", sizeof(id->host_root));
	id->cap = opts && opts->cache_cap ? opts->cache_cap : 4096;
	id->nbuckets = 16;
	while (id->nbuckets < id->cap * 2 && id->nbuckets < (1u << 24))
		id->nbuckets <<= 1;
	id->buckets = calloc(id->nbuckets, sizeof(*id->buckets));
	id->storage = hh_rt_storage_new(id->host_root);
	if (!id->buckets || !id->storage) {
		hh_identity_free(id);
		return NULL;
	}
	char *r = id->runtimes;
	size_t left = sizeof(id->runtimes);
	const char *names[3];
	size_t nn = 0;
	if (hh_rt_storage_present(id->storage))
		names[nn++] = "podman/cri-o";
	if (hh_rt_containerd_present(id->host_root))
		names[nn++] = "containerd";
	if (hh_rt_docker_present(id->host_root))
		names[nn++] = "docker";
	for (size_t i = 0; i < nn; i++) {
		int w = snprintf(r, left, "%s%s", i ? "," : "", names[i]);
		if (w < 0 || (size_t)w >= left)
			break;
		r += w;
		left -= (size_t)w;
	}
	return id;
}

void hh_identity_free(struct hh_identity *id)
{
	if (!id)
		return;
	struct entry *e = id->head;
	while (e) {
		struct entry *n = e->next;
		free(e);
		e = n;
	}
	free(id->buckets);
	hh_rt_storage_free(id->storage);
	free(id);
}

const char *hh_identity_runtimes(const struct hh_identity *id)
{
	return id->runtimes;
}

static void lru_unlink(struct hh_identity *id, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		id->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		id->tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_push(struct hh_identity *id, struct entry *e)
{
	e->prev = NULL;
	e->next = id->head;
	if (id->head)
		id->head->prev = e;
	id->head = e;
	if (!id->tail)
		id->tail = e;
}

static struct entry **slot_of(struct hh_identity *id, const char *cid)
{
	struct entry **s = &id->buckets[hash_id(cid) & (id->nbuckets - 1)];
	while (*s && strcmp((*s)->id, cid) != 0)
		s = &(*s)->hnext;
	return s;
}

static void remove_entry(struct hh_identity *id, struct entry *e)
{
	struct entry **s = slot_of(id, e->id);
	if (*s == e)
		*s = e->hnext;
	lru_unlink(id, e);
	free(e);
	id->n--;
}

void hh_identity_forget(struct hh_identity *id, const char *container_id)
{
	if (!container_id)
		return;
	struct entry *e = *slot_of(id, container_id);
	if (e)
		remove_entry(id, e);
}

typedef int (*reader_fn)(struct hh_identity *id, const char *cid, struct hh_workload *w);

static int rd_storage(struct hh_identity *id, const char *cid, struct hh_workload *w)
{
	return hh_rt_storage_lookup(id->storage, cid, w);
}
static int rd_containerd(struct hh_identity *id, const char *cid, struct hh_workload *w)
{
	int rc = hh_rt_containerd_lookup(id->host_root, cid, w);
	/* Docker 20+ tasks live in containerd namespace "moby": Docker's own
	 * state has the container name and labels. */
	if (rc == 1 && strcmp(w->runtime, "docker") == 0)
		hh_rt_docker_lookup(id->host_root, cid, w);
	return rc;
}
static int rd_docker(struct hh_identity *id, const char *cid, struct hh_workload *w)
{
	return hh_rt_docker_lookup(id->host_root, cid, w);
}

/* Resolves through the runtimes, the one the cgroup path named first. */
static int resolve(struct hh_identity *id, const char *cid, const char *hint, struct hh_workload *w)
{
	reader_fn order[3];
	if (strcmp(hint, "podman") == 0 || strcmp(hint, "cri-o") == 0) {
		order[0] = rd_storage, order[1] = rd_containerd, order[2] = rd_docker;
	} else if (strcmp(hint, "containerd") == 0) {
		order[0] = rd_containerd, order[1] = rd_storage, order[2] = rd_docker;
	} else {
		order[0] = rd_docker, order[1] = rd_containerd, order[2] = rd_storage;
	}
	for (int i = 0; i < 3; i++) {
		int rc = order[i](id, cid, w);
		if (rc == 1)
			return 0;
		if (rc < 0) /* state names it but is broken: keep what was read */
			return 0;
	}
	return -1;
}

int hh_identity_of_container(struct hh_identity *id, const char *container_id, const char *runtime,
			     struct hh_workload *out)
{
	const char *hint = runtime ? runtime : "";
	memset(out, 0, sizeof(*out));
	if (!container_id || !*container_id)
		return -1;
	hh_strlcpy(out->container_id, container_id, sizeof(out->container_id));
	hh_strlcpy(out->runtime, hint, sizeof(out->runtime));
	if (!hh_rt_id_ok(container_id))
		return -1;
	double now = mono();
	struct entry **s = slot_of(id, container_id);
	struct entry *e = *s;
	if (e && (e->status == 0 || now - e->when < NEGATIVE_RETRY_S)) {
		lru_unlink(id, e);
		lru_push(id, e);
		*out = e->w;
		return e->status;
	}
	struct hh_workload w = { 0 };
	hh_strlcpy(w.container_id, container_id, sizeof(w.container_id));
	int status = resolve(id, container_id, hint, &w);
	if (!w.runtime[0])
		hh_strlcpy(w.runtime, hint, sizeof(w.runtime));
	if (!e) {
		if (id->n >= id->cap && id->tail)
			remove_entry(id, id->tail);
		e = calloc(1, sizeof(*e));
		if (!e) {
			*out = w;
			return status;
		}
		hh_strlcpy(e->id, container_id, sizeof(e->id));
		s = slot_of(id, container_id); /* eviction may have changed the chain */
		e->hnext = *s;
		*s = e;
		id->n++;
	} else {
		lru_unlink(id, e);
	}
	lru_push(id, e);
	e->w = w;
	e->status = status;
	e->when = now;
	*out = w;
	return status;
}

int hh_identity_of_pid(struct hh_identity *id, int pid, struct hh_workload *out)
{
	memset(out, 0, sizeof(*out));
	if (pid <= 0)
		return -1;
	char rel[32], p[HH_PATH_LEN], err[256];
	snprintf(rel, sizeof(rel), "/%d/cgroup", pid);
	if (hh_path_join(p, sizeof(p), id->proc_root, rel) < 0)
		return -1;
	struct hh_buf b;
	if (hh_read_file(p, PROC_CGROUP_MAX, &b, err, sizeof(err)) < 0) {
		struct stat st;
		snprintf(rel, sizeof(rel), "/%d", pid);
		if (hh_path_join(p, sizeof(p), id->proc_root, rel) == 0 && stat(p, &st) == 0)
			hh_debug("identity: %s", err); /* alive but unreadable: treat as host */
		else
			return -1;
		return 0;
	}
	struct hh_cgroup_identity ci;
	char path[HH_PATH_LEN];
	bool in = hh_proc_cgroup_identity(b.data, b.len, &ci, path, sizeof(path));
	hh_buf_free(&b);
	if (!in)
		return 0;
	hh_identity_of_container(id, ci.container_id, ci.runtime, out);
	if (!out->pod_uid[0])
		hh_strlcpy(out->pod_uid, ci.pod_uid, sizeof(out->pod_uid));
	hh_strlcpy(out->cgroup_path, path, sizeof(out->cgroup_path));
	return 1;
}
