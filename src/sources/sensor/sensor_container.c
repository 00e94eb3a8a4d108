/* Container id by cgroup id: see sensor_container.h. */
#include "sources/sensor/sensor_container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "enrich/container_id.h"

#define CG_SLOTS 1024

struct cg_slot {
	uint64_t cgroup_id;   /* 0: empty */
	struct hh_cgroup_identity id;
};

struct hh_cgcache {
	char proc_root[256];
	struct cg_slot slots[CG_SLOTS];
};

struct hh_cgcache *hh_cgcache_new(const char *proc_root)
{
	struct hh_cgcache *c = calloc(1, sizeof(*c));
	if (c)
		snprintf(c->proc_root, sizeof(c->proc_root), "%s", proc_root && *proc_root ? proc_root : "/proc");
	return c;
}

void hh_cgcache_free(struct hh_cgcache *c)
{
	free(c);
}

static void apply(const struct hh_cgroup_identity *id, struct hh_event *ev)
{
	hh_strlcpy(ev->workload.container_id, id->container_id, sizeof(ev->workload.container_id));
	hh_strlcpy(ev->workload.runtime, id->runtime, sizeof(ev->workload.runtime));
	hh_strlcpy(ev->workload.pod_uid, id->pod_uid, sizeof(ev->workload.pod_uid));
}

void hh_cgcache_enrich(struct hh_cgcache *c, struct hh_event *ev)
{
	struct cg_slot *s = ev->cgroup_id ? &c->slots[ev->cgroup_id % CG_SLOTS] : NULL;
	if (s && s->cgroup_id == ev->cgroup_id) {
		apply(&s->id, ev);
		return;
	}
	char path[300], text[4096];
	snprintf(path, sizeof(path), "%s/%d/cgroup", c->proc_root, ev->pid);
	ssize_t n = hh_read_small(path, text, sizeof(text));
	if (n <= 0)
		return; /* gone and never seen: unknown, not "host" */
	struct hh_cgroup_identity id;
	char cgpath[1024];
	memset(&id, 0, sizeof(id));
	hh_proc_cgroup_identity(text, (size_t)n, &id, cgpath, sizeof(cgpath));
	apply(&id, ev);
	if (s) {
		s->cgroup_id = ev->cgroup_id;
		s->id = id;
	}
}
