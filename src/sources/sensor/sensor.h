/* The runtime sensor: syscall-level events from eBPF (CO-RE, libbpf, ring
 * buffer), or from the netlink proc connector plus procfs when eBPF cannot
 * load. Delivers struct hh_event (core/event.h) through a callback.
 * Lost events are counted per program and reported, never silent. */
#ifndef HH_SENSOR_H
#define HH_SENSOR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/event.h"

struct hh_sensor_opts {
	bool force_fallback;         /* skip eBPF (testing, or by configuration) */
	bool containers_only;        /* filter host processes in the kernel where possible */
	const char *proc_root;       /* default "/proc" */
};

struct hh_sensor_stats {
	uint64_t events;
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
/* A file descriptor to poll(2) on, or -1. */
int hh_sensor_fd(const struct hh_sensor *s);
void hh_sensor_get_stats(const struct hh_sensor *s, struct hh_sensor_stats *out);
void hh_sensor_close(struct hh_sensor *s);

#endif
