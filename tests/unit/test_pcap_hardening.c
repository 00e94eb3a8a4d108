/* Packet engine hardening (issue 17): checksum classification (good, bad,
 * offload-partial, not verifiable) and the bounded IP fragment reassembly
 * (order, IPv6, overlap, cut, timeout, caps). Frames are built here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <netinet/in.h>

#include "sources/pcap/decode.h"
#include "sources/pcap/ipfrag.h"

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t a)
{
	while (a >> 16)
		a = (a & 0xffff) + (a >> 16);
	return (uint16_t)a;
}

/* IPv4 + TCP with payload; csum: 0 correct, 1 wrong, 2 offload (pseudo-header only). */
static size_t v4_tcp(uint8_t *ip, const char *payload, int csum)
{
	size_t pl = strlen(payload), tl = 20 + pl;
	memset(ip, 0, 40);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + tl) >> 8);
	ip[3] = (uint8_t)(20 + tl);
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, "\x0a\x00\x00\x02\x0a\x00\x00\x09", 8);
	uint16_t hc = (uint16_t)~fold(sum16(ip, 20, 0));
	ip[10] = (uint8_t)(hc >> 8);
	ip[11] = (uint8_t)hc;
	uint8_t *t = ip + 20;
	t[0] = 0x9c; t[1] = 0x40; t[2] = 0x0d; t[3] = 0x05;
	t[12] = 0x50;
	t[13] = 0x18;
	memcpy(t + 20, payload, pl);
	uint32_t ps = sum16(ip + 12, 8, 0) + 6 + (uint32_t)tl;
	uint16_t c = csum == 2 ? fold(ps) : (uint16_t)~fold(sum16(t, tl, ps));
	if (csum == 1)
		c ^= 0x1234;
	t[16] = (uint8_t)(c >> 8);
	t[17] = (uint8_t)c;
	return 20 + tl;
}

static void checksums(void **state)
{
	(void)state;
	uint8_t ip[256];
	struct hh_pkt p;
	const char *why;
	size_t n = v4_tcp(ip, "{\"method\":\"login\"}\n", 0);
	memset(&p, 0, sizeof(p));
	assert_int_equal(hh_decode_ip(ip, (uint32_t)n, &p, &why), HH_DECODE_OK);
	assert_int_equal(p.l4_csum, HH_CSUM_GOOD);
	assert_false(p.ip_csum_bad);
	n = v4_tcp(ip, "junkjunkjunk", 1);
	memset(&p, 0, sizeof(p));
	assert_int_equal(hh_decode_ip(ip, (uint32_t)n, &p, &why), HH_DECODE_OK);
	assert_int_equal(p.l4_csum, HH_CSUM_BAD);
	n = v4_tcp(ip, "offloaded", 2);
	memset(&p, 0, sizeof(p));
	assert_int_equal(hh_decode_ip(ip, (uint32_t)n, &p, &why), HH_DECODE_OK);
	assert_int_equal(p.l4_csum, HH_CSUM_PARTIAL);
	/* cut by the snapshot length: not verifiable */
	n = v4_tcp(ip, "a longer payload cut short", 1);
	memset(&p, 0, sizeof(p));
	assert_int_equal(hh_decode_ip(ip, (uint32_t)n - 5, &p, &why), HH_DECODE_OK);
	assert_int_equal(p.l4_csum, HH_CSUM_UNCHECKED);
	/* a wrong IPv4 header checksum */
	n = v4_tcp(ip, "x", 0);
	ip[10] ^= 0x40;
	memset(&p, 0, sizeof(p));
	assert_int_equal(hh_decode_ip(ip, (uint32_t)n, &p, &why), HH_DECODE_OK);
	assert_true(p.ip_csum_bad);
}

/* A fragment description as the decoder makes it. */
static struct hh_pkt frag(double ts, uint16_t id, uint32_t off, bool more, const uint8_t *data, uint32_t len)
{
	struct hh_pkt p;
	memset(&p, 0, sizeof(p));
	p.ts = ts;
	p.family = 4;
	p.proto = IPPROTO_UDP;
	memcpy(p.src, "\x0a\x00\x00\x02", 4);
	memcpy(p.dst, "\x0a\x00\x00\x09", 4);
	p.fragment = true;
	p.frag_id = id;
	p.frag_off = off;
	p.frag_more = more;
	p.frag_data = data;
	p.frag_len = p.frag_wire_len = len;
	return p;
}

static void fragments(void **state)
{
	(void)state;
	struct hh_ipfrag_limits lim = { 4, 4 * 65535, 30 };
	struct hh_ipfrag *f = hh_ipfrag_new(&lim);
	assert_non_null(f);
	uint8_t d[64];
	for (int i = 0; i < 64; i++)
		d[i] = (uint8_t)('A' + i % 26);
	struct hh_pkt out, p;
	uint32_t len = 0;
	/* out of order: last, first, middle */
	p = frag(1, 7, 32, false, d + 32, 20);
	assert_null(hh_ipfrag_add(f, &p, &out, &len));
	p = frag(1, 7, 0, true, d, 16);
	assert_null(hh_ipfrag_add(f, &p, &out, &len));
	p = frag(1, 7, 16, true, d + 16, 16);
	const uint8_t *whole = hh_ipfrag_add(f, &p, &out, &len);
	assert_non_null(whole);
	assert_int_equal(len, 52);
	assert_memory_equal(whole, d, 52);
	assert_false(out.fragment);
	/* a duplicate piece is fine; a conflicting one drops the datagram */
	p = frag(2, 8, 0, true, d, 16);
	hh_ipfrag_add(f, &p, &out, &len);
	hh_ipfrag_add(f, &p, &out, &len);
	uint8_t other[16] = { 0 };
	p = frag(2, 8, 0, true, other, 16);
	assert_null(hh_ipfrag_add(f, &p, &out, &len));
	struct hh_ipfrag_stats st;
	hh_ipfrag_get_stats(f, &st);
	assert_int_equal(st.dropped_overlap, 1);
	/* cut by the snapshot length */
	p = frag(2, 9, 0, true, d, 16);
	p.frag_len = 10;
	assert_null(hh_ipfrag_add(f, &p, &out, &len));
	hh_ipfrag_get_stats(f, &st);
	assert_int_equal(st.dropped_cut, 1);
	/* cap: 4 pending datagrams, the oldest goes */
	for (uint16_t id = 100; id < 106; id++) {
		p = frag(3, id, 0, true, d, 16);
		assert_null(hh_ipfrag_add(f, &p, &out, &len));
	}
	hh_ipfrag_get_stats(f, &st);
	assert_int_equal(st.dropped_evicted, 2);
	/* timeout: 30 s after the first piece */
	p = frag(100, 200, 0, true, d, 16);
	hh_ipfrag_add(f, &p, &out, &len);
	hh_ipfrag_get_stats(f, &st);
	assert_int_equal(st.dropped_timeout, 4);
	/* past 64 KiB */
	p = frag(100, 201, 65528, false, d, 16);
	assert_null(hh_ipfrag_add(f, &p, &out, &len));
	hh_ipfrag_get_stats(f, &st);
	assert_int_equal(st.dropped_bad, 1);
	hh_ipfrag_flush(f);
	hh_ipfrag_get_stats(f, &st);
	assert_int_equal(st.dropped_incomplete, 1);
	assert_int_equal(hh_ipfrag_dropped(&st), 10); /* overlap, cut, 2 evicted, 4 timed out, bad, incomplete */
	hh_ipfrag_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(checksums),
		cmocka_unit_test(fragments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
