/* Packet decoding, TCP reassembly and the flow engine, on frames built here:
 * IPv4 and IPv6 (with extension headers), VLAN, out-of-order and overlapping
 * segments, bounded holds and flow tables, hostile frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pcap/pcap.h>

#include "detectors/network/netdetect.h"
#include "enrich/intel/intel.h"
#include "sources/pcap/decode.h"
#include "sources/pcap/engine.h"
#include "sources/pcap/reasm.h"

/* ---- reassembly ---- */

struct collected {
	char buf[4096];
	size_t len;
	unsigned gaps;
};

static void collect(void *arg, const uint8_t *d, size_t n, bool gap)
{
	struct collected *c = arg;
	if (gap)
		c->gaps++;
	memcpy(c->buf + c->len, d, n);
	c->len += n;
	c->buf[c->len] = 0;
}

static const struct hh_reasm_limits lim = { 8, 4096, 1 << 20 };

static void seg(struct hh_reasm *r, struct collected *c, uint32_t seq, const char *s)
{
	hh_reasm_segment(r, &lim, seq, (const uint8_t *)s, strlen(s), strlen(s), collect, c);
}

static void reasm_orders(void **state)
{
	(void)state;
	struct hh_reasm r = { 0 };
	struct collected c = { 0 };
	hh_reasm_syn(&r, 999);
	seg(&r, &c, 1010, "world\n");  /* ahead: held */
	assert_int_equal(c.len, 0);
	seg(&r, &c, 1005, ", ");       /* still a hole at 1000 */
	seg(&r, &c, 1000, "hello");    /* fills it: everything flows */
	assert_string_equal(c.buf, "hello, ");
	seg(&r, &c, 1007, "xxx");      /* 1007..1009 missing piece */
	assert_string_equal(c.buf, "hello, xxxworld\n");
	seg(&r, &c, 1000, "hello, xxxworld\n"); /* full retransmission: nothing new */
	seg(&r, &c, 1013, "ld\nmore");          /* overlap: only "more" is new */
	assert_string_equal(c.buf, "hello, xxxworld\nmore");
	assert_int_equal(c.gaps, 0);
	assert_int_equal(r.n_held, 0);
	hh_reasm_free(&r);
}

static void reasm_gaps_and_bounds(void **state)
{
	(void)state;
	struct hh_reasm r = { 0 };
	struct collected c = { 0 };
	seg(&r, &c, 0xfffffffe, "ab");   /* mid-stream start near the wrap */
	seg(&r, &c, 0, "cd");            /* sequence wraps to 0 */
	assert_string_equal(c.buf, "abcd");
	/* A hole that never fills: more than max_segments held -> skip with a gap. */
	for (int i = 0; i < 12; i++)
		seg(&r, &c, 10 + (uint32_t)i * 2, "zz");
	assert_true(r.n_held <= lim.max_segments);
	assert_true(c.gaps >= 1);
	/* Far ahead: resynchronise rather than hold. */
	seg(&r, &c, 5u << 20, "far");
	assert_true(strstr(c.buf, "far") != NULL);
	/* Snapshot-length cut: 3 captured of 10 on the wire, then the next segment. */
	size_t before = c.gaps;
	hh_reasm_segment(&r, &lim, r.next_seq, (const uint8_t *)"cut", 3, 10, collect, &c);
	seg(&r, &c, r.next_seq, "next");
	assert_int_equal(c.gaps, before + 1);
	/* Flush delivers what is held. */
	seg(&r, &c, r.next_seq + 100, "held");
	hh_reasm_flush(&r, collect, &c);
	assert_true(strstr(c.buf, "held") != NULL);
	hh_reasm_free(&r);
}

/* ---- frames ---- */

