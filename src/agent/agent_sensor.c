/* The runtime sensor inside the agent: syscall-level events (eBPF, or the
 * proc connector) -> workload identity (container id from the event's cgroup
 * id, cached, then the runtime metadata from enrich/identity) -> content
 * traits of binaries started in containers -> the rule engine -> findings,
 * emitted like the sweep's (correlated per workload). Judged between sweeps,
 * so a process that lives a few milliseconds is still seen, and exec, connect
 * and DNS rules fire within a millisecond or so of the syscall.
 * Processes the sensor already judged at exec are not judged again by the
 * next procfs sweep (bounded pid table). FPU summaries (HH_EV_FPU) reach the
 * rules (miner.fpu-randomx); the behavior detectors have no FPU input yet. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/agent_internal.h"
#include "core/log.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void judged_note(struct hh_agent *a, int32_t pid)
{
	if (pid > 0)
		a->sensor_judged[(uint32_t)pid % HH_AGENT_JUDGED_SLOTS] = pid;
}

bool hh_agent_sensor_judged(const struct hh_agent *a, int32_t pid)
{
	return a->sensor && pid > 0 && a->sensor_judged[(uint32_t)pid % HH_AGENT_JUDGED_SLOTS] == pid;
}

static void on_event(const struct hh_event *cev, void *ctx)
{
	struct hh_agent *a = ctx;
	a->sensor_events++;
	/* the event is large (cmdline, env, paths): a scratch copy owned by the agent */
	struct hh_event *ev = a->sensor_ev;
	memcpy(ev, cev, sizeof(*ev));
	hh_cgcache_enrich(a->cgcache, ev);
	if (!ev->workload.container_id[0])
		return; /* host processes: the agent judges containers */
	if (a->opts.only_container && *a->opts.only_container &&
	    strncmp(ev->workload.container_id, a->opts.only_container, strlen(a->opts.only_container)) != 0)
		return;
	struct hh_workload *w = &ev->workload;
	const struct agent_container *c = hh_agent_container(a, w->container_id);
	if (c) {
		*w = c->w;
	} else {
		char cid[sizeof(w->container_id)], rt[sizeof(w->runtime)];
		hh_strlcpy(cid, w->container_id, sizeof(cid));
		hh_strlcpy(rt, w->runtime, sizeof(rt));
		hh_identity_of_container(a->identity, cid, rt, w);
	}
	if (ev->type == HH_EV_EXEC) {
		hh_traits_cache_fill(a->traits, ev);
		judged_note(a, ev->pid);
		if (c)
			hh_behavior_note_exec(a->behavior, w, hh_now(), ev->exepath);
	}
	if (!a->rules)
		return;
	struct hh_findings out = { 0 };
	hh_rules_eval(a->rules, ev, a->cfg, &out);
	uint64_t now = mono_ns();
	double sweep_now = a->now; /* may be judged in the middle of a sweep */
	a->now = hh_now();
	for (size_t i = 0; i < out.n; i++) {
		if (ev->ktime_ns && now >= ev->ktime_ns && ev->type != HH_EV_FPU)
			hh_finding_evidence_num(out.items[i], "latency.syscall_to_finding_ms",
						(double)(now - ev->ktime_ns) / 1e6);
		hh_finding_set_workload(out.items[i], w);
		hh_agent_emit(a, w, out.items[i]);
		out.items[i] = NULL;
	}
	out.n = 0;
	hh_findings_clear(&out);
	a->now = sweep_now;
}

int hh_agent_sensor_open(struct hh_agent *a)
{
	if (!hh_config_bool(a->cfg, NULL, "sensor.enabled", true)) {
		hh_info("agent: sensor off (sensor.enabled: false)");
		return 0;
	}
	a->sensor_ev = malloc(sizeof(*a->sensor_ev));
	a->cgcache = hh_cgcache_new(a->proc_root);
	a->traits = hh_traits_cache_new(a->proc_root);
	a->sensor_judged = calloc(HH_AGENT_JUDGED_SLOTS, sizeof(*a->sensor_judged));
	if (!a->sensor_ev || !a->cgcache || !a->traits || !a->sensor_judged)
		return -1;
	struct hh_sensor_opts so = {
		.force_fallback = hh_config_bool(a->cfg, NULL, "sensor.force_fallback", false),
		.containers_only = hh_config_bool(a->cfg, NULL, "sensor.containers_only", false),
		.proc_root = a->proc_root,
		/* the agent's responses (freeze, kill, isolate) need its privileges */
		.drop_privileges = hh_config_bool(a->cfg, NULL, "sensor.agent_drop_privileges", false),
		.fpu_interval_ms = (unsigned)hh_config_num(a->cfg, NULL, "sensor.fpu_interval_ms", 2000),
	};
	a->sensor = hh_sensor_open(&so, on_event, a);
	if (!a->sensor)
		hh_warn("agent: no runtime sensor; cgroup and procfs sweeps only");
	return 0;
}

const char *hh_agent_sensor_kind(const struct hh_agent *a)
{
	return a->sensor ? hh_sensor_kind(a->sensor) : NULL;
}

int hh_agent_sensor_fd(const struct hh_agent *a)
{
	return a->sensor ? hh_sensor_fd(a->sensor) : -1;
}

void hh_agent_sensor_poll(struct hh_agent *a)
{
	if (a->sensor && hh_sensor_poll(a->sensor, 0) < 0) {
		hh_err("agent: the sensor failed; continuing with sweeps only");
		hh_agent_sensor_close(a);
	}
}

void hh_agent_sensor_close(struct hh_agent *a)
{
	if (a->sensor) {
		struct hh_sensor_stats st;
		hh_sensor_get_stats(a->sensor, &st);
		char buf[512];
		size_t o = 0;
		for (unsigned i = 0; i < st.n_programs && i < 16 && o < sizeof(buf); i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, " %s=%llu", st.program_names[i],
					      (unsigned long long)st.lost_by_program[i]);
		hh_log(st.lost ? HH_LOG_WARN : HH_LOG_INFO, "agent: sensor %s: %llu events, %llu lost:%s", hh_sensor_kind(a->sensor),
					      (unsigned long long)st.events, (unsigned long long)st.lost, buf);
		hh_sensor_close(a->sensor);
		a->sensor = NULL;
	}
	hh_traits_cache_free(a->traits);
	a->traits = NULL;
	hh_cgcache_free(a->cgcache);
	a->cgcache = NULL;
	free(a->sensor_ev);
	a->sensor_ev = NULL;
	free(a->sensor_judged);
	a->sensor_judged = NULL;
}
