/* The runtime sensor in the agent: eBPF (or the proc connector) delivers
 * exec, connect, DNS, sensitive opens, FPU rounding summaries ... as they
 * happen. Each event gets its container when it is handled, from its cgroup
 * (sensor_container.h: cached by cgroup id and pid, so a process that already
 * exited keeps its container), then the workload the agent already
 * identified, and goes through the runtime rules and the correlator like the
 * inventory's processes. An exec also marks a candidate for the behavior
 * detectors' "new CPU regime". Procfs "proc" snapshots stay the inventory's job.
 *
 * When: the ring buffer is drained every HH_AGENT_SENSOR_DRAIN_MS whatever
 * the load. Frequent records (exec, exit, connect) are submitted without a
 * wakeup (sensor.bpf.c), so the agent's wait between sweeps never lasts
 * longer than that, and the sweeps themselves call hh_agent_sensor_service
 * between containers and between processes: a long sweep does not hold
 * events back either. Before the inventory judges a new process the ring is
 * drained first, so a process seen by both is reported from the sensor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/agent_internal.h"
#include "core/log.h"
#include "sources/sensor/sensor_proc.h"

static uint64_t mono_ns(void);
static void judge_event(struct hh_agent *a, const struct hh_event *cev);
static void eval_rules(struct hh_agent *a, const struct hh_event *ev);

/* Times each event's handling: the slowest is logged at exit (a slow event,
 * such as the first exec of a large binary whose content is scanned, holds
 * back those behind it). */
static void on_sensor_event(const struct hh_event *cev, void *ctx)
{
	struct hh_agent *a = ctx;
	uint64_t t0 = mono_ns();
	judge_event(a, cev);
	uint64_t dt = mono_ns() - t0;
	if (dt > a->sensor_slowest_ns) {
		a->sensor_slowest_ns = dt;
		snprintf(a->sensor_slowest, sizeof(a->sensor_slowest), "%s of %.80s", hh_event_type_name(cev->type),
			 cev->exepath[0] ? cev->exepath : cev->comm);
	}
}

static void judge_event(struct hh_agent *a, const struct hh_event *cev)
{
	if (cev->type == HH_EV_PROC)
		return;
	struct hh_event *ev = a->sev;
	memcpy(ev, cev, sizeof(*ev));
	if (!ev->workload.container_id[0])
		hh_cgcache_enrich(a->cgcache, ev);
	if (!ev->workload.container_id[0] || !hh_agent_follows(a, ev->workload.container_id))
		return;
	a->stats.sensor_events++;
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
		if (!w.pod_uid[0]) /* from the cgroup path (kubepods ... pod<uid>) */
			hh_strlcpy(w.pod_uid, ev->workload.pod_uid, sizeof(w.pod_uid));
		ev->workload = w;
	}
	if (ev->type == HH_EV_EXEC) {
		/* the event's argument copy was cut: read the first and last part
		 * from /proc while the process lives (padding must not hide a URL),
		 * unless it runs a later program by now */
		if (ev->cmdline_truncated && hh_sensor_proc_same_image(a->proc_root, ev)) {
			bool cut = false;
			char *full = malloc(sizeof(ev->cmdline));
			if (full && hh_procfs_read_cmdline(a->proc_root, ev->pid, full, sizeof(ev->cmdline), &cut) > 0 &&
			    full[0]) {
				memcpy(ev->cmdline, full, sizeof(ev->cmdline));
				ev->cmdline_truncated = cut;
			}
			free(full);
		}
		/* content traits of the binary: a renamed miner is still one. A
		 * binary not scanned yet is scanned by the worker; the rules see
		 * the event now without them, and again when they are known
		 * (on_traits_ready) */
		hh_traits_cache_lookup(a->traits, ev);
		if (c)
			hh_behavior_note_exec(a->behavior, &c->w, a->now, ev->exepath);
	}
	if (ev->type == HH_EV_FPU)
		hh_agent_randomx(a, ev);
	eval_rules(a, ev);
}

/* A queued exec whose binary has been scanned: the rules again, now with
 * its traits (findings already out for this process are not repeated:
 * agent_emit.c). */
static void on_traits_ready(struct hh_event *ev, void *ctx)
{
	struct hh_agent *a = ctx;
	if (ev->exe_traits[0])
		eval_rules(a, ev);
}

static void eval_rules(struct hh_agent *a, const struct hh_event *ev)
{
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

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void hh_agent_sensor_service(struct hh_agent *a, bool force)
{
	if (!a->sensor)
		return;
	uint64_t t = mono_ns();
	if (!force && t - a->sensor_drained_ns < (uint64_t)HH_AGENT_SENSOR_DRAIN_MS * 1000000ull)
		return;
	a->sensor_drained_ns = t;
	/* events carry their own time; the sweep in progress keeps its own */
	double sweep_now = a->now;
	a->now = hh_now();
	hh_sensor_poll(a->sensor, 0);
	hh_traits_cache_collect(a->traits, on_traits_ready, a);
	a->now = sweep_now;
}

int hh_agent_sensor_wait_ms(const struct hh_agent *a, int wait_ms)
{
	if (a->sensor && wait_ms > HH_AGENT_SENSOR_DRAIN_MS)
		return HH_AGENT_SENSOR_DRAIN_MS;
	return wait_ms;
}

void hh_agent_sensor_open(struct hh_agent *a)
{
	if (!a->opts.sensor)
		return;
	a->sev = calloc(1, sizeof(*a->sev));
	a->cgcache = hh_cgcache_new(a->proc_root, a->cgroup_root);
	a->traits = hh_traits_cache_new(a->proc_root);
	if (!a->sev || !a->cgcache || !a->traits)
		return;
	if (hh_traits_cache_start(a->traits) < 0)
		hh_warn("agent: no thread for exe content scans; execs of new binaries are scanned inline");
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
		char line[768];
		hh_sensor_stats_format(&st, hh_sensor_kind(a->sensor), line, sizeof(line));
		if (st.lost)
			hh_warn("sensor: %llu events lost", (unsigned long long)st.lost);
		hh_info("sensor: %s", line);
		struct hh_cgcache_stats cs;
		hh_cgcache_get_stats(a->cgcache, &cs);
		hh_info("sensor: container of events from: cgroup id cache %lu, /proc/PID/cgroup %lu, pid cache %lu, "
			"cgroup id handle %lu, unknown %lu", cs.by_cgroup, cs.by_proc, cs.by_pid, cs.by_handle, cs.unknown);
		if (a->sensor_slowest_ns)
			hh_info("sensor: slowest event handled in %.1f ms (%s)", (double)a->sensor_slowest_ns / 1e6,
				a->sensor_slowest);
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
