/* Container id of a sensor event, cached by cgroup v2 id: the event's
 * process may be gone by delivery (a short exec), but its cgroup id is in the
 * record, and every process of a container shares it. Reads /proc/PID/cgroup
 * the first time a cgroup id is seen (enrich/container_id.h parses it).
 * Only the container id, runtime and pod uid: image, names and labels are the
 * identity module's (enrich/identity.h) job. Bounded: direct-mapped table. */
#ifndef HH_SENSOR_CONTAINER_H
#define HH_SENSOR_CONTAINER_H

#include "core/event.h"

struct hh_cgcache;

struct hh_cgcache *hh_cgcache_new(const char *proc_root);
void hh_cgcache_free(struct hh_cgcache *c);
/* Fills ev->workload.container_id/runtime/pod_uid ("" for the host). */
void hh_cgcache_enrich(struct hh_cgcache *c, struct hh_event *ev);

#endif
