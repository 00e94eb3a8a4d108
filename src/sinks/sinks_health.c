/* The sinks' own health as metrics: what waits to be delivered. */
#include "sinks/sinks.h"

void hh_sinks_export_metrics(struct hh_sinks *s)
{
	hh_metrics_describe(s->metrics, "hashhound_sink_backlog", HH_METRIC_GAUGE,
			    "Findings waiting in memory to be delivered, by sink.");
	hh_metrics_describe(s->metrics, "hashhound_sink_spool_bytes", HH_METRIC_GAUGE,
			    "Bytes of undelivered findings in the spool file, by sink.");
	if (!s->webhook)
		return;
	size_t queued = 0;
	uint64_t spool = 0;
	hh_webhook_backlog(s->webhook, &queued, &spool);
	const char *labels[] = { "sink", "webhook", NULL };
	hh_metrics_set(s->metrics, "hashhound_sink_backlog", labels, (double)queued);
	hh_metrics_set(s->metrics, "hashhound_sink_spool_bytes", labels, (double)spool);
}
