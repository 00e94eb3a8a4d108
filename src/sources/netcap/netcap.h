/* Network capture for the agent: eBPF cgroup_skb programs (netcap.bpf.c) on
 * the root of the cgroup v2 hierarchy see the packets of every socket on the
 * node, whatever its network namespace, already matched to their socket.
 * Each packet record carries the socket cookie, the socket's cgroup v2 id,
 * the owning process when it was seen in its context, and the first bytes of
 * the IP packet: the first snap_bytes of payload of each TCP socket and
 * direction, then headers only (rate-limited per socket), and whole UDP
 * port 53 datagrams. Pure ACKs are not recorded. Accepted (server) sockets
 * are skipped unless server_side.
 *
 * Usage: hh_netcap_open(), then poll hh_netcap_fd() (or call hh_netcap_poll
 * at least every HH_NETCAP_MAX_WAIT_MS: records are submitted without a
 * wakeup unless a backlog builds up). Records are delivered in ring order. */
#ifndef HH_NETCAP_H
#define HH_NETCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HH_NETCAP_MAX_WAIT_MS 200

struct hh_netcap_opts {
	unsigned snap_bytes;      /* payload bytes per socket and direction (<= 4096) */
	unsigned profile_pps;     /* header-only records per socket and second */
	bool server_side;         /* capture accepted sockets too */
	unsigned max_sockets;     /* socket state table (LRU) */
	unsigned ring_kb;         /* ring buffer size (power of two, >= 64) */
	const char *cgroup2;      /* cgroup v2 mount; NULL: found in /proc/self/mounts */
};

struct hh_netcap_pkt {
	double ts;                /* wall time */
	uint64_t cookie;          /* socket cookie (0: none) */
	uint64_t cgroup_id;       /* cgroup v2 id of the socket */
	int pid;                  /* owning process (0: not known) */
	char comm[16];
	bool egress;              /* sent by the socket's side */
	int role;                 /* enum hh_nc_role (netcap_events.h) */
	uint32_t skipped;         /* packets of this socket not recorded just before */
	const uint8_t *data;      /* the IP packet's first cap_len bytes */
	uint32_t cap_len, wire_len;
};

typedef void (*hh_netcap_cb)(void *arg, const struct hh_netcap_pkt *p);

struct hh_netcap;

/* Loads and attaches the programs. Returns NULL with why filled (no BTF,
 * no cgroup v2 mount, load or attach refused). */
struct hh_netcap *hh_netcap_open(const struct hh_netcap_opts *o, hh_netcap_cb cb, void *arg, char *why,
				 size_t whylen);
/* The cgroup v2 mount the programs are attached to. */
const char *hh_netcap_cgroup2(const struct hh_netcap *n);
int hh_netcap_fd(const struct hh_netcap *n);
/* Delivers what is in the ring (waits up to timeout_ms for the first).
 * Returns the number of records, or -1 on error. */
int hh_netcap_poll(struct hh_netcap *n, int timeout_ms);

struct hh_netcap_stats {
	uint64_t packets, records, lost, skipped, bytes, bad_records;
};
void hh_netcap_get_stats(const struct hh_netcap *n, struct hh_netcap_stats *s);
void hh_netcap_close(struct hh_netcap *n);

/* The path of a cgroup v2 id inside the hierarchy ("/libpod_parent/libpod-ID"),
 * through its file handle. Returns 0, or -1 when the cgroup is gone. */
int hh_netcap_cgroup_path(const struct hh_netcap *n, uint64_t cgroup_id, char *out, size_t len);

#endif
