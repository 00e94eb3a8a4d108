/* The node agent's loop (docs/agent.md): every interval it discovers
 * containers and reads their cgroup telemetry, sweeps the process inventory
 * for new processes, runs the behavior detectors and the process indicators,
 * and passes every finding through the correlator. Findings go to a callback
 * (the command line fans them out through sinks/sinks.h: stdout, file, store ...).
 *
 * Containers are followed as they come and go: the state of a gone one is
 * forgotten everywhere (behavior, correlator, identity cache). Memory is
 * bounded: agent.max_containers containers, agent.max_processes processes
 * remembered as seen, and the detectors' own caps. */
#ifndef HH_AGENT_H
#define HH_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/config.h"
#include "core/cpu_point.h"
#include "core/finding.h"

struct hh_agent_opts {
	const char *proc_root;        /* default "/proc" */
	const char *cgroup_root;      /* default "/sys/fs/cgroup" */
	const char *host_root;        /* runtime state prefix; default "/" */
	double interval_s;            /* <= 0: agent.interval_s */
	double duration_s;            /* 0: until stopped */
	bool once;                    /* one sweep, then return */
	const char *only_container;   /* follow only containers whose id starts with this (drill) */
	bool sensor;                  /* open the runtime sensor (eBPF, else the proc connector) */
	const char *state_file;       /* what was reported, kept across restarts (agent_state.c); NULL: none */
};

struct hh_agent_stats {
	unsigned long sweeps;
	size_t containers;            /* followed now */
	size_t processes_seen;        /* remembered as seen now */
	unsigned long new_processes;  /* since start */
	unsigned long findings;       /* emitted since start */
	unsigned long sensor_events;  /* sensor events about followed containers */
	double first_sweep_ms;        /* cold: identities resolved, every process new */
	double last_sweep_ms, total_sweep_ms;
	unsigned long suppressed;     /* findings tuned away (rules.disabled, exceptions) */
	unsigned long telemetry_samples; /* container cgroup reads since start */
};

typedef void (*hh_agent_finding_cb)(const struct hh_finding *f, void *ctx);

struct hh_agent;

/* cfg is borrowed and must outlive the agent. Returns NULL (after logging
 * why) when memory runs out. */
struct hh_agent *hh_agent_new(const struct hh_config *cfg, const struct hh_agent_opts *opts,
			      hh_agent_finding_cb cb, void *ctx);
void hh_agent_free(struct hh_agent *a);

/* Writes the startup banner (sources, cgroup version, runtimes, config) to fp. */
void hh_agent_banner(struct hh_agent *a, FILE *fp);

/* One sweep at time now. Returns the number of findings emitted, or -1 when
 * neither the cgroup nor the proc root can be read. */
int hh_agent_sweep(struct hh_agent *a, double now);

/* Sweeps every interval until the duration is over, --once is done,
 * SIGINT/SIGTERM arrives (the current sweep is finished, the sensor drained
 * and one last sweep made) or
 * should_stop(ctx) returns true (checked after each sweep; may be NULL).
 * Returns 0, or -1 when a sweep could read nothing at all at the start. */
int hh_agent_run(struct hh_agent *a, bool (*should_stop)(void *ctx), void *ctx);
/* Blocks SIGINT and SIGTERM in the calling thread and every thread it starts
 * later. Call it before anything starts a thread (sinks, sensor, curl):
 * a thread created earlier keeps them unblocked, takes the signal and the
 * process dies without its final sweep and flush. hh_agent_run reads them
 * from a signalfd. Returns 0, or -1 when the mask cannot be changed. */
int hh_agent_block_stop_signals(void);

/* Kubernetes audit webhook intake (POST /audit): queues body (an EventList,
 * events, one per line or an array) for the agent's loop, which judges it
 * with the audit rules and joins each finding to the pod's running
 * containers. Safe from another thread. Returns 0, or -1 with err (queue
 * full: retry later). */
int hh_agent_audit_post(struct hh_agent *a, const char *body, size_t len, char *err, size_t errlen);

/* The signal that stopped hh_agent_run, or 0. */
int hh_agent_stop_signal(const struct hh_agent *a);

void hh_agent_get_stats(const struct hh_agent *a, struct hh_agent_stats *out);

/* Hands over the CPU samples of flagged containers (a finding at medium or
 * above named them) not handed over yet, oldest first per container: at
 * flagging the last HH_AGENT_CPU_RING (32) samples before it, then each
 * sweep's. The store keeps them for the incident plot and bill. Call
 * between sweeps. */
typedef void (*hh_agent_cpu_cb)(const char *container_id, const struct hh_cpu_point *p, void *ctx);
void hh_agent_drain_cpu(struct hh_agent *a, hh_agent_cpu_cb fn, void *ctx);

struct hh_metrics;
/* Sets the agent's health in m (src/agent/agent_metrics.c): events per
 * source, sensor events lost per program, sweeps and their duration,
 * containers and processes watched, rule errors, the CPU of each followed
 * container a finding at medium or above named, and
 * hashhound_mining_cpu_seconds_total{namespace,workload}: CPU seconds used
 * by containers with an incident since it (at most 256 series; more share
 * workload="other"). Call between sweeps (the
 * agent is not thread-safe; m is). */
void hh_agent_export_metrics(const struct hh_agent *a, struct hh_metrics *m);

#endif
