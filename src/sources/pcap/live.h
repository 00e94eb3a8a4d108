/* Live capture for the agent: libpcap on chosen interfaces, one capture
 * thread per interface, each with its own packet engine, findings handed to
 * the caller's sink (serialised: the sink is never called concurrently).
 *
 * Flows are attributed to a process: the local endpoint is looked up in
 * /proc/net/tcp and tcp6 (the host's network namespace, then one process per
 * other network namespace, /proc/PID/net/tcp) to find the socket inode, and
 * the inode in /proc/PID/fd/ links ("socket:[INODE]") to find the process.
 * The owner callback then maps the PID to a workload (container, pod).
 * Lookups are cached and the /proc scan is rate-limited. */
#ifndef HH_PCAP_LIVE_H
#define HH_PCAP_LIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/workload.h"
#include "detectors/network/netdetect.h"
#include "enrich/intel/intel.h"

/* Fills w for pid; returns false when the pid is unknown (host process or gone). */
typedef bool (*hh_live_owner_fn)(void *arg, int pid, struct hh_workload *w);

struct hh_live_opts {
	const char *const *ifaces;   /* interface names ("lo", "eth0", "any") */
	size_t n_ifaces;
	const char *filter;          /* BPF filter, NULL for "tcp or udp port 53 or IP fragments" */
	int snaplen;                 /* bytes per packet (default network.live.snaplen) */
	int buffer_mb;               /* kernel buffer (default network.live.buffer_mb) */
	double duration_s;           /* stop after this long; 0 runs until hh_live_stop */
	const char *proc_root;       /* "/proc" unless the agent sees the host's under another path */
};

struct hh_live;

/* Starts capturing. cfg and intel are borrowed and must outlive the capture.
 * sink receives each finding (ownership passes); owner may be NULL.
 * Returns NULL with err naming the interface and libpcap's reason. */
struct hh_live *hh_live_start(const struct hh_live_opts *o, const struct hh_config *cfg, const struct hh_intel *intel,
			      hh_finding_sink sink, void *sink_arg, hh_live_owner_fn owner, void *owner_arg,
			      char *err, size_t errlen);
/* True once every capture thread has finished (duration reached or error). */
bool hh_live_done(struct hh_live *l);
/* Stops the threads, ends every flow (findings emitted), frees. */
void hh_live_stop(struct hh_live *l);

struct hh_live_stats {
	unsigned long long packets, dropped_kernel, flows, attributed;
};
void hh_live_get_stats(struct hh_live *l, struct hh_live_stats *s);

/* Finds the PID owning the TCP socket with this local and remote endpoint
 * (family 4 or 6, ports in host order). Returns -1 when none is found.
 * Exposed for tests. */
int hh_procnet_find_pid(const char *proc_root, int family, const unsigned char *laddr, unsigned lport,
			const unsigned char *raddr, unsigned rport);

#endif
