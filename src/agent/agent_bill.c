/* What mining costs, as the agent sees it: each container's CPU samples (a
 * small ring, handed to the store once the container is flagged), the share
 * of the node's RAPL package energy each sample took (bill.rapl, where
 * readable), and the CPU seconds of containers with an incident for
 * hashhound_mining_cpu_seconds_total. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent_internal.h"
#include "core/log.h"
#include "sinks/metrics.h"
#include "sources/telemetry/rapl.h"

#define MINING_SERIES 256

struct mining_series {
	char ns[HH_NAME_LEN];
	char workload[HH_NAME_LEN];
	double seconds;
};

struct hh_agent_bill {
	struct hh_rapl rapl;
	bool rapl_on;
	double node_j;              /* package energy of the last sweep interval, -1 unknown */
	double node_busy_s;         /* node busy CPU-seconds over it, 0 unknown */
	uint64_t prev_busy;
	bool have_busy;
	struct mining_series series[MINING_SERIES];
	size_t n_series;
};

/* /sys/fs/cgroup -> /sys/class/powercap (and /host/sys/... in a pod). */
static void powercap_root(const struct hh_agent *a, char *out, size_t n)
{
	const char *suffix = "/fs/cgroup";
	size_t l = strlen(a->cgroup_root), sl = strlen(suffix);
	while (l > 1 && a->cgroup_root[l - 1] == '/')
		l--;
	if (l >= sl && strncmp(a->cgroup_root + l - sl, suffix, sl) == 0)
		snprintf(out, n, "%.*s/class/powercap", (int)(l - sl), a->cgroup_root);
	else
		snprintf(out, n, "/sys/class/powercap");
}

void hh_agent_bill_open(struct hh_agent *a)
{
	a->bill = calloc(1, sizeof(*a->bill));
	if (!a->bill)
		return;
	a->bill->node_j = -1;
	if (hh_config_bool(a->cfg, NULL, "bill.rapl", true)) {
		char root[HH_PATH_LEN + 32];
		powercap_root(a, root, sizeof(root));
		size_t n = hh_rapl_open(&a->bill->rapl, root);
		a->bill->rapl_on = n > 0;
		if (n)
			hh_info("bill: RAPL energy from %zu package zone(s) under %s", n, root);
		else
			hh_info("bill: no readable RAPL zone under %s; energy is modelled (bill.watts_per_core)", root);
	}
}

void hh_agent_bill_close(struct hh_agent *a)
{
	free(a->bill);
	a->bill = NULL;
}

void hh_agent_bill_node(struct hh_agent *a)
{
	struct hh_agent_bill *b = a->bill;
	if (!b)
		return;
	b->node_j = b->rapl_on ? hh_rapl_delta_j(&b->rapl) : -1;
	uint64_t busy, total;
	int ncpu;
	b->node_busy_s = 0;
	if (hh_node_cpu(a->proc_root, &busy, &total, &ncpu) == 0) {
		long hz = sysconf(_SC_CLK_TCK);
		if (b->have_busy && busy >= b->prev_busy && hz > 0)
			b->node_busy_s = (double)(busy - b->prev_busy) / (double)hz;
		b->prev_busy = busy;
		b->have_busy = true;
	}
}

static void mining_add(struct hh_agent_bill *b, const struct hh_workload *w, double seconds)
{
	char wl[HH_NAME_LEN];
	if (w->pod_name[0])
		hh_strlcpy(wl, w->pod_name, sizeof(wl));
	else if (w->container_name[0])
		hh_strlcpy(wl, w->container_name, sizeof(wl));
	else
		snprintf(wl, sizeof(wl), "%.12s", w->container_id);
	const char *ns = w->pod_namespace;
	for (size_t i = 0; i < b->n_series; i++)
		if (!strcmp(b->series[i].workload, wl) && !strcmp(b->series[i].ns, ns)) {
			b->series[i].seconds += seconds;
			return;
		}
	if (b->n_series == MINING_SERIES - 1) { /* the last series: everything beyond the cap */
		for (size_t i = 0; i < b->n_series; i++)
			if (!strcmp(b->series[i].workload, "other") && !b->series[i].ns[0]) {
				b->series[i].seconds += seconds;
				return;
			}
		ns = "";
		snprintf(wl, sizeof(wl), "other");
	}
	struct mining_series *s = &b->series[b->n_series++];
	hh_strlcpy(s->ns, ns, sizeof(s->ns));
	hh_strlcpy(s->workload, wl, sizeof(s->workload));
	s->seconds = seconds;
}

struct mark_find {
	const char *id;
	bool found;
};

static void mark_of(const struct hh_incident_mark *m, void *ctx)
{
	struct mark_find *f = ctx;
	if (!f->found && strcmp(m->container_id, f->id) == 0)
		f->found = true;
}

void hh_agent_bill_sample(struct hh_agent *a, struct agent_container *c, const struct hh_cgroup_stats *st, double dt)
{
	/* an incident reported before a restart (agent_state.c) is not emitted
	 * again, but its container is still billed */
	if (c->flagged && !c->in_incident) {
		struct mark_find f = { c->ref.id, false };
		hh_correlator_marks(a->correlator, mark_of, &f);
		c->in_incident = f.found;
	}
	if (!(dt > 0) || !isfinite(c->cpu_cores))
		return;
	struct hh_cpu_point p = { .t = st->time, .dt = dt, .usage = c->cpu_cores, .energy_j = -1 };
	p.has_quota = st->cpu_quota_us > 0 && st->cpu_period_us > 0;
	p.limit = p.has_quota ? (double)st->cpu_quota_us / (double)st->cpu_period_us : (double)a->node_cpus;
	struct hh_agent_bill *b = a->bill;
	if (b && b->node_j >= 0 && b->node_busy_s > 0) {
		double share = c->cpu_cores * dt / b->node_busy_s;
		p.energy_j = b->node_j * (share > 1 ? 1 : share);
	}
	c->cpu_ring[c->cpu_ring_head] = p;
	c->cpu_ring_head = (c->cpu_ring_head + 1) % HH_AGENT_CPU_RING;
	if (c->cpu_ring_n < HH_AGENT_CPU_RING)
		c->cpu_ring_n++;
	if (c->cpu_unsent < HH_AGENT_CPU_RING)
		c->cpu_unsent++;
	if (c->in_incident && b)
		mining_add(b, &c->w, c->cpu_cores * dt);
}

void hh_agent_drain_cpu(struct hh_agent *a, hh_agent_cpu_cb fn, void *ctx)
{
	for (size_t i = 0; i < a->n_ctr; i++) {
		struct agent_container *c = &a->ctr[i];
		if (!c->flagged || !c->cpu_unsent)
			continue;
		unsigned start = (c->cpu_ring_head + HH_AGENT_CPU_RING - c->cpu_unsent) % HH_AGENT_CPU_RING;
		for (unsigned k = 0; k < c->cpu_unsent; k++)
			fn(c->ref.id, &c->cpu_ring[(start + k) % HH_AGENT_CPU_RING], ctx);
		c->cpu_unsent = 0;
	}
}

void hh_agent_bill_metrics(const struct hh_agent *a, struct hh_metrics *m)
{
	const struct hh_agent_bill *b = a->bill;
	if (!b)
		return;
	for (size_t i = 0; i < b->n_series; i++) {
		const char *labels[] = { "namespace", b->series[i].ns, "workload", b->series[i].workload, NULL };
		hh_metrics_set(m, "hashhound_mining_cpu_seconds_total", labels, b->series[i].seconds);
	}
}