static size_t ipv4_tcp(uint8_t *f, bool vlan, const uint8_t src[4], const uint8_t dst[4], uint16_t sp, uint16_t dp,
		       uint32_t seq, uint8_t flags, const char *payload)
{
	size_t pl = payload ? strlen(payload) : 0, o = 0;
	memset(f, 0, 14);
	if (vlan) {
		f[12] = 0x81;
		memcpy(f + 14, "\x00\x07\x08\x00", 4);
		o = 18;
	} else {
		f[12] = 0x08;
		o = 14;
	}
	uint8_t *ip = f + o;
	memset(ip, 0, 40);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((40 + pl) >> 8);
	ip[3] = (uint8_t)(40 + pl);
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	uint8_t *t = ip + 20;
	t[0] = (uint8_t)(sp >> 8);
	t[1] = (uint8_t)sp;
	t[2] = (uint8_t)(dp >> 8);
	t[3] = (uint8_t)dp;
	t[4] = (uint8_t)(seq >> 24);
	t[5] = (uint8_t)(seq >> 16);
	t[6] = (uint8_t)(seq >> 8);
	t[7] = (uint8_t)seq;
	t[12] = 0x50;
	t[13] = flags;
	if (pl)
		memcpy(t + 20, payload, pl);
	return o + 40 + pl;
}

struct sink_ctx {
	int n;
	char rules[16][96];
	char dialects[16][64];
};

static void sink(void *arg, struct hh_finding *f)
{
	struct sink_ctx *c = arg;
	if (c->n < 16) {
		snprintf(c->rules[c->n], sizeof(c->rules[0]), "%s", f->rule);
		json_t *d = json_object_get(f->fields, "net.dialect");
		snprintf(c->dialects[c->n], sizeof(c->dialects[0]), "%s", d ? json_string_value(d) : "");
	}
	c->n++;
	hh_finding_free(f);
}

struct rig {
	struct hh_netdetect *det;
	struct hh_engine *eng;
	struct sink_ctx s;
};

static void rig_init(struct rig *r, size_t max_flows, size_t max_stream)
{
	memset(r, 0, sizeof(*r));
	struct hh_netdetect_opts o;
	hh_netdetect_opts_load(&o, NULL);
	if (max_stream)
		o.max_stream_bytes = max_stream;
	struct hh_engine_opts eo;
	hh_engine_opts_load(&eo, NULL);
	eo.max_flows = max_flows;
	r->det = hh_netdetect_new(&o, NULL, "pcap", sink, &r->s);
	r->eng = hh_engine_new(&eo, r->det, NULL);
	assert_non_null(r->eng);
}

static void rig_free(struct rig *r)
{
	hh_engine_free(r->eng);
	hh_netdetect_free(r->det);
}

static const uint8_t CLI[4] = { 10, 0, 0, 2 }, SRV[4] = { 203, 0, 113, 9 };

static void engine_split_reordered_line(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 64, 0);
	uint8_t f[2048];
	const char *why;
	size_t n = ipv4_tcp(f, true, CLI, SRV, 40000, 3333, 100, HH_TCP_SYN, NULL);
	hh_engine_packet(r.eng, DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, 1.0, &why);
	const char *a = "{ \"id\" : 1, \"method\" : \"mining.sub";
	const char *b = "scribe\", \"params\" : [ \"cpuminer/2.5\" ] }\n";
	const char *c2 = "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"wallet.w\",\"x\"]}\n";
	/* Third segment first, then the second, then the first. */
	uint32_t s1 = 101, s2 = s1 + (uint32_t)strlen(a), s3 = s2 + (uint32_t)strlen(b);
	n = ipv4_tcp(f, true, CLI, SRV, 40000, 3333, s3, HH_TCP_ACK | HH_TCP_PSH, c2);
	hh_engine_packet(r.eng, DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, 1.1, &why);
	n = ipv4_tcp(f, true, CLI, SRV, 40000, 3333, s2, HH_TCP_ACK | HH_TCP_PSH, b);
	hh_engine_packet(r.eng, DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, 1.2, &why);
	assert_int_equal(r.s.n, 0);
	n = ipv4_tcp(f, true, CLI, SRV, 40000, 3333, s1, HH_TCP_ACK | HH_TCP_PSH, a);
	hh_engine_packet(r.eng, DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, 1.3, &why);
	hh_engine_flush(r.eng);
	assert_int_equal(r.s.n, 1);
	assert_string_equal(r.s.rules[0], "net.stratum.v1");
	assert_string_equal(r.s.dialects[0], "stratum-v1");
	rig_free(&r);
}

