/* The layout shared by the network capture programs (netcap.bpf.c) and their
 * loader (netcap.c): the load-time configuration, the per-socket state the
 * programs keep, the counters, and the record written into the ring buffer
 * for each captured packet. Fixed-width types only, no pointers. */
#ifndef HH_NETCAP_EVENTS_H
#define HH_NETCAP_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define HH_NC_COMM_LEN 16
/* Largest packet prefix copied into one record (IP + TCP headers + payload). */
#define HH_NC_MAX_SNAP 4352
/* UDP DNS: bytes copied from the IP header on (headers + a classic 512-byte message). */
#define HH_NC_DNS_SNAP 600
/* Header-only records (after a socket's byte budget): IPv6 (40) + TCP with options (60). */
#define HH_NC_HDR_SNAP 100

/* Read-only configuration, fixed before load. */
struct hh_nc_config {
	__u32 snap_bytes;     /* TCP payload bytes copied per socket and direction */
	__u32 profile_pps;    /* header-only records per socket and second after that */
	__u32 server_side;    /* also capture accepted (server) sockets */
	__u32 self_tgid;      /* the agent itself: not captured */
};

enum hh_nc_role {
	HH_NC_ROLE_UNKNOWN = 0, /* first seen established (opened before the agent) */
	HH_NC_ROLE_CLIENT = 1,  /* its SYN was seen leaving: it connected */
	HH_NC_ROLE_SERVER = 2,  /* accepted (sock_ops passive established) */
	HH_NC_ROLE_UDP = 3,
};

/* Per socket (LRU hash keyed by the socket cookie). */
struct hh_nc_sock {
	__u64 cgroup_id;      /* cgroup v2 id of the socket (its creator's cgroup) */
	__u64 win_start_ns;   /* header-only rate window */
	__u32 tgid;           /* owning process when seen in its context; 0 unknown */
	__u32 cap_out, cap_in;/* payload bytes copied so far, each direction */
	__u32 win_recs;
	__u32 skipped;        /* packets not recorded (rate limit) */
	__u8 role;
	__u8 pad[3];
	char comm[HH_NC_COMM_LEN];
};

/* Counters (per-CPU array indices). */
enum hh_nc_stat {
	HH_NC_ST_PACKETS,     /* IP packets the programs ran on */
	HH_NC_ST_RECORDS,     /* records written */
	HH_NC_ST_LOST,        /* records lost: ring buffer full */
	HH_NC_ST_SKIPPED,     /* packets not recorded by the per-socket rate limit */
	HH_NC_ST_BYTES,       /* bytes copied into records */
	HH_NC_ST_COUNT,
};

#define HH_NC_F_EGRESS 0x01

/* One captured packet: the header, then cap_len bytes of the IP packet. */
struct hh_nc_rec {
	__u64 ktime_ns;       /* bpf_ktime_get_ns (CLOCK_MONOTONIC) */
	__u64 cookie;         /* socket cookie; 0 when the packet had none */
	__u64 cgroup_id;
	__u32 tgid;
	__u32 wire_len;       /* skb length: the IP packet (a GSO packet counts whole) */
	__u32 skipped;        /* packets of this socket not recorded since its last record */
	__u16 cap_len;
	__u8 flags;           /* HH_NC_F_* */
	__u8 role;            /* enum hh_nc_role */
	char comm[HH_NC_COMM_LEN];
	/* cap_len bytes of the packet follow, from its IP header on */
};

#endif
