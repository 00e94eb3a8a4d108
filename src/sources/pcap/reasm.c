/* TCP one-direction reassembly with a bounded out-of-order hold. */
#include "sources/pcap/reasm.h"

#include <stdlib.h>
#include <string.h>

struct hh_reasm_seg {
	struct hh_reasm_seg *next;
	uint32_t seq;
	uint32_t len;      /* captured bytes held */
	uint32_t wire_len; /* bytes this segment covers in sequence space */
	uint8_t data[];
};

/* Sequence arithmetic modulo 2^32. */
static int32_t seq_diff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }

void hh_reasm_syn(struct hh_reasm *r, uint32_t seq)
{
	if (!r->started) {
		r->started = true;
		r->next_seq = seq + 1;
	}
}

static void deliver(struct hh_reasm *r, const uint8_t *d, size_t len, size_t wire_len, hh_reasm_deliver fn,
		    void *arg)
{
	if (len) {
		fn(arg, d, len, r->pending_gap);
		r->pending_gap = false;
		r->delivered += len;
	}
	if (wire_len > len) { /* cut by the snapshot length: the rest is lost */
		r->pending_gap = true;
		r->gaps++;
		r->dropped_bytes += wire_len - len;
	}
	r->next_seq += (uint32_t)wire_len;
}

/* Delivers held segments that now follow on (or overlap) next_seq. */
static void drain(struct hh_reasm *r, hh_reasm_deliver fn, void *arg)
{
	while (r->held && seq_diff(r->held->seq, r->next_seq) <= 0) {
		struct hh_reasm_seg *s = r->held;
		r->held = s->next;
		r->n_held--;
		r->held_bytes -= s->len;
		int32_t skip = seq_diff(r->next_seq, s->seq);
		if ((uint32_t)skip < s->wire_len) {
			uint32_t cap_skip = (uint32_t)skip < s->len ? (uint32_t)skip : s->len;
			deliver(r, s->data + cap_skip, s->len - cap_skip, s->wire_len - (uint32_t)skip, fn, arg);
		}
		free(s);
	}
}

/* Gives up on the hole before the first held segment. */
static void skip_hole(struct hh_reasm *r, hh_reasm_deliver fn, void *arg)
{
	if (!r->held)
		return;
	r->dropped_bytes += (uint32_t)seq_diff(r->held->seq, r->next_seq);
	r->next_seq = r->held->seq;
	r->pending_gap = true;
	r->gaps++;
	drain(r, fn, arg);
}

static void hold(struct hh_reasm *r, const struct hh_reasm_limits *lim, uint32_t seq, const uint8_t *data,
		 size_t len, size_t wire_len, hh_reasm_deliver fn, void *arg)
{
	/* Make room first: a hole that needs more than the limits will not be filled. */
	while (r->held && (r->n_held + 1 > lim->max_segments || r->held_bytes + len > lim->max_bytes))
		skip_hole(r, fn, arg);
	if (len > lim->max_bytes) {
		/* A single segment larger than the hold: jump to it. */
		r->dropped_bytes += (uint32_t)seq_diff(seq, r->next_seq);
		r->next_seq = seq;
		r->pending_gap = true;
		r->gaps++;
		deliver(r, data, len, wire_len, fn, arg);
		drain(r, fn, arg);
		return;
	}
	if (seq_diff(seq, r->next_seq) <= 0) { /* the skipping reached it */
		int32_t skip = seq_diff(r->next_seq, seq);
		if ((size_t)skip < wire_len) {
			size_t cs = (size_t)skip < len ? (size_t)skip : len;
			deliver(r, data + cs, len - cs, wire_len - (size_t)skip, fn, arg);
		}
		drain(r, fn, arg);
		return;
	}
	struct hh_reasm_seg **pp = &r->held;
	while (*pp && seq_diff((*pp)->seq, seq) < 0)
		pp = &(*pp)->next;
	if (*pp && (*pp)->seq == seq && (*pp)->wire_len >= wire_len)
		return; /* a retransmission of a held segment */
	struct hh_reasm_seg *s = malloc(sizeof(*s) + len);
	if (!s) {
		r->dropped_bytes += len;
		return;
	}
	s->seq = seq;
	s->len = (uint32_t)len;
	s->wire_len = (uint32_t)wire_len;
	memcpy(s->data, data, len);
	s->next = *pp;
	*pp = s;
	r->n_held++;
	r->held_bytes += len;
}

void hh_reasm_segment(struct hh_reasm *r, const struct hh_reasm_limits *lim, uint32_t seq, const uint8_t *data,
		      size_t len, size_t wire_len, hh_reasm_deliver fn, void *arg)
{
	static const uint8_t none[1];
	if (wire_len == 0)
		return;
	if (!data) { /* the capture kept none of the payload */
		data = none;
		len = 0;
	}
	if (wire_len < len)
		wire_len = len;
	if (!r->started) { /* capture began mid-stream: start at the first data seen */
		r->started = true;
		r->next_seq = seq;
	}
	int32_t d = seq_diff(seq, r->next_seq);
	if (d > 0) {
		if ((uint32_t)d > lim->max_ahead) {
			/* Far ahead: a lost capture stretch, not reordering. Resynchronise. */
			while (r->held)
				skip_hole(r, fn, arg);
			r->dropped_bytes += (uint32_t)d;
			r->next_seq = seq;
			r->pending_gap = true;
			r->gaps++;
		} else {
			hold(r, lim, seq, data, len, wire_len, fn, arg);
			return;
		}
		d = 0;
	}
	uint32_t skip = 0u - (uint32_t)d; /* d <= 0; INT32_MIN must not be negated */
	if (skip >= wire_len)
		return; /* entirely old: a retransmission */
	size_t cs = skip < len ? skip : len;
	deliver(r, data + cs, len - cs, wire_len - skip, fn, arg);
	drain(r, fn, arg);
}

void hh_reasm_flush(struct hh_reasm *r, hh_reasm_deliver fn, void *arg)
{
	while (r->held)
		skip_hole(r, fn, arg);
}

void hh_reasm_free(struct hh_reasm *r)
{
	while (r->held) {
		struct hh_reasm_seg *s = r->held;
		r->held = s->next;
		free(s);
	}
	r->n_held = 0;
	r->held_bytes = 0;
}
