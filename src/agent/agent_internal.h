/* Internals shared by the agent's files (agent.c: lifecycle and loop;
 * agent_containers.c: discovery, telemetry, behavior; agent_procs.c: the
 * process inventory; agent_emit.c: findings out and through the correlator). */
#ifndef HH_AGENT_INTERNAL_H
#define HH_AGENT_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "agent/agent.h"
#include "core/cpu_point.h"
#include "correlation/correlator.h"
#include "detectors/behavior/behavior.h"
#include "detectors/rules/rules.h"
#include "detectors/process/process_indicators.h"
#include "enrich/identity.h"
#include "sources/procfs/proc_inventory.h"
#include "sources/sensor/sensor.h"
#include "sources/sensor/sensor_container.h"
#include "sources/sensor/sensor_traits.h"
#include "sources/telemetry/cgroup_stats.h"

#define HH_AGENT_CPU_RING 32   /* samples kept per container before it is flagged */

struct agent_container {
	struct hh_container_ref ref;
	struct hh_workload w;
	bool identified;          /* runtime state named it */
	unsigned long retry_at;   /* sweep at which to retry identification */
	double first_seen;
	bool posture_done;        /* its OCI spec was judged (agent_posture.c) */
	unsigned posture_tries;
	bool flagged;             /* a finding at medium or above named it (its CPU is exported) */
	uint64_t cpu_prev_ns;     /* cpu usage at the previous read, and when */
	double cpu_prev_t;
	double cpu_cores;         /* cores used between the last two reads */
	/* CPU samples for the incident plot and bill (agent_bill.c): the last
	 * HH_AGENT_CPU_RING, handed over (hh_agent_drain_cpu) once flagged */
	struct hh_cpu_point cpu_ring[HH_AGENT_CPU_RING];
	unsigned cpu_ring_n, cpu_ring_head, cpu_unsent;
	bool in_incident;         /* the correlator emitted an incident for it: its CPU is billed */
};

/* A process as the inventory remembers it between sweeps. */
struct agent_proc {
	int32_t pid;
	uint32_t exe_hash;        /* of the exe link's text; 0: none (kernel thread) */
};

#define HH_AGENT_MAX_RESPONDED 1024

struct hh_agent {
	const struct hh_config *cfg;
	struct hh_agent_opts opts;
	char proc_root[HH_PATH_LEN], cgroup_root[HH_PATH_LEN], host_root[HH_PATH_LEN];
	hh_agent_finding_cb cb;
	void *cb_ctx;

	struct hh_identity *identity;
	struct hh_procfs *procfs;
	struct hh_behavior *behavior;
	struct hh_correlator *correlator;
	struct hh_rules *rules;         /* runtime rules over process events; NULL when none loaded */
	size_t rule_errors;
	struct hh_procind *procind;     /* miner.process-indicators, miner.exe-traits, proc.exe-* */
	struct hh_tuning *tuning;       /* rules.disabled and exceptions, applied in hh_agent_emit */

	/* Containers followed, sorted by id (merge-walked against each discovery). */
	struct agent_container *ctr;
	size_t n_ctr, max_ctr;
	struct hh_container_ref *refs;  /* discovery buffer, max_ctr */

	/* Processes seen in the previous sweep, sorted by pid; this sweep's. */
	struct agent_proc *seen, *seen_next;
	size_t n_seen, max_procs;
	struct hh_event *ev;            /* scratch event for full reads */

	struct hh_sensor *sensor;       /* NULL: none (off, or nothing could load) */
	struct hh_cgcache *cgcache;     /* sensor event -> container id, by cgroup id */
	struct hh_event *sev;           /* scratch copy of a sensor event */
	struct hh_traits_cache *traits; /* miner traits of exec'd binaries, by file identity */
	uint64_t sensor_drained_ns;     /* CLOCK_MONOTONIC of the last drain */
	uint64_t sensor_slowest_ns;     /* longest handling of one event, and which */
	char sensor_slowest[96];
	struct hh_agent_dedup *dedup;   /* process findings already out (agent_emit.c) */
	struct hh_agent_rx *rx;         /* RandomX profile state (agent_randomx.c) */
	struct hh_agent_audit *audit;   /* audit webhook intake (agent_audit.c) */
	struct hh_agent_net *net;       /* the network layer (agent_net.c); NULL: off */
	struct hh_agent_bill *bill;     /* RAPL and the mining CPU counter (agent_bill.c) */
	bool procs_capped_logged;

