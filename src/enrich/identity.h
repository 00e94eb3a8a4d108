/* PID -> cgroup -> container id -> runtime metadata (image, name, pod,
 * namespace, labels), read from runtime state on disk, without runtime
 * sockets: OCI bundle config.json annotations of podman, containerd, CRI-O
 * and Docker (config.v2.json). Absent runtimes are skipped quietly; an
 * unreadable or malformed state file gives one clear log line, never a crash.
 * Results are cached (bounded LRU); the host view is read through
 * configurable roots so the agent works from inside a container (/host). */
#ifndef HH_IDENTITY_H
#define HH_IDENTITY_H

#include <stddef.h>

#include "core/workload.h"

struct hh_identity_opts {
	const char *proc_root;    /* default "/proc" */
	const char *cgroup_root;  /* default "/sys/fs/cgroup" */
	const char *host_root;    /* prefix for runtime state dirs; default "/" */
	size_t cache_cap;         /* containers remembered; default 4096 */
};

struct hh_identity;

struct hh_identity *hh_identity_new(const struct hh_identity_opts *opts);
void hh_identity_free(struct hh_identity *id);

/* Fills out for pid. Returns 1 when pid runs in a container, 0 for a host
 * process (out then has empty container fields), -1 when pid is gone. */
int hh_identity_of_pid(struct hh_identity *id, int pid, struct hh_workload *out);

/* Fills out for a container id found in a cgroup path (runtime may be "").
 * Returns 0, or -1 when no runtime state names it (out keeps the id). */
int hh_identity_of_container(struct hh_identity *id, const char *container_id, const char *runtime,
			     struct hh_workload *out);

/* Forgets a container (it went away). */
void hh_identity_forget(struct hh_identity *id, const char *container_id);

/* Runtimes whose state directories exist, e.g. "podman,containerd" (startup banner). */
const char *hh_identity_runtimes(const struct hh_identity *id);

#endif
