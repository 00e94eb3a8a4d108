/* TCP reassembly of one direction of a flow.
 *
 * In-order bytes are delivered at once; segments that arrive ahead of the
 * next expected sequence number are copied and held (bounded by count and
 * bytes) until the hole fills. When a hole cannot be filled (the held data
 * exceeds its bounds, the capture lost a segment, or the snapshot length cut a
 * segment), the stream skips ahead and the next delivery says there was a
 * gap, so a line parser can drop its partial line rather than splice two
 * unrelated halves. Retransmitted and overlapping bytes are delivered once. */
#ifndef HH_PCAP_REASM_H
#define HH_PCAP_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hh_reasm_seg;

struct hh_reasm {
	bool started;            /* next_seq is valid */
	uint32_t next_seq;
	struct hh_reasm_seg *held; /* sorted by sequence */
	size_t n_held, held_bytes;
	bool pending_gap;        /* the next delivery follows a hole */
	uint64_t delivered, gaps, dropped_bytes;
};

struct hh_reasm_limits {
	size_t max_segments;     /* held out-of-order segments */
	size_t max_bytes;        /* held out-of-order bytes */
	uint32_t max_ahead;      /* farthest accepted distance past next_seq */
};

/* Receives reassembled bytes. gap: bytes were lost just before these. */
typedef void (*hh_reasm_deliver)(void *arg, const uint8_t *data, size_t len, bool gap);

/* A SYN (or SYN-ACK) fixes the initial sequence number. */
void hh_reasm_syn(struct hh_reasm *r, uint32_t seq);

/* One segment: seq, the captured bytes (len) and the length on the wire
 * (wire_len >= len; more means the capture cut the segment). */
void hh_reasm_segment(struct hh_reasm *r, const struct hh_reasm_limits *lim, uint32_t seq, const uint8_t *data,
		      size_t len, size_t wire_len, hh_reasm_deliver fn, void *arg);

/* Delivers whatever is held (with gaps) and frees it: end of flow or capture. */
void hh_reasm_flush(struct hh_reasm *r, hh_reasm_deliver fn, void *arg);
void hh_reasm_free(struct hh_reasm *r);

#endif
