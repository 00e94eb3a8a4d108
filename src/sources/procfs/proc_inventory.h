/* Process inventory from procfs, for processes in containers: exe path,
 * cmdline, environment (where readable), parent chain, start time, exe
 * SHA-256 (cached by device, inode and mtime), and whether the exe is
 * deleted, a memfd, or was written after the container started (overlay
 * upper layer). The exe's content is checked for miner traits
 * (detectors/indicators/exe_traits.h) once per distinct file. Each process is
 * delivered as a struct hh_event of type HH_EV_PROC with its workload filled. */
#ifndef HH_PROC_INVENTORY_H
#define HH_PROC_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/event.h"
#include "enrich/identity.h"

struct hh_procfs_opts {
	const char *proc_root;       /* default "/proc" */
	size_t hash_max_bytes;       /* exe bytes hashed and scanned; default 64 MiB */
	size_t cache_cap;            /* exe cache entries; default 4096 */
	bool include_host;           /* also report host (non-container) processes */
	const char *host_root;       /* where the host's filesystem is seen (overlay upperdirs
	                              * are host paths); default "/", "/host" in a container */
};

struct hh_procfs;

struct hh_procfs *hh_procfs_new(const struct hh_procfs_opts *opts, struct hh_identity *identity);
void hh_procfs_free(struct hh_procfs *p);

typedef void (*hh_event_cb)(const struct hh_event *ev, void *ctx);

/* Walks proc_root once and calls cb for each process in a container (and
 * host processes when include_host). Returns processes seen, or -1 when
 * proc_root is unreadable. */
int hh_procfs_sweep(struct hh_procfs *p, hh_event_cb cb, void *ctx);

/* Fills one process's event (also used by event sources to complete an exec).
 * Returns 0, or -1 when the process is gone. A kernel thread (no exe, no
 * cmdline) is filled but left out of sweeps. ev->time is when it was read;
 * the process start time is hh_procfs_start_time(). */
int hh_procfs_read_process(struct hh_procfs *p, int pid, struct hh_event *ev);

/* Wall-clock start time of pid (seconds since the epoch), from its stat
 * starttime and the boot time in proc_root/stat; 0 when unknown. */
double hh_procfs_start_time(struct hh_procfs *p, int pid);

/* Reads PROC_ROOT/pid/cmdline (proc_root NULL: /proc) into out[n], arguments
 * joined by spaces; a longer one keeps its first and last part around a
 * "... [N bytes cut] ..." marker and sets *truncated. For exec events whose
 * argument copy was cut (the eBPF sensor carries ~1 KiB): what an attacker
 * appends after padding is still seen. Returns bytes read, -1 when gone. */
long hh_procfs_read_cmdline(const char *proc_root, int pid, char *out, size_t n, bool *truncated);

#endif
