/* Packet engine: decode, flow table (hash + LRU), TCP reassembly, detectors. */
#include "sources/pcap/engine.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "sources/pcap/decode.h"
#include "sources/pcap/ipfrag.h"
#include "sources/pcap/reasm.h"

struct eflow {
	struct eflow *hnext;              /* hash chain */
	struct eflow *lprev, *lnext;      /* LRU: head most recent */
	uint64_t hash;
	uint8_t family;
	uint8_t a[16], b[16];             /* canonical order: (a,pa) < (b,pb) */
	uint16_t pa, pb;
	bool a_is_client;
	bool fin[2];
	double last_ts;
	struct hh_reasm r[2];             /* by direction: 0 client->server */
	bool unv[2];                      /* bytes [unv_lo, unv_hi) were taken with an unverified checksum */
	uint32_t unv_lo[2], unv_hi[2];
	struct hh_net_flow *det;
};

struct hh_engine {
	struct hh_engine_opts o;
	struct hh_netdetect *det;
	const struct hh_intel *intel;
	struct hh_reasm_limits lim;
	struct eflow **buckets;
	size_t nbuckets;
	struct eflow *lru_head, *lru_tail;
	hh_engine_flow_hook hook;
	void *hook_arg;
	struct hh_engine_stats st;
	struct hh_ipfrag *frag;
};

void hh_engine_opts_load(struct hh_engine_opts *o, const struct hh_config *c)
{
#define NUM(key, def) (c ? hh_config_num(c, NULL, "network." key, def) : (def))
	o->max_flows = (size_t)NUM("flow.max_flows", 65536);
	o->idle_timeout_s = NUM("flow.idle_timeout_s", 600);
	o->max_ooo_segments = (size_t)NUM("flow.max_ooo_segments", 64);
	o->max_ooo_bytes = (size_t)NUM("flow.max_ooo_bytes", 262144);
	o->max_ahead = (uint32_t)NUM("flow.max_ooo_distance", 1048576);
	o->max_stream_bytes = (size_t)NUM("flow.max_stream_bytes", 1048576);
	o->frag_max_datagrams = (size_t)NUM("fragments.max_datagrams", 256);
	o->frag_max_bytes = (size_t)NUM("fragments.max_bytes", 16777216);
	o->frag_timeout_s = NUM("fragments.timeout_s", 30);
#undef NUM
	if (o->max_flows < 16)
		o->max_flows = 16;
	if (o->max_ooo_segments < 1)
		o->max_ooo_segments = 1;
}

struct hh_engine *hh_engine_new(const struct hh_engine_opts *o, struct hh_netdetect *det,
				const struct hh_intel *intel)
{
	struct hh_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->o = *o;
	e->det = det;
	e->intel = intel;
	e->lim.max_segments = o->max_ooo_segments;
	e->lim.max_bytes = o->max_ooo_bytes;
	e->lim.max_ahead = o->max_ahead;
	size_t nb = 1024;
	while (nb < o->max_flows)
		nb *= 2;
	e->buckets = calloc(nb, sizeof(*e->buckets));
	if (!e->buckets) {
		free(e);
		return NULL;
	}
	e->nbuckets = nb;
	struct hh_ipfrag_limits fl = { o->frag_max_datagrams, o->frag_max_bytes, o->frag_timeout_s };
	e->frag = hh_ipfrag_new(&fl);
	if (!e->frag) {
		free(e->buckets);
		free(e);
		return NULL;
	}
	return e;
}

void hh_engine_set_flow_hook(struct hh_engine *e, hh_engine_flow_hook hook, void *arg)
{
	e->hook = hook;
	e->hook_arg = arg;
}

void hh_engine_get_stats(const struct hh_engine *e, struct hh_engine_stats *s)
{
	*s = e->st;
	struct hh_ipfrag_stats fs;
	hh_ipfrag_get_stats(e->frag, &fs);
	s->frag_reassembled = fs.reassembled;
	s->frag_dropped = hh_ipfrag_dropped(&fs);
}

