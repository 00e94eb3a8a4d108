/* Findings out: to the caller's callback (its sinks), and through the
 * correlator, whose incidents go out the same way. A process is judged twice
 * when the sensor sees its exec and the inventory its snapshot: a finding
 * about a process (rule, container, pid, exe) goes out once. The memory of
 * what went out is two generations of a bounded table, kept across restarts
 * by agent_state.c. */
#include <stdlib.h>
#include <string.h>

#include "agent/agent_internal.h"
#include "core/log.h"
#include "core/tuning.h"

#define DEDUP_CAP 8192 /* keys per generation */

struct hh_agent_dedup {
	uint64_t gen[2][DEDUP_CAP];
	size_t n[2];
	int cur;
};

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (h ^ 0xff) * 1099511628211ULL;
}

static bool in_gen(const struct hh_agent_dedup *d, int g, uint64_t k)
{
	for (size_t i = 0; i < d->n[g]; i++)
		if (d->gen[g][i] == k)
			return true;
	return false;
}

static bool dedup_alloc(struct hh_agent *a)
{
	return a->dedup || (a->dedup = calloc(1, sizeof(*a->dedup)));
}

size_t hh_agent_dedup_export(const struct hh_agent *a, uint64_t *keys, size_t cap)
{
	const struct hh_agent_dedup *d = a->dedup;
	size_t n = 0;
	if (!d)
		return 0;
	/* Older generation first, so an import keeps the newest when capped. */
	for (int g = 0; g < 2; g++) {
		int gen = g == 0 ? d->cur ^ 1 : d->cur;
		for (size_t i = 0; i < d->n[gen] && n < cap; i++)
			keys[n++] = d->gen[gen][i];
	}
	return n;
}

void hh_agent_dedup_import(struct hh_agent *a, const uint64_t *keys, size_t n)
{
	if (!dedup_alloc(a))
		return;
	struct hh_agent_dedup *d = a->dedup;
	for (size_t i = 0; i < n; i++) {
		if (in_gen(d, 0, keys[i]) || in_gen(d, 1, keys[i]))
			continue;
		if (d->n[d->cur] == DEDUP_CAP) {
			d->cur ^= 1;
			d->n[d->cur] = 0;
		}
		d->gen[d->cur][d->n[d->cur]++] = keys[i];
	}
}

/* True when a finding with this key already went out. */
static bool seen_before(struct hh_agent *a, const struct hh_finding *f)
{
	json_t *pid = json_object_get(f->fields, "proc.pid");
	if (!json_is_integer(pid) || strncmp(f->rule, "incident.", 9) == 0)
		return false;
	if (!dedup_alloc(a))
		return false;
	struct hh_agent_dedup *d = a->dedup;
	char num[32];
	snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(pid));
	uint64_t k = fnv(1469598103934665603ULL, f->rule);
	k = fnv(k, json_string_value(json_object_get(f->fields, "container.id")));
	k = fnv(k, num);
	k = fnv(k, json_string_value(json_object_get(f->fields, "proc.exepath")));
	if (in_gen(d, 0, k) || in_gen(d, 1, k))
		return true;
	if (d->n[d->cur] == DEDUP_CAP) { /* the older generation goes */
		d->cur ^= 1;
		d->n[d->cur] = 0;
	}
	d->gen[d->cur][d->n[d->cur]++] = k;
	a->state_dirty = true;
	return false;
}

static void out(struct hh_agent *a, const struct hh_finding *f)
{
	a->stats.findings++;
	if (a->cb)
		a->cb(f, a->cb_ctx);
}

void hh_agent_emit(struct hh_agent *a, const struct hh_workload *w, struct hh_finding *f)
{
	if (!f)
		return;
	/* The one place every agent finding passes: tuning applies to all of
	 * them, before the correlator counts them. */
	const char *why;
	if (hh_tuning_suppressed(a->tuning, w, f, &why)) {
		a->stats.suppressed++;
		hh_debug("agent: %s suppressed (%s)", f->rule, why);
		hh_finding_free(f);
		return;
	}
	/* flagged for the CPU metric, also by a repeat of a finding that came
	 * out before the sweep followed its container */
	if (f->severity >= HH_SEV_MEDIUM && w && w->container_id[0]) {
		struct agent_container *c = hh_agent_container(a, w->container_id);
		if (c)
			c->flagged = true;
	}
	/* A finding that already went out (this run, or before a restart:
	 * agent_state.c) is not repeated, but still counts for correlation, so
	 * an incident it is part of is neither lost nor repeated. */
	bool repeat = seen_before(a, f);
	if (!repeat)
		out(a, f);
	struct hh_finding *inc = hh_correlator_add(a->correlator, w, f, a->now);
	hh_finding_free(f);
	if (inc) {
		a->state_dirty = true;
		struct agent_container *c = w && w->container_id[0] ? hh_agent_container(a, w->container_id) : NULL;
		if (c)
			c->in_incident = c->flagged = true;
		out(a, inc);
		struct hh_finding *resp = hh_agent_auto_respond(a, w, inc);
		if (resp) {
			out(a, resp);
			hh_finding_free(resp);
		}
		hh_finding_free(inc);
	}
}

void hh_agent_dedup_free(struct hh_agent *a)
{
	free(a->dedup);
	a->dedup = NULL;
}
