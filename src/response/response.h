/* Safe response to a mining container: snapshot evidence first, always;
 * then freeze (cgroup freezer), thaw, kill (every process of the cgroup),
 * isolate (drop egress inside the container's own network namespace, never
 * the host's), or write a Kubernetes NetworkPolicy + quarantine label patch.
 * Dry-run by default: nothing is changed unless opts.dry_run is false.
 * Each call returns a finding (source "agent", rule "response.ACTION") that
 * says what was done or would be done, and where the evidence is. */
#ifndef HH_RESPONSE_H
#define HH_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/finding.h"
#include "core/workload.h"
#include "sources/telemetry/cgroup_stats.h"

enum hh_action {
	HH_ACT_SNAPSHOT,   /* evidence only */
	HH_ACT_FREEZE,
	HH_ACT_THAW,
	HH_ACT_KILL,
	HH_ACT_ISOLATE,
	HH_ACT_NETPOL,     /* Kubernetes NetworkPolicy + label patch, written to the evidence dir */
};

struct hh_response_opts {
	const char *cgroup_root;     /* default "/sys/fs/cgroup" */
	const char *proc_root;       /* default "/proc" */
	const char *evidence_dir;    /* default "/var/lib/hashhound/evidence" */
	bool dry_run;
	size_t exe_copy_max;         /* largest executable copied into evidence; default 64 MiB */
	size_t max_processes;        /* processes snapshotted; default 256 */
};

/* "snapshot", "freeze", ... ; parse returns false when unknown. */
const char *hh_action_name(enum hh_action a);
bool hh_action_parse(const char *name, enum hh_action *out);

/* Responds to one container. context (may be NULL) holds the findings that
 * led here; they are saved with the evidence. Returns the result finding, or
 * NULL with err naming the container and the problem. */
struct hh_finding *hh_respond(const struct hh_response_opts *opts, const struct hh_container_ref *c,
			      const struct hh_workload *w, enum hh_action action,
			      const struct hh_findings *context, char *err, size_t errlen);

/* Snapshots evidence into a new directory under opts->evidence_dir; its path
 * goes into dir_out. Returns files written, or -1 with err. */
int hh_evidence_snapshot(const struct hh_response_opts *opts, const struct hh_container_ref *c,
			 const struct hh_workload *w, const struct hh_findings *context,
			 char *dir_out, size_t dir_n, char *err, size_t errlen);

/* Lists the PIDs of a container's cgroup (cgroup.procs). Returns the count (<= max) or -1. */
int hh_cgroup_pids(const char *cgroup_root, const struct hh_container_ref *c, int *pids, size_t max);

#endif
