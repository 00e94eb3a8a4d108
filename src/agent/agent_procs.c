/* The process inventory, once per sweep: only processes not seen in the
 * previous sweep are judged (a process is its pid plus what it runs, so an
 * exec in place counts as new). Bounded by agent.max_processes. */
#include <stdlib.h>
#include <string.h>

#include "agent/agent_internal.h"
#include "core/log.h"

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static uint64_t proc_key(const struct hh_event *ev)
{
	uint64_t h = fnv1a(1469598103934665603ULL, ev->exepath);
	h = fnv1a(h, ev->cmdline);
	return ((uint64_t)(uint32_t)ev->pid << 32) ^ (h & 0xffffffffULL) ^ (h >> 32);
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

static void on_new_process(struct hh_agent *a, const struct hh_event *ev, const struct agent_container *c)
{
	a->stats.new_processes++;
	const struct hh_workload *w = c ? &c->w : &ev->workload;
	hh_debug("process: %.12s pid %d %s", w->container_id, ev->pid, ev->exepath);
	/* A binary new to this workload may start a new CPU regime. */
	if (c)
		hh_behavior_note_exec(a->behavior, w, a->now, ev->exepath);
	struct hh_findings out = { 0 };
#if HH_AGENT_HAVE_PROCIND
	/* Miner indicators in cmdline, environment and the exe's content. */
	if (a->procind)
		hh_procind_eval(a->procind, ev, &out);
#endif
	/* The runtime rules see the process as a "proc" event (the rules'
	 * spawned_process macro covers both exec and proc). */
	if (a->rules)
		hh_rules_eval(a->rules, ev, a->cfg, &out);
	for (size_t i = 0; i < out.n; i++) {
		hh_finding_set_workload(out.items[i], w);
		hh_agent_emit(a, w, out.items[i]);
		out.items[i] = NULL;
	}
	out.n = 0;
	hh_findings_clear(&out);
}

struct sweep_ctx {
	struct hh_agent *a;
};

static void on_proc(const struct hh_event *ev, void *vctx)
{
	struct hh_agent *a = ((struct sweep_ctx *)vctx)->a;
	if (ev->type != HH_EV_PROC || !ev->workload.container_id[0] ||
	    !hh_agent_follows(a, ev->workload.container_id))
		return;
	uint64_t key = proc_key(ev);
	if (a->n_seen_next < a->max_procs) {
		a->seen_next[a->n_seen_next++] = key;
	} else if (!a->procs_capped_logged) {
		hh_warn("agent: more than %zu processes in containers; the rest are judged every sweep "
			"(agent.max_processes)", a->max_procs);
		a->procs_capped_logged = true;
	}
	if (a->n_seen && bsearch(&key, a->seen, a->n_seen, sizeof(key), cmp_u64))
		return;
	on_new_process(a, ev, hh_agent_container(a, ev->workload.container_id));
}

int hh_agent_sweep_procs(struct hh_agent *a)
{
	if (!a->procfs)
		return 0;
	struct sweep_ctx ctx = { a };
	unsigned long before = a->stats.findings;
	a->n_seen_next = 0;
	int n = hh_procfs_sweep(a->procfs, on_proc, &ctx);
	a->proc_ok = n >= 0;
	if (n < 0)
		return -1;
	qsort(a->seen_next, a->n_seen_next, sizeof(uint64_t), cmp_u64);
	uint64_t *t = a->seen;
	a->seen = a->seen_next;
	a->seen_next = t;
	a->n_seen = a->n_seen_next;
	a->stats.processes_seen = a->n_seen;
	return (int)(a->stats.findings - before);
}
