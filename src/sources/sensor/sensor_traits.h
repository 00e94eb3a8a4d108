/* Miner traits of an exec'd binary's content (proc.exe.miner_traits), so a
 * renamed XMRig is still recognised. Scans /proc/PID/exe (works for deleted
 * and memfd executables too) with detectors/indicators/exe_traits.h, at most
 * HH_TRAITS_SCAN_MAX bytes, and remembers the answer per file identity
 * (device, inode, size, mtime) in a bounded direct-mapped cache: an exec
 * storm of the same binary costs one scan (the worker also remembers its
 * last answers, so a storm queued before the first scan ends costs one). */
#ifndef HH_SENSOR_TRAITS_H
#define HH_SENSOR_TRAITS_H

#include "core/event.h"

#define HH_TRAITS_SCAN_MAX (64u << 20)

struct hh_traits_cache;

struct hh_traits_cache *hh_traits_cache_new(const char *proc_root);
void hh_traits_cache_free(struct hh_traits_cache *c);
/* Fills ev->exe_traits for an exec event whose process still runs. */
void hh_traits_cache_fill(struct hh_traits_cache *c, struct hh_event *ev);

/* Scans off the caller's thread (the agent): a 30 MB binary takes about
 * 0.3 s to scan, which would hold back every event behind it.
 * hh_traits_cache_start starts one worker thread (0, or -1: then lookups
 * scan synchronously). hh_traits_cache_lookup fills ev->exe_traits from the
 * cache and returns HH_TRAITS_HIT; on a miss it opens the exe (so the scan
 * works after the process exits), queues a copy of ev and returns
 * HH_TRAITS_QUEUED (ev->exe_traits ""); HH_TRAITS_NONE when there is nothing
 * to scan (process gone, not a regular file, another program since). A full
 * queue (HH_TRAITS_QUEUE) scans synchronously. hh_traits_cache_collect hands
 * each finished scan's event, exe_traits filled, to cb (on the caller's
 * thread) and caches the answer; returns how many. hh_traits_cache_free
 * stops the worker and drops what is still queued. */
#define HH_TRAITS_QUEUE 128
enum { HH_TRAITS_NONE = -1, HH_TRAITS_QUEUED = 0, HH_TRAITS_HIT = 1 };
int hh_traits_cache_start(struct hh_traits_cache *c);
int hh_traits_cache_lookup(struct hh_traits_cache *c, struct hh_event *ev);
size_t hh_traits_cache_collect(struct hh_traits_cache *c, void (*cb)(struct hh_event *ev, void *ctx), void *ctx);

#endif