/* The agent's path: raw IP packets (DLT_RAW) with a scope (the socket
 * cookie): the same addresses and ports in two scopes are two flows, so
 * another namespace's bytes never splice into this one's line. */
static void engine_scoped_raw_flows(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 64, 0);
	uint8_t f[2048];
	const char *why;
	const char *a = "{\"id\":1,\"method\":\"mining.subscribe\",";
	const char *b = "\"params\":[\"cpuminer/2.5\"]}\n";
	const char *c2 = "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"wallet.w\",\"x\"]}\n";
	const char *other = "GET / HTTP/1.1\r\nHost: example\r\n";
	uint32_t s1 = 101, s2 = s1 + (uint32_t)strlen(a), s3 = s2 + (uint32_t)strlen(b);
	size_t n = ipv4_tcp(f, false, CLI, SRV, 40000, 3333, 100, HH_TCP_SYN, NULL);
	hh_engine_packet_scoped(r.eng, 7, DLT_RAW, f + 14, (uint32_t)(n - 14), (uint32_t)(n - 14), 1.0, &why);
	hh_engine_packet_scoped(r.eng, 8, DLT_RAW, f + 14, (uint32_t)(n - 14), (uint32_t)(n - 14), 1.0, &why);
	n = ipv4_tcp(f, false, CLI, SRV, 40000, 3333, s1, HH_TCP_ACK | HH_TCP_PSH, a);
	hh_engine_packet_scoped(r.eng, 7, DLT_RAW, f + 14, (uint32_t)(n - 14), (uint32_t)(n - 14), 1.1, &why);
	n = ipv4_tcp(f, false, CLI, SRV, 40000, 3333, s1, HH_TCP_ACK | HH_TCP_PSH, other);
	hh_engine_packet_scoped(r.eng, 8, DLT_RAW, f + 14, (uint32_t)(n - 14), (uint32_t)(n - 14), 1.1, &why);
	n = ipv4_tcp(f, false, CLI, SRV, 40000, 3333, s2, HH_TCP_ACK | HH_TCP_PSH, b);
	hh_engine_packet_scoped(r.eng, 7, DLT_RAW, f + 14, (uint32_t)(n - 14), (uint32_t)(n - 14), 1.2, &why);
	n = ipv4_tcp(f, false, CLI, SRV, 40000, 3333, s3, HH_TCP_ACK | HH_TCP_PSH, c2);
	hh_engine_packet_scoped(r.eng, 7, DLT_RAW, f + 14, (uint32_t)(n - 14), (uint32_t)(n - 14), 1.3, &why);
	struct hh_engine_stats st;
	hh_engine_get_stats(r.eng, &st);
	assert_int_equal(st.flows, 2);
	assert_int_equal(st.malformed, 0);
	hh_engine_flush(r.eng);
	assert_int_equal(r.s.n, 1);
	assert_string_equal(r.s.rules[0], "net.stratum.v1");
	rig_free(&r);
}