uint64_t hh_engine_warn_skipped(const struct hh_engine *e, const char *label)
{
	struct hh_ipfrag_stats fs;
	hh_ipfrag_get_stats(e->frag, &fs);
	uint64_t dropped = hh_ipfrag_dropped(&fs);
	if (e->st.bad_checksum)
		hh_warn("%s: %llu packet(s) with a wrong IPv4/TCP/UDP checksum ignored (a receiver drops them; "
			"junk ahead of real data is a known evasion)", label, (unsigned long long)e->st.bad_checksum);
	if (dropped)
		hh_warn("%s: %llu fragmented IP datagram(s) not reassembled and not inspected "
			"(%llu incomplete at the end, %llu timed out, %llu evicted by network.fragments limits, "
			"%llu with conflicting overlaps, %llu cut by the snapshot length, %llu malformed)",
			label, (unsigned long long)dropped, (unsigned long long)fs.dropped_incomplete,
			(unsigned long long)fs.dropped_timeout, (unsigned long long)fs.dropped_evicted,
			(unsigned long long)fs.dropped_overlap, (unsigned long long)fs.dropped_cut,
			(unsigned long long)fs.dropped_bad);
	return e->st.bad_checksum + dropped;
}

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static void lru_unlink(struct hh_engine *e, struct eflow *f)
{
	if (f->lprev)
		f->lprev->lnext = f->lnext;
	else
		e->lru_head = f->lnext;
	if (f->lnext)
		f->lnext->lprev = f->lprev;
	else
		e->lru_tail = f->lprev;
	f->lprev = f->lnext = NULL;
}

static void lru_push_front(struct hh_engine *e, struct eflow *f)
{
	f->lprev = NULL;
	f->lnext = e->lru_head;
	if (e->lru_head)
		e->lru_head->lprev = f;
	e->lru_head = f;
	if (!e->lru_tail)
		e->lru_tail = f;
}

struct deliver_ctx {
	struct hh_engine *e;
	struct eflow *f;
	int dir;
	double ts;
};

static void deliver(void *arg, const uint8_t *data, size_t len, bool gap)
{
	struct deliver_ctx *c = arg;
	hh_netdetect_stream(c->e->det, c->f->det, c->dir, data, len, gap, c->ts);
}

static void flow_end(struct hh_engine *e, struct eflow *f)
{
	/* Hand over what is still held out of order: it was captured. */
	for (int dir = 0; dir < 2; dir++) {
		struct deliver_ctx c = { e, f, dir, f->last_ts };
		if (!hh_netdetect_stream_done(f->det, dir))
			hh_reasm_flush(&f->r[dir], deliver, &c);
		e->st.reasm_gaps += f->r[dir].gaps;
		e->st.reasm_dropped_bytes += f->r[dir].dropped_bytes;
		hh_reasm_free(&f->r[dir]);
	}
	hh_netdetect_flow_end(e->det, f->det);
	/* Unlink from the hash chain and the LRU. */
	struct eflow **pp = &e->buckets[f->hash & (e->nbuckets - 1)];
	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;
	lru_unlink(e, f);
	e->st.flows_now--;
	free(f);
}

void hh_engine_expire(struct hh_engine *e, double now)
{
	while (e->lru_tail && e->lru_tail->last_ts < now - e->o.idle_timeout_s) {
		e->st.evicted_idle++;
		flow_end(e, e->lru_tail);
	}
}

void hh_engine_flush(struct hh_engine *e)
{
	hh_ipfrag_flush(e->frag);
	while (e->lru_tail)
		flow_end(e, e->lru_tail);
}

void hh_engine_free(struct hh_engine *e)
{
	if (!e)
		return;
	hh_engine_flush(e);
	hh_ipfrag_free(e->frag);
	free(e->buckets);
	free(e);
}

static bool endpoint_less(int fam, const uint8_t *x, uint16_t px, const uint8_t *y, uint16_t py)
{
	int c = memcmp(x, y, fam == 4 ? 4 : 16);
	return c < 0 || (c == 0 && px < py);
}

