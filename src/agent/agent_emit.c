/* Findings out: to the caller (stdout), appended to the findings file, and
 * through the correlator, whose incidents go out the same way. */
#include "agent/agent_internal.h"
#include "sinks/output.h"

static void out(struct hh_agent *a, const struct hh_finding *f)
{
	a->stats.findings++;
	if (a->cb)
		a->cb(f, a->cb_ctx);
	if (a->findings_fp)
		hh_output_json_line(a->findings_fp, f);
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
