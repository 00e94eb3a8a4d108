/* Miner traits of an exec'd binary's content (proc.exe.miner_traits), so a
 * renamed XMRig is still recognised. Scans /proc/PID/exe (works for deleted
 * and memfd executables too) with detectors/indicators/exe_traits.h, at most
 * HH_TRAITS_SCAN_MAX bytes, and remembers the answer per file identity
 * (device, inode, size, mtime) in a bounded direct-mapped cache: an exec
 * storm of the same binary costs one scan. */
#ifndef HH_SENSOR_TRAITS_H
#define HH_SENSOR_TRAITS_H

#include "core/event.h"

#define HH_TRAITS_SCAN_MAX (64u << 20)

struct hh_traits_cache;

struct hh_traits_cache *hh_traits_cache_new(const char *proc_root);
void hh_traits_cache_free(struct hh_traits_cache *c);
/* Fills ev->exe_traits for an exec event whose process still runs. */
void hh_traits_cache_fill(struct hh_traits_cache *c, struct hh_event *ev);

#endif