static void engine_ipv6_extension_headers(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 64, 0);
	const char *line = "{\"method\":\"login\",\"params\":{\"login\":\"4Abc\",\"pass\":\"x\"},\"id\":1}\n";
	size_t pl = strlen(line);
	uint8_t f[1024] = { 0 };
	f[12] = 0x86;
	f[13] = 0xdd;
	uint8_t *ip = f + 14;
	ip[0] = 0x60;
	size_t ext = 8 + 8; /* hop-by-hop, destination options */
	size_t plen = ext + 20 + pl;
	ip[4] = (uint8_t)(plen >> 8);
	ip[5] = (uint8_t)plen;
	ip[6] = 0;  /* hop-by-hop */
	ip[7] = 64;
	ip[23] = 1; /* 2001:db8::1 style, enough to differ */
	ip[39] = 2;
	uint8_t *h = ip + 40;
	h[0] = 60; /* next: destination options */
	h[1] = 0;
	h[8] = 6; /* next: TCP */
	h[9] = 0;
	uint8_t *t = h + 16;
	t[0] = 0x9c;
	t[1] = 0x40; /* 40000 */
	t[2] = 0x0d;
	t[3] = 0x05; /* 3333 */
	t[7] = 1;
	t[12] = 0x50;
	t[13] = HH_TCP_ACK | HH_TCP_PSH;
	memcpy(t + 20, line, pl);
	size_t n = 14 + 40 + plen;
	const char *why;
	assert_int_equal(hh_engine_packet(r.eng, DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, 5.0, &why), HH_DECODE_OK);
	hh_engine_flush(r.eng);
	assert_int_equal(r.s.n, 1);
	assert_string_equal(r.s.rules[0], "net.stratum.cryptonote");
	/* The same with a fragment header: noted, not parsed. */
	struct hh_pkt p;
	h[8] = 44; /* the TCP header's place now reads as a fragment header (offset 0x0d05 >> 3) */
	assert_int_equal(hh_decode_packet(DLT_EN10MB, f, (uint32_t)n, &p, &why), HH_DECODE_OK);
	assert_true(p.fragment);
	assert_null(p.payload);
	rig_free(&r);
}

static void engine_bounds(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, 16, 4096);
	uint8_t f[2048];
	const char *why;
	/* 100 flows into a table of 16. */
	for (int i = 0; i < 100; i++) {
		uint8_t src[4] = { 10, 1, (uint8_t)(i >> 8), (uint8_t)i };
		size_t n = ipv4_tcp(f, false, src, SRV, (uint16_t)(20000 + i), 443, 1, HH_TCP_SYN, NULL);
		hh_engine_packet(r.eng, DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, 10.0 + i, &why);
	}
	struct hh_engine_stats st;
	hh_engine_get_stats(r.eng, &st);
	assert_true(st.flows_peak <= 16);
	assert_int_equal(st.evicted_lru, 100 - 16);
	/* Idle flows age out. */
	hh_engine_expire(r.eng, 1e6);
	hh_engine_get_stats(r.eng, &st);
	assert_int_equal(st.flows_now, 0);
	/* Per-flow byte cap: a mining line after 4 KiB of padding is not parsed. */
	char pad[1500];
	memset(pad, ' ', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = 0;
	uint32_t seq = 1;
	for (int i = 0; i < 4; i++) {
		size_t n = ipv4_tcp(f, false, CLI, SRV, 41000, 3333, seq, HH_TCP_ACK, pad);
		hh_engine_packet(r.eng, DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, 100.0, &why);
		seq += (uint32_t)strlen(pad);
	}
	size_t n = ipv4_tcp(f, false, CLI, SRV, 41000, 3333, seq, HH_TCP_ACK,
			    "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[]}\n");
	hh_engine_packet(r.eng, DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, 100.1, &why);
	hh_engine_flush(r.eng);
	assert_int_equal(r.s.n, 0);
	rig_free(&r);
}

