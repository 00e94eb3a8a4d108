/* The agent's health as Prometheus metrics (docs/deploy.md lists them):
 * absolute values taken from the agent's counters between sweeps, so a
 * counter here is set, never added to. */
#include <stdio.h>

#include "agent/agent_internal.h"
#include "sinks/metrics.h"

static void describe(struct hh_metrics *m)
{
	static const struct {
		const char *name, *help;
		enum hh_metric_type type;
	} fams[] = {
		{ "hashhound_events_total", "Events read, by source (sensor: runtime sensor events; procfs: processes "
		  "read in full; cgroup: container telemetry reads).", HH_METRIC_COUNTER },
		{ "hashhound_sensor_up", "1 when the runtime sensor is open, by kind (ebpf, proc-connector).",
		  HH_METRIC_GAUGE },
		{ "hashhound_sensor_lost_events_total", "Sensor events lost (ring buffer full), by eBPF program.",
		  HH_METRIC_COUNTER },
		{ "hashhound_sweeps_total", "Sweeps done.", HH_METRIC_COUNTER },
		{ "hashhound_sweep_duration_seconds", "Duration of the last sweep.", HH_METRIC_GAUGE },
		{ "hashhound_sweep_seconds_total", "Time spent in sweeps.", HH_METRIC_COUNTER },
		{ "hashhound_containers_watched", "Containers followed now.", HH_METRIC_GAUGE },
		{ "hashhound_processes_watched", "Processes remembered from the last sweep.", HH_METRIC_GAUGE },
		{ "hashhound_rule_errors", "Rule file errors at start (the broken rules are not loaded).",
		  HH_METRIC_GAUGE },
		{ "hashhound_agent_findings_total", "Findings the agent emitted (before sinks.min_severity).",
		  HH_METRIC_COUNTER },
		{ "hashhound_flagged_container_cpu_cores", "CPU cores used between the last two sweeps by each "
		  "followed container a finding at medium or above named.", HH_METRIC_GAUGE },
		{ "hashhound_mining_cpu_seconds_total", "CPU seconds used by containers with a cryptomining "
		  "incident since it, by namespace and workload (256 series at most; more share workload=other).",
		  HH_METRIC_COUNTER },
	};
	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++)
		hh_metrics_describe(m, fams[i].name, fams[i].type, fams[i].help);
}

void hh_agent_export_metrics(const struct hh_agent *a, struct hh_metrics *m)
{
	if (!m)
		return;
	describe(m); /* idempotent */
	const struct hh_agent_stats *s = &a->stats;
	struct hh_sensor_stats ss = { 0 };
	if (a->sensor)
		hh_sensor_get_stats(a->sensor, &ss);
	hh_metrics_set(m, "hashhound_events_total", (const char *[]){ "source", "sensor", NULL }, (double)ss.events);
	hh_metrics_set(m, "hashhound_events_total", (const char *[]){ "source", "procfs", NULL },
		       (double)s->new_processes);
	hh_metrics_set(m, "hashhound_events_total", (const char *[]){ "source", "cgroup", NULL },
		       (double)s->telemetry_samples);
	hh_metrics_set(m, "hashhound_sensor_up",
		       (const char *[]){ "kind", a->sensor ? hh_sensor_kind(a->sensor) : "none", NULL },
		       a->sensor ? 1 : 0);
	for (unsigned p = 0; p < ss.n_programs && p < 16; p++)
		if (ss.program_names[p])
			hh_metrics_set(m, "hashhound_sensor_lost_events_total",
				       (const char *[]){ "program", ss.program_names[p], NULL },
				       (double)ss.lost_by_program[p]);
	hh_metrics_set(m, "hashhound_sweeps_total", NULL, (double)s->sweeps);
	hh_metrics_set(m, "hashhound_sweep_duration_seconds", NULL, s->last_sweep_ms / 1000);
	hh_metrics_set(m, "hashhound_sweep_seconds_total", NULL, s->total_sweep_ms / 1000);
	hh_metrics_set(m, "hashhound_containers_watched", NULL, (double)s->containers);
	hh_metrics_set(m, "hashhound_processes_watched", NULL, (double)s->processes_seen);
	hh_metrics_set(m, "hashhound_rule_errors", NULL, (double)a->rule_errors);
	hh_metrics_set(m, "hashhound_agent_findings_total", NULL, (double)s->findings);
	hh_metrics_clear(m, "hashhound_flagged_container_cpu_cores");
	for (size_t i = 0; i < a->n_ctr; i++) {
		const struct agent_container *c = &a->ctr[i];
		if (!c->flagged)
			continue;
		char id[13];
		snprintf(id, sizeof(id), "%.12s", c->ref.id);
		const char *labels[] = { "container_id", id, "container_name", c->w.container_name,
					 "k8s_ns_name", c->w.pod_namespace, "k8s_pod_name", c->w.pod_name, NULL };
		hh_metrics_set(m, "hashhound_flagged_container_cpu_cores", labels, c->cpu_cores);
	}
	hh_agent_bill_metrics(a, m);
}