	int node_cpus;
	double now;                     /* time of the sweep in progress */
	bool cgroup_ok, proc_ok;
	int stop_signal;
	bool state_dirty;               /* reported processes/incidents changed (agent_state.c) */
	struct hh_agent_stats stats;
	/* containers already responded to (response.auto), a ring */
	char responded[HH_AGENT_MAX_RESPONDED][HH_ID_LEN];
	size_t n_responded, responded_next;
};

/* agent_containers.c */
int hh_agent_sweep_containers(struct hh_agent *a);
struct agent_container *hh_agent_container(struct hh_agent *a, const char *id);
bool hh_agent_follows(const struct hh_agent *a, const char *container_id);
/* agent_procs.c */
int hh_agent_sweep_procs(struct hh_agent *a);
/* agent_sensor.c */
void hh_agent_sensor_open(struct hh_agent *a);
void hh_agent_sensor_close(struct hh_agent *a);
/* Drains the sensor's ring buffer when HH_AGENT_SENSOR_DRAIN_MS have passed
 * since the last drain, or at once when force. Called by the loop on every
 * wakeup and by the sweeps between items (the agent's state is consistent
 * there); a->now is kept. No-op without a sensor. */
#define HH_AGENT_SENSOR_DRAIN_MS 50
void hh_agent_sensor_service(struct hh_agent *a, bool force);
/* wait_ms, capped at HH_AGENT_SENSOR_DRAIN_MS when a sensor runs. */
int hh_agent_sensor_wait_ms(const struct hh_agent *a, int wait_ms);
/* agent_net.c: the eBPF socket capture into the network detectors.
 * poll: handle what was captured (the loop calls it at least every
 * HH_AGENT_NET_MAX_WAIT_MS); sweep: once per sweep (idle flows end). */
#define HH_AGENT_NET_MAX_WAIT_MS 200
void hh_agent_net_open(struct hh_agent *a);
void hh_agent_net_close(struct hh_agent *a);
int hh_agent_net_fd(const struct hh_agent *a);
void hh_agent_net_poll(struct hh_agent *a);
void hh_agent_net_sweep(struct hh_agent *a);
void hh_agent_net_banner(const struct hh_agent *a, FILE *fp);
/* agent_respond.c: the automatic response to an incident, or NULL (not
 * enabled, below the threshold, already done for this container). */
struct hh_finding *hh_agent_auto_respond(struct hh_agent *a, const struct hh_workload *w,
					 const struct hh_finding *incident);
/* agent_emit.c: emits f (takes ownership), then correlates it for w. */
void hh_agent_emit(struct hh_agent *a, const struct hh_workload *w, struct hh_finding *f);
void hh_agent_dedup_free(struct hh_agent *a);
/* The keys of the process findings already out, older first (at most cap). */
size_t hh_agent_dedup_export(const struct hh_agent *a, uint64_t *keys, size_t cap);
void hh_agent_dedup_import(struct hh_agent *a, const uint64_t *keys, size_t n);
/* agent_state.c: what was reported, across restarts (opts.state_file). */
void hh_agent_state_load(struct hh_agent *a);
/* Writes the state when it changed (or always with force). */
void hh_agent_state_save(struct hh_agent *a, bool force);

/* agent_bill.c: per sweep, before the containers are read (node energy and
 * busy CPU since the last sweep); per container, its sample (ring, energy
 * share, mining CPU counter); the counter's series for the metrics. */
void hh_agent_bill_open(struct hh_agent *a);
void hh_agent_bill_close(struct hh_agent *a);
void hh_agent_bill_node(struct hh_agent *a);
void hh_agent_bill_sample(struct hh_agent *a, struct agent_container *c, const struct hh_cgroup_stats *st,
			  double dt);
void hh_agent_bill_metrics(const struct hh_agent *a, struct hh_metrics *m);

/* agent_posture.c: the container's posture from its OCI spec, as context
 * findings. Returns false when no runtime has its spec (yet). */
bool hh_agent_posture(struct hh_agent *a, const struct hh_workload *w);

/* agent_audit.c: the audit webhook queue, drained in the agent's loop */
struct hh_agent_audit *hh_agent_audit_new(void);
void hh_agent_audit_drain(struct hh_agent *a);
void hh_agent_audit_free(struct hh_agent *a);

/* agent_randomx.c: judges an FPU summary against the RandomX profile */
void hh_agent_randomx(struct hh_agent *a, const struct hh_event *ev);
void hh_agent_randomx_free(struct hh_agent *a);

#endif
