/* The correlator: per workload, combines independent signals into one
 * incident, "incident.cryptomining", with a score, a verdict and its reasons
 * in plain words in the evidence (docs/correlation.md).
 *
 * Every finding gets a signal class (signal_class.h: mining-protocol,
 * miner-code, randomx-profile, pool-intel, mining-flow, fpu-rounding,
 * behavior-cpu, miner-port, exec-drift, host-access, posture-context); the
 * set of a workload's signals is judged by verdict.h: high needs a signal that
 * speaks of mining itself or two strong signals from independent layers, so
 * behavior, drift, pool ports and posture together stay medium. An incident
 * is emitted again only when its severity rises or a class joins.
 *
 * Bounded: correlation.max_workloads workloads (least recently updated
 * evicted), at most 16 signals each (one per rule), signals expire after
 * correlation.window_s. */
#ifndef HH_CORRELATOR_H
#define HH_CORRELATOR_H

#include <stddef.h>

#include "core/config.h"
#include "core/finding.h"
#include "core/workload.h"
#include "correlation/signal_class.h"

struct hh_correlator;

/* cfg is borrowed (correlation.* keys). NULL on allocation failure. */
struct hh_correlator *hh_correlator_new(const struct hh_config *cfg);
void hh_correlator_free(struct hh_correlator *c);

/* Adds finding f about workload w at time now. Returns a new incident finding
 * (caller owns it) when the workload's incident appears or grows, else NULL.
 * Findings without a container id are not correlated. */
struct hh_finding *hh_correlator_add(struct hh_correlator *c, const struct hh_workload *w,
				     const struct hh_finding *f, double now);
/* Drops expired signals, empty workloads and marks older than the window. */
void hh_correlator_expire(struct hh_correlator *c, double now);
/* The container is gone: drops its signals. An incident already emitted for
 * it stays as a mark (as hh_correlator_restore), so a late finding about it
 * within the window does not start a second, smaller incident. */
void hh_correlator_forget(struct hh_correlator *c, const char *container_id);
size_t hh_correlator_count(const struct hh_correlator *c);

/* Incidents already reported, for the agent's state across restarts
 * (src/agent/agent_state.c). An incident is known by its container, the
 * severity and the class bits (1 << enum hh_signal_class) of the last
 * one emitted, and when. */
struct hh_incident_mark {
	char container_id[HH_ID_LEN];
	enum hh_severity severity;
	unsigned classes;
	double time;
};
/* Calls fn for every workload whose incident went out (and every mark
 * restored and not yet taken up). */
void hh_correlator_marks(const struct hh_correlator *c, void (*fn)(const struct hh_incident_mark *m, void *ctx),
			 void *ctx);
/* Restores a mark from a previous run: the workload's incident is emitted
 * again only when it goes beyond it (higher severity or a new class), as
 * if this run had emitted it. Marks older than correlation.window_s at the
 * first signal are ignored; at most correlation.max_workloads are kept (the
 * oldest makes room). */
void hh_correlator_restore(struct hh_correlator *c, const struct hh_incident_mark *m);

#endif
