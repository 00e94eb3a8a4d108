/* Per-container resource telemetry from cgroup files, v1 and v2: CPU usage,
 * quota/period, throttling, memory, pids, IO. Containers are discovered by
 * walking the hierarchy for directories that name a container
 * (enrich/container_id.h). Bounded: at most max containers per sweep. */
#ifndef HH_CGROUP_STATS_H
#define HH_CGROUP_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "core/workload.h"

struct hh_container_ref {
	char id[HH_ID_LEN];
	char runtime[16];
	char pod_uid[HH_ID_LEN];
	char cgroup_path[HH_PATH_LEN];  /* relative to the hierarchy root, starts with '/' */
	int version;                    /* 1 or 2: which hierarchy the stats come from */
};

struct hh_cgroup_stats {
	double time;                    /* when read (seconds since the epoch) */
	uint64_t cpu_usage_ns;          /* cumulative */
	int64_t cpu_quota_us;           /* -1 = no limit */
	uint64_t cpu_period_us;
	uint64_t nr_periods, nr_throttled, throttled_ns;  /* cumulative */
	uint64_t mem_bytes, mem_limit;  /* limit 0 = none */
	uint64_t pids;
	uint64_t io_read_bytes, io_write_bytes;           /* cumulative */
};

/* Finds containers under cgroup_root ("/sys/fs/cgroup" or a synthetic tree).
 * A pure v2 root (cgroup.controllers at the root) is read as v2. A hybrid
 * host (v1 controllers plus an empty-of-controllers "unified" v2 tree) is read
 * through v1 cpu (or cpu,cpuacct), where quota, memory and pids live; its
 * unified tree is used only when v1 names no container. The walk is bounded
 * (16 levels, 200000 directories); a container's own sub-cgroups that repeat
 * its id are not reported twice; nested containers (kind) are each reported.
 * Returns the number found (<= max), or -1 when cgroup_root is unreadable. */
int hh_containers_discover(const char *cgroup_root, struct hh_container_ref *out, size_t max);

/* Reads one container's stats. Missing files leave fields at 0 / -1.
 * Returns 0, or -1 when the cgroup is gone. */
int hh_cgroup_read_stats(const char *cgroup_root, const struct hh_container_ref *c,
			 struct hh_cgroup_stats *out);

/* Node CPU from proc_root/stat: cumulative busy and total jiffies, CPU count. */
int hh_node_cpu(const char *proc_root, uint64_t *busy, uint64_t *total, int *ncpu);

#endif