/* Remembers the sequence range of bytes taken with an offloaded (unverified)
 * checksum: one range per direction, extended while contiguous. */
static void note_unverified(struct eflow *f, int dir, uint32_t seq, uint32_t len)
{
	if (f->unv[dir] && (int32_t)(seq - f->unv_hi[dir]) <= 0 && (int32_t)(seq + len - f->unv_lo[dir]) >= 0) {
		if ((int32_t)(seq - f->unv_lo[dir]) < 0)
			f->unv_lo[dir] = seq;
		if ((int32_t)(seq + len - f->unv_hi[dir]) > 0)
			f->unv_hi[dir] = seq + len;
		return;
	}
	f->unv[dir] = true;
	f->unv_lo[dir] = seq;
	f->unv_hi[dir] = seq + len;
}

/* A verified segment covering bytes already taken unverified: the earlier copy
 * may have been junk a receiver dropped. Deliver the verified bytes again,
 * after a gap, so the detectors judge both copies. */
static void rejudge(struct hh_engine *e, struct eflow *f, int dir, const struct hh_pkt *p)
{
	struct hh_reasm *r = &f->r[dir];
	uint32_t lo = p->seq, hi = p->seq + p->payload_len;
	if ((int32_t)(lo - r->next_seq) >= 0 || (int32_t)(hi - f->unv_lo[dir]) <= 0 ||
	    (int32_t)(lo - f->unv_hi[dir]) >= 0)
		return; /* nothing old, or no overlap with the unverified range */
	uint32_t end = (int32_t)(hi - r->next_seq) > 0 ? r->next_seq : hi;
	e->st.rejudged++;
	hh_netdetect_stream_reset(f->det, dir);
	hh_netdetect_stream(e->det, f->det, dir, p->payload, end - lo, true, p->ts);
	if ((int32_t)(end - f->unv_hi[dir]) >= 0)
		f->unv[dir] = false;
}

