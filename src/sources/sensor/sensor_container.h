/* Container identity of a sensor event, resolved when the event is handled
 * and kept for processes that are already gone (a short exec, an exit).
 *
 * The kernel record carries the cgroup v2 id of the task (the inode of its
 * directory in the cgroup2 hierarchy: /sys/fs/cgroup on v2 hosts,
 * /sys/fs/cgroup/unified on hybrid ones) and its pid. In order:
 *  1. a cgroup id already known to name a container: its identity;
 *  2. /proc/PID/cgroup (enrich/container_id.h parses it); the identity is
 *     cached by cgroup id only when the id alone decides it, that is when
 *     the v2 line ("0::PATH") names the container or the host has no v1
 *     lines at all. On a hybrid host a container whose runtime made v1
 *     cgroups only shares the v2 root with the host and every other such
 *     container: its id is never cached, or one container would be taken
 *     for another. It is also remembered by pid (with the cgroup id).
 *     When the v2 path it shows now names a container but is not the cgroup
 *     of the record (the process moved after its syscall, as a runtime's
 *     helper joining a container does), the record's cgroup wins (step 4);
 *  3. the process is gone: the pid's remembered identity when the cgroup id
 *     matches (an exit event forgets the pid after use);
 *  4. still unknown: the cgroup id is opened as a file handle on the cgroup2
 *     mount (open_by_handle_at, needs CAP_DAC_READ_SEARCH) and its path
 *     parsed: a process that exited at once is still attributed while its
 *     container's cgroup exists.
 * Only the container id, runtime and pod uid: image, names and labels are
 * the identity module's (enrich/identity.h) job. Bounded: direct-mapped
 * tables (1024 cgroup ids, 4096 pids). */
#ifndef HH_SENSOR_CONTAINER_H
#define HH_SENSOR_CONTAINER_H

#include "core/event.h"

struct hh_cgcache;

/* proc_root: default "/proc". cgroup_root: where to look for the cgroup2
 * mount (itself, then its "unified" child); default "/sys/fs/cgroup". */
struct hh_cgcache *hh_cgcache_new(const char *proc_root, const char *cgroup_root);
void hh_cgcache_free(struct hh_cgcache *c);
/* Fills ev->workload.container_id/runtime/pod_uid ("" for the host or
 * unknown). */
void hh_cgcache_enrich(struct hh_cgcache *c, struct hh_event *ev);

struct hh_cgcache_stats {
	unsigned long by_cgroup, by_proc, by_pid, by_handle, unknown;
};
/* How events were resolved (the order above); for tests and debugging. */
void hh_cgcache_get_stats(const struct hh_cgcache *c, struct hh_cgcache_stats *out);

#endif
