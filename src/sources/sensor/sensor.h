/* The runtime sensor: syscall-level events from eBPF (CO-RE, libbpf, ring
 * buffer), or from the netlink proc connector plus procfs when eBPF cannot
 * load. Delivers struct hh_event (core/event.h) through a callback.
 * Lost events are counted per program and reported, never silent. */
#ifndef HH_SENSOR_H
#define HH_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"

struct hh_sensor_opts {
	bool force_fallback;         /* skip eBPF (testing, or by configuration) */
	bool containers_only;        /* filter host processes in the kernel where possible */
	const char *proc_root;       /* default "/proc" */
	bool drop_privileges;        /* after loading, keep only the capabilities the
	                              * sensor still needs (see hh_sensor_drop_privileges);
	                              * off by default: the agent's responses need more */
	unsigned fpu_interval_ms;    /* HH_EV_FPU summaries every this often; 0: 2000 */
	bool fpu_all;                /* summaries for every process that used the FPU, not
	                              * only those with non-default rounding (measurement) */
};

#define HH_SENSOR_TYPES 16
struct hh_sensor_stats {
	uint64_t events;                     /* delivered, all types */
	uint64_t events_by_type[HH_SENSOR_TYPES]; /* index: enum hh_event_type */
	uint64_t lost;                       /* all programs */
	uint64_t lost_by_program[16];
	const char *program_names[16];
	unsigned n_programs;
};

struct hh_sensor;
typedef void (*hh_sensor_cb)(const struct hh_event *ev, void *ctx);

/* Opens the best available source. Returns NULL (with a log line saying why)
 * only when no source at all works. */
struct hh_sensor *hh_sensor_open(const struct hh_sensor_opts *opts, hh_sensor_cb cb, void *ctx);
/* "ebpf" or "proc-connector" (startup banner). */
const char *hh_sensor_kind(const struct hh_sensor *s);
/* Delivers pending events; waits at most timeout_ms. Returns events delivered or -1. */
int hh_sensor_poll(struct hh_sensor *s, int timeout_ms);
/* A file descriptor to poll(2) on, or -1. Frequent events (exec, exit,
 * connect) do not make it readable one by one (that costs a wakeup per
 * event): a caller that waits on it must still call hh_sensor_poll on a
 * timer (the delay of those events is that period; the agent drains every
 * 50 ms); hh_sensor_poll itself never waits longer than HH_SENSOR_MAX_WAIT_MS. */
#define HH_SENSOR_MAX_WAIT_MS 20
int hh_sensor_fd(const struct hh_sensor *s);
void hh_sensor_get_stats(const struct hh_sensor *s, struct hh_sensor_stats *out);
/* The stats line: "source=KIND events=N execve=N exit=N ... lost=N lost.PROG=N ...":
 * events delivered by type (evt.type names), then events lost (the ring
 * buffer was full) in total and by program. Truncated to outlen. */
void hh_sensor_stats_format(const struct hh_sensor_stats *st, const char *kind, char *out, size_t outlen);
void hh_sensor_close(struct hh_sensor *s);

/* Drops every capability but CAP_BPF and CAP_PERFMON (map reads on kernels
 * before 6.5 check them on each bpf(2) call), CAP_SYS_PTRACE (readlink of
 * /proc/PID/exe and reads of /proc/PID/environ of other users' and more
 * privileged processes) and CAP_DAC_READ_SEARCH (/proc and cgroup files
 * whatever their mode), from the effective, permitted, inheritable and
 * bounding sets, and sets no_new_privs. Called by hh_sensor_open when
 * opts->drop_privileges. Returns 0, or -1 with err set. */
int hh_sensor_drop_privileges(char *err, size_t errlen);

#endif