static void decode_hostile(void **state)
{
	(void)state;
	struct hh_pkt p;
	const char *why;
	uint8_t f[128];
	size_t n = ipv4_tcp(f, false, CLI, SRV, 1, 2, 3, HH_TCP_ACK, "abcdef");
	/* Every truncation of a good frame. */
	for (size_t cut = 0; cut < n; cut++) {
		enum hh_decode_rc rc = hh_decode_packet(DLT_EN10MB, f, (uint32_t)cut, &p, &why);
		if (rc == HH_DECODE_OK)
			assert_true(p.payload_len <= 6 && (p.payload == NULL || p.payload + p.payload_len <= f + cut));
	}
	/* The snapshot length cut the payload: captured 2 of 6 bytes. */
	assert_int_equal(hh_decode_packet(DLT_EN10MB, f, (uint32_t)n - 4, &p, &why), HH_DECODE_OK);
	assert_int_equal(p.payload_len, 2);
	assert_int_equal(p.wire_payload_len, 6);
	/* Lying lengths: IHL 60 on a 40-byte packet, TCP offset 60. */
	uint8_t g[128];
	memcpy(g, f, n);
	g[14] = 0x4f;
	assert_int_equal(hh_decode_packet(DLT_EN10MB, g, (uint32_t)n, &p, &why), HH_DECODE_MALFORMED);
	memcpy(g, f, n);
	g[14 + 20 + 12] = 0xf0;
	assert_int_equal(hh_decode_packet(DLT_EN10MB, g, (uint32_t)n, &p, &why), HH_DECODE_MALFORMED);
	/* Fragment: noted, no L4. */
	memcpy(g, f, n);
	g[14 + 6] = 0x20; /* MF */
	assert_int_equal(hh_decode_packet(DLT_EN10MB, g, (uint32_t)n, &p, &why), HH_DECODE_OK);
	assert_true(p.fragment);
	assert_null(p.payload);
	/* Endless VLAN tags, wrong IP versions, ARP, empty frames, unknown link types. */
	uint8_t v[64] = { 0 };
	for (size_t i = 12; i + 4 <= sizeof(v); i += 4)
		memcpy(v + i, "\x81\x00\x00\x01", 4);
	assert_int_equal(hh_decode_packet(DLT_EN10MB, v, sizeof(v), &p, &why), HH_DECODE_MALFORMED);
	uint8_t arp[42] = { 0 };
	arp[12] = 0x08;
	arp[13] = 0x06;
	assert_int_equal(hh_decode_packet(DLT_EN10MB, arp, sizeof(arp), &p, &why), HH_DECODE_NOT_IP);
	uint8_t raw[20] = { 0x75 };
	assert_int_equal(hh_decode_packet(DLT_RAW, raw, sizeof(raw), &p, &why), HH_DECODE_MALFORMED);
	assert_int_equal(hh_decode_packet(DLT_EN10MB, f, 0, &p, &why), HH_DECODE_MALFORMED);
	assert_int_equal(hh_decode_packet(DLT_LINUX_SLL2, f, 10, &p, &why), HH_DECODE_MALFORMED);
	assert_int_equal(hh_decode_packet(9999, f, (uint32_t)n, &p, &why), HH_DECODE_MALFORMED);
	/* IPv6 extension header chain that runs past the packet. */
	uint8_t six[60] = { 0 };
	six[12] = 0x86;
	six[13] = 0xdd;
	six[14] = 0x60;
	six[19] = 8;
	six[20] = 0;   /* hop-by-hop */
	six[54] = 43;  /* routing */
	six[55] = 200; /* (200+1)*8 bytes */
	assert_int_equal(hh_decode_packet(DLT_EN10MB, six, sizeof(six), &p, &why), HH_DECODE_MALFORMED);
}


static void udp_dns(uint8_t *f, const uint8_t *answer_ip, size_t *n)
{
	/* Ethernet + IPv4 + UDP 53 -> 40001, response for pool.supportxmr.com A answer_ip. */
	static const char qname[] = "\x04pool\x0asupportxmr\x03" "com";
	uint8_t dns[128];
	size_t o = 0;
	memcpy(dns, "\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00", 12);
	o = 12;
	memcpy(dns + o, qname, sizeof(qname));
	o += sizeof(qname);
	memcpy(dns + o, "\x00\x01\x00\x01", 4);
	o += 4;
	memcpy(dns + o, "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04", 12);
	o += 12;
	memcpy(dns + o, answer_ip, 4);
	o += 4;
	memset(f, 0, 14);
	f[12] = 0x08;
	uint8_t *ip = f + 14;
	memset(ip, 0, 28);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((28 + o) >> 8);
	ip[3] = (uint8_t)(28 + o);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, "\x08\x08\x08\x08", 4);
	memcpy(ip + 16, CLI, 4);
	uint8_t *u = ip + 20;
	u[1] = 53;
	u[2] = 0x9c;
	u[3] = 0x41;
	u[4] = (uint8_t)((8 + o) >> 8);
	u[5] = (uint8_t)(8 + o);
	memcpy(u + 8, dns, o);
	*n = 14 + 28 + o;
}

