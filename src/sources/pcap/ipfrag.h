/* IPv4 and IPv6 fragment reassembly for the packet engine, bounded.
 *
 * Pending datagrams are keyed by (family, source, destination, protocol,
 * identification). Each holds at most 65535 bytes; the table holds at most
 * max_datagrams datagrams and max_bytes buffered bytes (the oldest is dropped
 * to make room) and drops a datagram that is not complete timeout_s after its
 * first fragment. Overlapping fragments that disagree on the bytes drop the
 * datagram, as Linux does (RFC 5722): a receiver never sees either version.
 * A fragment cut by the snapshot length makes its datagram unusable. Every
 * dropped datagram is counted by reason, so a caller can say what was skipped. */
#ifndef HH_PCAP_IPFRAG_H
#define HH_PCAP_IPFRAG_H

#include <stddef.h>
#include <stdint.h>

#include "sources/pcap/decode.h"

struct hh_ipfrag_limits {
	size_t max_datagrams;   /* pending datagrams */
	size_t max_bytes;       /* buffered bytes over all pending datagrams */
	double timeout_s;       /* a datagram not complete this long after its first fragment is dropped */
};

struct hh_ipfrag_stats {
	uint64_t fragments, reassembled;
	uint64_t dropped_timeout, dropped_evicted, dropped_overlap, dropped_cut, dropped_bad, dropped_incomplete;
};

struct hh_ipfrag;
struct hh_ipfrag *hh_ipfrag_new(const struct hh_ipfrag_limits *lim);
void hh_ipfrag_free(struct hh_ipfrag *f);

/* Adds the fragment described by p (p->fragment set). When it completes a
 * datagram, returns its transport segment (owned by the table until the next
 * call) with *len set and out filled from p with the datagram's IP fields;
 * else NULL. */
const uint8_t *hh_ipfrag_add(struct hh_ipfrag *f, const struct hh_pkt *p, struct hh_pkt *out, uint32_t *len);

/* Drops datagrams older than the timeout at time now. */
void hh_ipfrag_expire(struct hh_ipfrag *f, double now);
/* Drops every pending datagram (counted as incomplete): end of a capture. */
void hh_ipfrag_flush(struct hh_ipfrag *f);
void hh_ipfrag_get_stats(const struct hh_ipfrag *f, struct hh_ipfrag_stats *s);
/* Datagrams dropped for any reason so far. */
uint64_t hh_ipfrag_dropped(const struct hh_ipfrag_stats *s);

#endif
