/* Container discovery, telemetry and behavior, once per sweep. The followed
 * containers are kept sorted by id and merge-walked against each discovery,
 * so arrivals and departures are found in O(n log n). */
#include <stdlib.h>
#include <string.h>

#include "agent/agent_internal.h"
#include "core/log.h"

static int cmp_ref(const void *x, const void *y)
{
	return strcmp(((const struct hh_container_ref *)x)->id, ((const struct hh_container_ref *)y)->id);
}

static int cmp_ctr_key(const void *key, const void *elem)
{
	return strcmp((const char *)key, ((const struct agent_container *)elem)->ref.id);
}

struct agent_container *hh_agent_container(struct hh_agent *a, const char *id)
{
	return a->n_ctr ? bsearch(id, a->ctr, a->n_ctr, sizeof(*a->ctr), cmp_ctr_key) : NULL;
}

bool hh_agent_follows(const struct hh_agent *a, const char *container_id)
{
	const char *only = a->opts.only_container;
	return !only || !*only || strncmp(container_id, only, strlen(only)) == 0;
}

static void identify(struct hh_agent *a, struct agent_container *c)
{
	struct hh_workload w = { 0 };
	int rc = hh_identity_of_container(a->identity, c->ref.id, c->ref.runtime, &w);
	hh_strlcpy(w.container_id, c->ref.id, sizeof(w.container_id));
	if (!w.runtime[0])
		hh_strlcpy(w.runtime, c->ref.runtime, sizeof(w.runtime));
	if (!w.pod_uid[0])
		hh_strlcpy(w.pod_uid, c->ref.pod_uid, sizeof(w.pod_uid));
	hh_strlcpy(w.cgroup_path, c->ref.cgroup_path, sizeof(w.cgroup_path));
	c->w = w;
	c->identified = rc == 0;
	/* Runtime state can lag the cgroup by a moment: try again a few sweeps on. */
	c->retry_at = a->stats.sweeps + 5;
}

static void forget(struct hh_agent *a, const struct agent_container *c)
{
	hh_info("container gone: %.12s %s", c->ref.id, c->w.container_name);
	hh_behavior_forget(a->behavior, c->ref.id);
	hh_correlator_forget(a->correlator, c->ref.id);
	hh_identity_forget(a->identity, c->ref.id);
}

/* Merges the discovery (refs, sorted, unique) into the followed table. */
static int merge(struct hh_agent *a, size_t n)
{
	struct agent_container *next = calloc(n ? n : 1, sizeof(*next));
	if (!next)
		return -1;
	size_t i = 0, j = 0, k = 0;
	while (i < a->n_ctr || j < n) {
		int c = i == a->n_ctr ? 1 : j == n ? -1 : strcmp(a->ctr[i].ref.id, a->refs[j].id);
		if (c < 0) {
			forget(a, &a->ctr[i++]);
			continue;
		}
		if (c == 0) {
			next[k] = a->ctr[i++];
			next[k].ref = a->refs[j++];
			hh_strlcpy(next[k].w.cgroup_path, next[k].ref.cgroup_path, sizeof(next[k].w.cgroup_path));
			if (!next[k].identified && a->stats.sweeps >= next[k].retry_at)
				identify(a, &next[k]);
			k++;
			continue;
		}
		struct agent_container *nc = &next[k++];
		nc->ref = a->refs[j++];
		nc->first_seen = a->now;
		identify(a, nc);
		hh_info("container: %.12s %s %s (%s, cgroup v%d)", nc->ref.id,
			nc->w.container_name[0] ? nc->w.container_name : "-", nc->w.image[0] ? nc->w.image : "-",
			nc->w.runtime[0] ? nc->w.runtime : "unknown runtime", nc->ref.version);
	}
	free(a->ctr);
	a->ctr = next;
	a->n_ctr = k;
	return 0;
}

int hh_agent_sweep_containers(struct hh_agent *a)
{
	int found = hh_containers_discover(a->cgroup_root, a->refs, a->max_ctr);
	if (found < 0) {
		a->cgroup_ok = false;
		found = 0;
	} else {
		a->cgroup_ok = true;
	}
	size_t n = 0;
	for (size_t i = 0; i < (size_t)found; i++)
		if (hh_agent_follows(a, a->refs[i].id))
			a->refs[n++] = a->refs[i];
	qsort(a->refs, n, sizeof(*a->refs), cmp_ref);
	size_t u = 0; /* a nested layout may name one container twice: keep the first */
	for (size_t i = 0; i < n; i++)
		if (u == 0 || strcmp(a->refs[u - 1].id, a->refs[i].id) != 0)
			a->refs[u++] = a->refs[i];
	if (merge(a, u) < 0)
		return -1;

	uint64_t busy, total;
	int ncpu = 0;
	if (hh_node_cpu(a->proc_root, &busy, &total, &ncpu) == 0 && ncpu > 0)
		a->node_cpus = ncpu;

	hh_agent_bill_node(a); /* node energy and busy CPU since the last sweep */
	int emitted = 0;
	struct hh_findings out = { 0 };
	for (size_t i = 0; i < a->n_ctr; i++) {
		struct agent_container *c = &a->ctr[i];
		hh_agent_sensor_service(a, false); /* between containers: a->ctr is settled */
		struct hh_cgroup_stats st;
		if (hh_cgroup_read_stats(a->cgroup_root, &c->ref, &st) < 0)
			continue; /* gone between discovery and read: the next sweep forgets it */
		if (!c->posture_done && c->posture_tries < 5 && hh_config_bool(a->cfg, &c->w, "agent.posture", true)) {
			c->posture_tries++;
			c->posture_done = hh_agent_posture(a, &c->w);
		}
		hh_behavior_add_stats(a->behavior, &c->w, &st, a->node_cpus);
		a->stats.telemetry_samples++;
		if (c->cpu_prev_t > 0 && st.time > c->cpu_prev_t && st.cpu_usage_ns >= c->cpu_prev_ns) {
			c->cpu_cores = (double)(st.cpu_usage_ns - c->cpu_prev_ns) / 1e9 / (st.time - c->cpu_prev_t);
			hh_agent_bill_sample(a, c, &st, st.time - c->cpu_prev_t);
		}
		c->cpu_prev_ns = st.cpu_usage_ns;
		c->cpu_prev_t = st.time;
		hh_behavior_evaluate(a->behavior, c->ref.id, a->now, &out);
		for (size_t k = 0; k < out.n; k++) {
			hh_agent_emit(a, &c->w, out.items[k]);
			out.items[k] = NULL;
			emitted++;
		}
		out.n = 0;
	}
	hh_findings_clear(&out);
	a->stats.containers = a->n_ctr;
	return emitted;
}
