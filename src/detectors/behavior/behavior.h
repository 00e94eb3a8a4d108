/* Per-workload CPU baselines and the behavior detectors (docs/behavior.md):
 *   behavior.cpu-sustained   usage / (quota or node CPUs) above a level for a window
 *   behavior.cpu-plateau     pinned at the quota, or a steady fraction with a very
 *                            low coefficient of variation (the self-throttled miner)
 *   behavior.cpu-duty-cycle  regular on/off cycling (periodicity in the series)
 *   behavior.cpu-new-regime  a level shift that starts with the exec of a new binary
 * Findings carry the numbers as evidence and are at most medium: batch jobs,
 * builds and encoders do all of this too; the correlator raises the stakes
 * when an independent signal agrees.
 *
 * Bounded: a ring of samples per workload (behavior.ring_samples) and at most
 * behavior.max_workloads workloads, the least recently updated evicted. */
#ifndef HH_BEHAVIOR_H
#define HH_BEHAVIOR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/finding.h"
#include "core/workload.h"
#include "detectors/behavior/cpu_series.h"
#include "sources/telemetry/cgroup_stats.h"

struct hh_behavior;

/* cfg is borrowed and must outlive the table (per-workload thresholds are
 * read at every evaluation). Returns NULL on allocation failure. */
struct hh_behavior *hh_behavior_new(const struct hh_config *cfg);
void hh_behavior_free(struct hh_behavior *b);

/* Feeds one telemetry reading (cumulative counters) of workload w
 * (container_id must be set). The first reading only sets the baseline; a
 * counter going backwards (the cgroup was recreated) starts over.
 * node_cpus is the limit when the cgroup has no quota.
 * Returns 1 when a sample was added, 0 when not (baseline, bad reading). */
int hh_behavior_add_stats(struct hh_behavior *b, const struct hh_workload *w,
			  const struct hh_cgroup_stats *st, int node_cpus);
/* Feeds a derived sample directly (tests, replays). Returns 1 when added. */
int hh_behavior_add_sample(struct hh_behavior *b, const struct hh_workload *w, const struct hh_cpu_sample *s);

/* Records that exe was executed in w at time t. Returns true when exe is new
 * for this workload: it then becomes a candidate for a new CPU regime. */
bool hh_behavior_note_exec(struct hh_behavior *b, const struct hh_workload *w, double t, const char *exe);

/* Runs the detectors for one workload at time now and appends new findings
 * to out (which owns them). A rule fires again for the same workload only
 * after behavior.cooldown_s. Returns the number appended. */
size_t hh_behavior_evaluate(struct hh_behavior *b, const char *container_id, double now,
			    struct hh_findings *out);

/* Drops a workload's state (it went away). */
void hh_behavior_forget(struct hh_behavior *b, const char *container_id);
size_t hh_behavior_count(const struct hh_behavior *b);
/* The series of a workload, or NULL (tests, diagnostics). */
const struct hh_cpu_series *hh_behavior_series(const struct hh_behavior *b, const char *container_id);

#endif
