/* Bounded IP fragment reassembly (see ipfrag.h). */
#include "sources/pcap/ipfrag.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define DGRAM_MAX 65535u
#define UNITS ((DGRAM_MAX + 8) / 8) /* 8-byte units of a datagram */

struct dgram {
	struct dgram *next;          /* oldest first */
	uint8_t family, proto;
	uint8_t src[16], dst[16];
	uint32_t id;
	double first_ts;
	struct hh_pkt hdr;           /* IP fields of the first fragment seen */
	uint8_t *buf;                /* DGRAM_MAX bytes, allocated with the datagram */
	uint32_t high;               /* highest byte end seen */
	uint32_t total;              /* datagram length once the last fragment came, else 0 */
	bool have_last;
	uint8_t covered[UNITS / 8 + 1];
};

struct hh_ipfrag {
	struct hh_ipfrag_limits lim;
	struct dgram *head, *tail;
	size_t n, bytes;
	uint8_t *done;               /* the last completed datagram, kept until the next call */
	struct hh_ipfrag_stats st;
};

struct hh_ipfrag *hh_ipfrag_new(const struct hh_ipfrag_limits *lim)
{
	struct hh_ipfrag *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->lim = *lim;
	if (f->lim.max_datagrams < 1)
		f->lim.max_datagrams = 1;
	if (f->lim.max_bytes < DGRAM_MAX)
		f->lim.max_bytes = DGRAM_MAX;
	return f;
}

static void unlink_free(struct hh_ipfrag *f, struct dgram *d)
{
	struct dgram **pp = &f->head, *prev = NULL;
	while (*pp && *pp != d) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (*pp)
		*pp = d->next;
	if (f->tail == d)
		f->tail = prev;
	f->n--;
	f->bytes -= DGRAM_MAX;
	free(d->buf);
	free(d);
}

void hh_ipfrag_free(struct hh_ipfrag *f)
{
	if (!f)
		return;
	while (f->head)
		unlink_free(f, f->head);
	free(f->done);
	free(f);
}

void hh_ipfrag_expire(struct hh_ipfrag *f, double now)
{
	while (f->head && f->head->first_ts < now - f->lim.timeout_s) {
		f->st.dropped_timeout++;
		unlink_free(f, f->head);
	}
}

void hh_ipfrag_flush(struct hh_ipfrag *f)
{
	while (f->head) {
		f->st.dropped_incomplete++;
		unlink_free(f, f->head);
	}
}

void hh_ipfrag_get_stats(const struct hh_ipfrag *f, struct hh_ipfrag_stats *s) { *s = f->st; }

uint64_t hh_ipfrag_dropped(const struct hh_ipfrag_stats *s)
{
	return s->dropped_timeout + s->dropped_evicted + s->dropped_overlap + s->dropped_cut + s->dropped_bad +
	       s->dropped_incomplete;
}

static bool unit_set(const struct dgram *d, uint32_t u) { return d->covered[u / 8] >> (u % 8) & 1; }

static struct dgram *find(struct hh_ipfrag *f, const struct hh_pkt *p, uint32_t id)
{
	size_t alen = p->family == 4 ? 4 : 16;
	for (struct dgram *d = f->head; d; d = d->next)
		if (d->family == p->family && d->proto == p->proto && d->id == id && !memcmp(d->src, p->src, alen) &&
		    !memcmp(d->dst, p->dst, alen))
			return d;
	return NULL;
}

const uint8_t *hh_ipfrag_add(struct hh_ipfrag *f, const struct hh_pkt *p, struct hh_pkt *out, uint32_t *len)
{
	free(f->done);
	f->done = NULL;
	f->st.fragments++;
	hh_ipfrag_expire(f, p->ts);
	uint32_t id = p->family == 4 ? p->frag_id : p->frag_id6;
	struct dgram *d = find(f, p, id);
	if (!d) {
		while (f->head && (f->n >= f->lim.max_datagrams || f->bytes + DGRAM_MAX > f->lim.max_bytes)) {
			f->st.dropped_evicted++;
			unlink_free(f, f->head);
		}
		d = calloc(1, sizeof(*d));
		uint8_t *buf = d ? malloc(DGRAM_MAX) : NULL;
		if (!buf) {
			free(d);
			f->st.dropped_evicted++;
			return NULL;
		}
		d->buf = buf;
		d->family = p->family;
		d->proto = p->proto;
		memcpy(d->src, p->src, 16);
		memcpy(d->dst, p->dst, 16);
		d->id = id;
		d->first_ts = p->ts;
		d->hdr = *p;
		if (f->tail)
			f->tail->next = d;
		else
			f->head = d;
		f->tail = d;
		f->n++;
		f->bytes += DGRAM_MAX;
	}
	uint32_t off = p->frag_off, wl = p->frag_wire_len;
	if (p->frag_len < wl) { /* cut by the snapshot length: the datagram cannot be rebuilt */
		f->st.dropped_cut++;
		unlink_free(f, d);
		return NULL;
	}
	if ((uint64_t)off + wl > DGRAM_MAX || (p->frag_more && (wl % 8 || wl == 0)) ||
	    (!p->frag_more && d->have_last && off + wl != d->total) || (d->have_last && off + wl > d->total) ||
	    (!p->frag_more && off + wl < d->high)) {
		f->st.dropped_bad++; /* past 64 KiB, a middle piece not a multiple of 8, two different ends */
		unlink_free(f, d);
		return NULL;
	}
	/* Overlap: identical bytes are a duplicate, different bytes drop the datagram. */
	uint32_t u0 = off / 8, u1 = (off + wl + 7) / 8;
	for (uint32_t u = u0; u < u1; u++) {
		if (!unit_set(d, u))
			continue;
		uint32_t a = u * 8 > off ? u * 8 : off, b = (u + 1) * 8 < off + wl ? (u + 1) * 8 : off + wl;
		if (b > d->high)
			b = d->high;
		if (a < b && memcmp(d->buf + a, p->frag_data + (a - off), b - a)) {
			f->st.dropped_overlap++;
			unlink_free(f, d);
			return NULL;
		}
	}
	if (wl)
		memcpy(d->buf + off, p->frag_data, wl);
	for (uint32_t u = u0; u < u1; u++)
		d->covered[u / 8] |= (uint8_t)(1u << (u % 8));
	if (off + wl > d->high)
		d->high = off + wl;
	if (off == 0)
		d->hdr = *p; /* the first piece carries the transport header */
	if (!p->frag_more) {
		d->have_last = true;
		d->total = off + wl;
	}
	if (!d->have_last)
		return NULL;
	for (uint32_t u = 0; u < (d->total + 7) / 8; u++)
		if (!unit_set(d, u))
			return NULL;
	/* Complete: hand the datagram out, keep its buffer until the next call. */
	*out = d->hdr;
	out->ts = p->ts;
	out->fragment = false;
	*len = d->total;
	f->done = d->buf;
	d->buf = NULL;
	f->st.reassembled++;
	unlink_free(f, d);
	return f->done;
}
