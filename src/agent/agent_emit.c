/* Findings out: to the caller's callback (its sinks), and through the
 * correlator, whose incidents go out the same way. */
#include "agent/agent_internal.h"

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
	out(a, f);
	struct hh_finding *inc = hh_correlator_add(a->correlator, w, f, a->now);
	hh_finding_free(f);
	if (inc) {
		out(a, inc);
		hh_finding_free(inc);
	}
}
