/* miner.randomx-profile: what a RandomX VM does, all at once, in one process.
 *
 *   churn  the FPU rounding mode non-default across context switches
 *          (sensor FPU summary: >= behavior.randomx.min_switches sampled
 *          switches, >= behavior.randomx.min_nondefault of them non-default)
 *   jit    anonymous executable JIT memory rewritten continually: at least
 *          behavior.randomx.min_exec_protects mprotect(PROT_EXEC) calls and
 *          more since the previous summary, or an anonymous PROT_EXEC mapping
 *          (a writable and executable JIT buffer)
 *   cache  anonymous resident memory >= behavior.randomx.min_rss_mib (256 MiB
 *          cache, 2 GiB dataset), or
 *   huge   huge pages asked for (MAP_HUGETLB, MADV_HUGEPAGE)
 * The profile matches with churn + jit + (cache or huge). Churn alone is the
 * rule miner.fpu-randomx (medium: fesetround loops are legitimate); JIT and
 * large heaps alone are every JVM and browser engine. */
#ifndef HH_RANDOMX_PROFILE_H
#define HH_RANDOMX_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/event.h"
#include "core/finding.h"

struct hh_rx_obs {
	uint64_t switches, nondefault;
	uint64_t exec_protects, exec_protects_before; /* now, and at the previous summary */
	uint64_t anon_exec_maps, hugepage_reqs;
	long long rss_anon_kb;                        /* -1: unknown (process gone) */
};

struct hh_rx_profile {
	bool churn, jit, cache, huge, match;
};

/* cfg and w may be NULL (defaults). */
void hh_randomx_profile_judge(const struct hh_rx_obs *o, const struct hh_config *cfg, const struct hh_workload *w,
			      struct hh_rx_profile *out);

/* The finding for a match (ev: the sensor's FPU summary). NULL on allocation failure. */
struct hh_finding *hh_randomx_profile_finding(const struct hh_event *ev, const struct hh_rx_obs *o,
					      const struct hh_rx_profile *p);

/* RssAnon of /proc/PID/status under proc_root in KiB, -1 when unreadable. */
long long hh_randomx_rss_anon_kb(const char *proc_root, int32_t pid);

#endif
