/* The runtime sensor in the agent: eBPF (or the proc connector) delivers
 * exec, connect, DNS, sensitive opens, FPU rounding summaries ... as they
 * happen. Each event gets its container from its cgroup (cached by cgroup
 * id), then the workload the agent already identified, and goes through the
 * runtime rules and the correlator like the inventory's processes. An exec
 * also marks a candidate for the behavior detectors' "new CPU regime".
 * Procfs "proc" snapshots stay the inventory's job. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/agent_internal.h"
#include "core/log.h"

static void on_sensor_event(const struct hh_event *cev, void *ctx)
{
	struct hh_agent *a = ctx;
	if (cev->type == HH_EV_PROC)
		return;
	struct hh_event *ev = a->sev;
	memcpy(ev, cev, sizeof(*ev));
	if (!ev->workload.container_id[0])
		hh_cgcache_enrich(a->cgcache, ev);
	if (!ev->workload.container_id[0] || !hh_agent_follows(a, ev->workload.container_id))
		return;
	a->stats.sensor_events++;
	a->now = hh_now();
	const struct agent_container *c = hh_agent_container(a, ev->workload.container_id);
	if (c) {
		ev->workload = c->w;
	} else {
		/* Started since the last sweep: name it now (the identity cache
		 * keeps it for the sweep that will follow it). */
		struct hh_workload w = { 0 };
		hh_identity_of_container(a->identity, ev->workload.container_id, ev->workload.runtime, &w);
		hh_strlcpy(w.container_id, ev->workload.container_id, sizeof(w.container_id));
		if (!w.runtime[0])
			hh_strlcpy(w.runtime, ev->workload.runtime, sizeof(w.runtime));
		ev->workload = w;
	}
	if (ev->type == HH_EV_EXEC) {
		/* the event's argument copy was cut: read the first and last part
		 * from /proc while the process lives (padding must not hide a URL) */
		if (ev->cmdline_truncated) {
			bool cut = false;
			char *full = malloc(sizeof(ev->cmdline));
			if (full && hh_procfs_read_cmdline(a->proc_root, ev->pid, full, sizeof(ev->cmdline), &cut) > 0 &&
			    full[0]) {
				memcpy(ev->cmdline, full, sizeof(ev->cmdline));
				ev->cmdline_truncated = cut;
			}
			free(full);
		}
		/* content traits of the binary: a renamed miner is still one */
		hh_traits_cache_fill(a->traits, ev);
		if (c)
			hh_behavior_note_exec(a->behavior, &c->w, a->now, ev->exepath);
	}
	if (!a->rules)
		return;
	struct hh_findings out = { 0 };
	hh_rules_eval(a->rules, ev, a->cfg, &out);
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	for (size_t i = 0; i < out.n; i++) {
		if (ev->ktime_ns && now_ns >= ev->ktime_ns && ev->type != HH_EV_FPU)
			hh_finding_evidence_num(out.items[i], "latency.syscall_to_finding_ms",
						(double)(now_ns - ev->ktime_ns) / 1e6);
		hh_agent_emit(a, &ev->workload, out.items[i]);
		out.items[i] = NULL;
	}
	out.n = 0;
	hh_findings_clear(&out);
}

void hh_agent_sensor_open(struct hh_agent *a)
{
	if (!a->opts.sensor)
		return;
	a->sev = calloc(1, sizeof(*a->sev));
	a->cgcache = hh_cgcache_new(a->proc_root);
	a->traits = hh_traits_cache_new(a->proc_root);
	if (!a->sev || !a->cgcache || !a->traits)
		return;
	struct hh_sensor_opts so = {
		.containers_only = true,
		.proc_root = a->proc_root,
		.force_fallback = !hh_config_bool(a->cfg, NULL, "agent.ebpf", true),
	};
	a->sensor = hh_sensor_open(&so, on_sensor_event, a);
	if (!a->sensor)
		hh_warn("agent: no runtime sensor (see above); inventory sweeps only");
}

void hh_agent_sensor_close(struct hh_agent *a)
{
	if (a->sensor) {
		struct hh_sensor_stats st;
		hh_sensor_get_stats(a->sensor, &st);
		if (st.lost)
			hh_warn("sensor: %llu events lost", (unsigned long long)st.lost);
		hh_sensor_close(a->sensor);
	}
	hh_cgcache_free(a->cgcache);
	hh_traits_cache_free(a->traits);
	a->traits = NULL;
	free(a->sev);
	a->sensor = NULL;
	a->cgcache = NULL;
	a->sev = NULL;
}