static void engine_http_getwork_sv2_and_dns_names(void **state)
{
	(void)state;
	struct hh_intel *intel = hh_intel_new();
	hh_intel_load_builtin(intel, NULL);
	struct rig r;
	memset(&r, 0, sizeof(r));
	struct hh_netdetect_opts o;
	hh_netdetect_opts_load(&o, NULL);
	struct hh_engine_opts eo;
	hh_engine_opts_load(&eo, NULL);
	r.det = hh_netdetect_new(&o, intel, "pcap", sink, &r.s);
	r.eng = hh_engine_new(&eo, r.det, intel);
	uint8_t f[2048];
	const char *why;
	size_t n;
	/* getwork over HTTP, the header and body in separate segments. */
	const char *hdr = "POST / HTTP/1.1\r\nHost: 203.0.113.9:8332\r\nUser-Agent: cgminer/4.10.0\r\n"
			  "Content-Type: application/json\r\nContent-Length: 43\r\n\r\n";
	const char *body = "{\"method\": \"getwork\", \"params\": [], \"id\":0}";
	assert_int_equal(strlen(body), 43);
	n = ipv4_tcp(f, false, CLI, SRV, 40100, 8332, 1, HH_TCP_ACK | HH_TCP_PSH, hdr);
	hh_engine_packet(r.eng, DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, 1.0, &why);
	n = ipv4_tcp(f, false, CLI, SRV, 40100, 8332, 1 + (uint32_t)strlen(hdr), HH_TCP_ACK | HH_TCP_PSH, body);
	hh_engine_packet(r.eng, DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, 1.1, &why);
	/* Stratum V2 shape on its default port: 64-byte act, 234-byte reply. */
	char act[65], reply[235];
	memset(act, 0x5a, 64);
	act[64] = 0;
	memset(reply, 0x33, 234);
	reply[234] = 0;
	n = ipv4_tcp(f, false, CLI, SRV, 40200, 34254, 1, HH_TCP_ACK | HH_TCP_PSH, act);
	hh_engine_packet(r.eng, DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, 2.0, &why);
	n = ipv4_tcp(f, false, SRV, CLI, 34254, 40200, 1, HH_TCP_ACK | HH_TCP_PSH, reply);
	hh_engine_packet(r.eng, DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, 2.1, &why);
	/* DNS names a later flow: pool.supportxmr.com -> 192.0.2.77, then plain TLS-less bytes to it. */
	static const uint8_t pool_ip[4] = { 192, 0, 2, 77 };
	udp_dns(f, pool_ip, &n);
	assert_int_equal(hh_engine_packet(r.eng, DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, 3.0, &why), HH_DECODE_OK);
	n = ipv4_tcp(f, false, CLI, pool_ip, 40300, 443, 1, HH_TCP_ACK | HH_TCP_PSH, "\x17\x03\x03\x00\x05hello");
	hh_engine_packet(r.eng, DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, 3.1, &why);
	hh_engine_flush(r.eng);
	bool getwork = false, sv2 = false;
	int pool_domain = 0;
	for (int i = 0; i < r.s.n && i < 16; i++) {
		getwork |= strcmp(r.s.rules[i], "net.getwork") == 0 && strcmp(r.s.dialects[i], "getwork") == 0;
		sv2 |= strcmp(r.s.rules[i], "net.stratum.v2") == 0;
		pool_domain += strcmp(r.s.rules[i], "net.pool-domain") == 0;
	}
	assert_true(getwork);
	assert_true(sv2);
	/* The lookup itself, and the flow to the address it resolved to. */
	assert_int_equal(pool_domain, 2);
	assert_int_equal(r.s.n, 4);
	rig_free(&r);
	hh_intel_free(intel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reasm_orders),
		cmocka_unit_test(reasm_gaps_and_bounds),
		cmocka_unit_test(engine_split_reordered_line),
		cmocka_unit_test(engine_scoped_raw_flows),
		cmocka_unit_test(engine_ipv6_extension_headers),
		cmocka_unit_test(engine_bounds),
		cmocka_unit_test(decode_hostile),
		cmocka_unit_test(engine_http_getwork_sv2_and_dns_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
