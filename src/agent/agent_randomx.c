/* The RandomX profile in the agent: each FPU summary of a process in a
 * container (rounding churn, JIT and huge-page counters from the sensor) is
 * judged with its anonymous RSS (randomx_profile.h); a match goes out as
 * miner.randomx-profile (once per process: agent_emit.c deduplicates). The
 * previous summary's mprotect(PROT_EXEC) count per process is kept in a small
 * ring, so "rewritten continually" means "still being rewritten". */
#include <stdlib.h>
#include <string.h>

#include "agent/agent_internal.h"
#include "core/log.h"
#include "detectors/behavior/randomx_profile.h"

#define RX_TRACK 256

struct hh_agent_rx {
	struct { int32_t pid; uint64_t exec_protects; } t[RX_TRACK];
	size_t n, next;
};

void hh_agent_randomx(struct hh_agent *a, const struct hh_event *ev)
{
	if (ev->type != HH_EV_FPU || !ev->fpu_nondefault_switches)
		return;
	if (!a->rx && !(a->rx = calloc(1, sizeof(*a->rx))))
		return;
	struct hh_agent_rx *rx = a->rx;
	size_t i;
	for (i = 0; i < rx->n; i++)
		if (rx->t[i].pid == ev->pid)
			break;
	uint64_t before = 0;
	if (i < rx->n) {
		before = rx->t[i].exec_protects;
	} else {
		i = rx->n < RX_TRACK ? rx->n++ : (rx->next++ % RX_TRACK);
		rx->t[i].pid = ev->pid;
	}
	rx->t[i].exec_protects = ev->fpu_exec_protects;
	struct hh_rx_obs o = {
		.switches = ev->fpu_switches,
		.nondefault = ev->fpu_nondefault_switches,
		.exec_protects = ev->fpu_exec_protects,
		.exec_protects_before = before,
		.anon_exec_maps = ev->fpu_anon_exec_maps,
		.hugepage_reqs = ev->fpu_hugepage_reqs,
		.rss_anon_kb = hh_randomx_rss_anon_kb(a->proc_root, ev->pid),
	};
	struct hh_rx_profile p;
	hh_randomx_profile_judge(&o, a->cfg, &ev->workload, &p);
	hh_debug("agent: randomx profile pid %d: churn %d jit %d cache %d huge %d (protects %llu, rss %lld KiB)",
		 (int)ev->pid, p.churn, p.jit, p.cache, p.huge, (unsigned long long)o.exec_protects, o.rss_anon_kb);
	if (p.match)
		hh_agent_emit(a, &ev->workload, hh_randomx_profile_finding(ev, &o, &p));
}

void hh_agent_randomx_free(struct hh_agent *a)
{
	free(a->rx);
	a->rx = NULL;
}