static void tcp_packet(struct hh_engine *e, const struct hh_pkt *p)
{
	bool src_is_a = endpoint_less(p->family, p->src, p->sport, p->dst, p->dport);
	const uint8_t *a = src_is_a ? p->src : p->dst, *b = src_is_a ? p->dst : p->src;
	uint16_t pa = src_is_a ? p->sport : p->dport, pb = src_is_a ? p->dport : p->sport;
	size_t alen = p->family == 4 ? 4 : 16;
	uint64_t h = mix(0xcbf29ce484222325ull, &p->family, 1);
	h = mix(h, a, alen);
	h = mix(h, b, alen);
	h = mix(h, &pa, 2);
	h = mix(h, &pb, 2);
	struct eflow **bucket = &e->buckets[h & (e->nbuckets - 1)];
	struct eflow *f = *bucket;
	while (f && !(f->hash == h && f->family == p->family && f->pa == pa && f->pb == pb &&
		      memcmp(f->a, a, alen) == 0 && memcmp(f->b, b, alen) == 0))
		f = f->hnext;
	bool syn = p->tcp_flags & HH_TCP_SYN, ack = p->tcp_flags & HH_TCP_ACK;
	if (!f) {
		/* Stragglers of a finished flow (bare ACK, FIN, RST) do not open one. */
		if (!syn && p->wire_payload_len == 0)
			return;
		if (e->st.flows_now >= e->o.max_flows && e->lru_tail) {
			e->st.evicted_lru++;
			flow_end(e, e->lru_tail);
			bucket = &e->buckets[h & (e->nbuckets - 1)];
		}
		f = calloc(1, sizeof(*f));
		if (!f)
			return;
		f->hash = h;
		f->family = p->family;
		memcpy(f->a, a, alen);
		memcpy(f->b, b, alen);
		f->pa = pa;
		f->pb = pb;
		/* Who is the client? */
		bool sender_client;
		if (syn)
			sender_client = !ack;
		else {
			bool dpool = hh_intel_is_pool_port(e->intel, p->dport, NULL);
			bool spool = hh_intel_is_pool_port(e->intel, p->sport, NULL);
			sender_client = dpool != spool ? dpool : p->dport <= p->sport;
		}
		f->a_is_client = sender_client == src_is_a;
		struct hh_net_flow_key k = { .family = p->family, .proto = IPPROTO_TCP };
		memcpy(k.cip, sender_client ? p->src : p->dst, alen);
		memcpy(k.sip, sender_client ? p->dst : p->src, alen);
		k.cport = sender_client ? p->sport : p->dport;
		k.sport = sender_client ? p->dport : p->sport;
		f->det = hh_netdetect_flow_new(e->det, &k, p->ts);
		if (!f->det) {
			free(f);
			return;
		}
		f->hnext = *bucket;
		*bucket = f;
		lru_push_front(e, f);
		e->st.flows++;
		if (++e->st.flows_now > e->st.flows_peak)
			e->st.flows_peak = e->st.flows_now;
		if (e->hook)
			e->hook(e->hook_arg, f->det);
	} else if (f != e->lru_head) {
		lru_unlink(e, f);
		lru_push_front(e, f);
	}
	if (p->ts > f->last_ts)
		f->last_ts = p->ts;
	int dir = (src_is_a == f->a_is_client) ? 0 : 1;
	hh_netdetect_packet(e->det, f->det, dir, p->ts, p->ip_len, p->wire_payload_len);
	struct hh_reasm *r = &f->r[dir];
	if (syn)
		hh_reasm_syn(r, p->seq);
	if (p->wire_payload_len && p->l4_csum == HH_CSUM_GOOD && f->unv[dir] && r->started)
		rejudge(e, f, dir, p);
	else if (p->wire_payload_len && p->l4_csum == HH_CSUM_PARTIAL)
		note_unverified(f, dir, p->seq, p->wire_payload_len);
	if (p->wire_payload_len && !hh_netdetect_stream_done(f->det, dir)) {
		struct deliver_ctx c = { e, f, dir, p->ts };
		hh_reasm_segment(r, &e->lim, p->seq, p->payload, p->payload_len, p->wire_payload_len, deliver, &c);
	}
	if (p->tcp_flags & HH_TCP_FIN)
		f->fin[dir] = true;
	if ((p->tcp_flags & HH_TCP_RST) || (f->fin[0] && f->fin[1]))
		flow_end(e, f);
}

int hh_engine_packet(struct hh_engine *e, int linktype, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
		     double ts, const char **why)
{
	e->st.packets++;
	e->st.bytes += wirelen;
	if (caplen < wirelen)
		e->st.truncated++;
	struct hh_pkt p;
	p.ts = ts;
	enum hh_decode_rc rc = hh_decode_packet(linktype, data, caplen, &p, why);
	if (rc == HH_DECODE_NOT_IP) {
		e->st.not_ip++;
		return rc;
	}
	if (rc != HH_DECODE_OK) {
		e->st.malformed++;
		return rc;
	}
	e->st.ip_packets++;
	hh_engine_expire(e, ts);
	if (p.ip_csum_bad) {
		e->st.bad_checksum++;
		return rc;
	}
	if (p.fragment) {
		e->st.fragments++;
		uint32_t len;
		struct hh_pkt whole;
		const uint8_t *l4 = hh_ipfrag_add(e->frag, &p, &whole, &len);
		if (!l4)
			return rc;
		const char *w2 = "";
		if (hh_decode_l4(l4, len, &whole, &w2) != HH_DECODE_OK) {
			e->st.malformed++;
			return rc;
		}
		p = whole;
	}
	if (p.l4_csum == HH_CSUM_BAD) {
		e->st.bad_checksum++;
		return rc;
	}
	if (p.l4_csum == HH_CSUM_PARTIAL)
		e->st.partial_checksum++;
	if (p.proto == IPPROTO_TCP) {
		e->st.tcp_packets++;
		tcp_packet(e, &p);
	} else if (p.proto == IPPROTO_UDP) {
		e->st.udp_packets++;
		if (p.payload_len)
			hh_netdetect_udp(e->det, p.family, p.src, p.sport, p.dst, p.dport, p.payload, p.payload_len, ts);
	}
	return rc;
}
