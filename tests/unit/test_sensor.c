/* Sensor user space: DNS query-name parser on valid and hostile messages,
 * the ring-buffer record decoder on good, short and malformed records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sources/sensor/dns_name.h"
#include "sources/sensor/sensor_decode.h"
#include "sources/sensor/sensor_events.h"

static size_t query(uint8_t *buf, const uint8_t *name, size_t nlen, uint16_t qtype)
{
	static const uint8_t hdr[12] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
	memcpy(buf, hdr, 12);
	memcpy(buf + 12, name, nlen);
	buf[12 + nlen] = (uint8_t)(qtype >> 8);
	buf[13 + nlen] = (uint8_t)qtype;
	buf[14 + nlen] = 0;
	buf[15 + nlen] = 1;
	return 16 + nlen;
}

static void dns_valid(void **state)
{
	(void)state;
	uint8_t m[600] = { 0 };
	char out[256];
	uint16_t qt = 0;
	static const uint8_t n1[] = "\x03xmr\x04pool\x09minergate\x03" "com";
	size_t len = query(m, n1, sizeof(n1), 28);
	assert_int_equal(hh_dns_query_name(m, len, out, sizeof(out), &qt), HH_DNS_OK);
	assert_string_equal(out, "xmr.pool.minergate.com");
	assert_int_equal(qt, 28);
	/* root name */
	len = query(m, (const uint8_t *)"", 1, 2);
	assert_int_equal(hh_dns_query_name(m, len, out, sizeof(out), &qt), HH_DNS_OK);
	assert_string_equal(out, ".");
	/* dots, quotes, control bytes inside a label are escaped, not passed through */
	static const uint8_t n2[] = "\x05" "a.b\"\n";
	len = query(m, n2, sizeof(n2), 1);
	assert_int_equal(hh_dns_query_name(m, len, out, sizeof(out), NULL), HH_DNS_OK);
	assert_string_equal(out, "a\\046b\\034\\010");
	/* a question that is only a pointer to itself */
	uint8_t q[64] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1 };
	assert_int_equal(hh_dns_query_name(q, 18, out, sizeof(out), NULL), HH_DNS_LOOP); /* points at itself */
}

static void dns_hostile(void **state)
{
	(void)state;
	uint8_t m[600] = { 0 };
	char out[256];
	/* short header */
	assert_int_equal(hh_dns_query_name(m, 5, out, sizeof(out), NULL), HH_DNS_SHORT);
	assert_string_equal(out, "");
	/* a response, not a query */
	size_t len = query(m, (const uint8_t *)"\x01" "a", 3, 1);
	m[2] = 0x81;
	assert_int_equal(hh_dns_query_name(m, len, out, sizeof(out), NULL), HH_DNS_NOT_QUERY);
	/* no question */
	len = query(m, (const uint8_t *)"\x01" "a", 3, 1);
	m[5] = 0;
	assert_int_equal(hh_dns_query_name(m, len, out, sizeof(out), NULL), HH_DNS_NOT_QUERY);
	/* label length past the end */
	len = query(m, (const uint8_t *)"\x3f" "abc", 4, 1);
	assert_int_equal(hh_dns_query_name(m, 16, out, sizeof(out), NULL), HH_DNS_SHORT);
	/* reserved label type */
	len = query(m, (const uint8_t *)"\x41" "a", 3, 1);
	assert_int_equal(hh_dns_query_name(m, len, out, sizeof(out), NULL), HH_DNS_BAD_LABEL);
	/* forward pointer */
	len = query(m, (const uint8_t *)"\xc0\x20", 2, 1);
	assert_int_equal(hh_dns_query_name(m, len, out, sizeof(out), NULL), HH_DNS_LOOP);
	/* pointer loop: 12 -> label then pointer back to 12 */
	uint8_t l[32] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0xc0, 0x0c, 0, 1, 0, 1 };
	assert_int_equal(hh_dns_query_name(l, 20, out, sizeof(out), NULL), HH_DNS_LOOP);
	/* name longer than 255 bytes */
	uint8_t big[400] = { 0x12, 0x34, 0x01, 0x00, 0, 1 };
	size_t o = 12;
	for (int i = 0; i < 5; i++) {
		big[o++] = 63;
		memset(big + o, 'a', 63);
		o += 63;
	}
	big[o++] = 0;
	o += 4;
	assert_int_equal(hh_dns_query_name(big, o, out, sizeof(out), NULL), HH_DNS_TOO_LONG);
	/* escaping that would overflow a small output buffer */
	char small[8];
	len = query(m, (const uint8_t *)"\x03\x01\x02\x03", 5, 1);
	assert_int_equal(hh_dns_query_name(m, len, small, sizeof(small), NULL), HH_DNS_TOO_LONG);
	assert_string_equal(small, "");
	/* the qtype is missing */
	len = query(m, (const uint8_t *)"\x01" "a", 3, 1);
	assert_int_equal(hh_dns_query_name(m, len - 3, out, sizeof(out), NULL), HH_DNS_SHORT);
}

static void decode_records(void **state)
{
	(void)state;
	struct hh_event ev;
	char err[160];
	struct hh_k_exec *e = calloc(1, sizeof(*e));
	e->h.type = HH_K_EXEC;
	e->h.pid = 42;
	e->h.cgroup_id = 777;
	e->h.flags = HH_KF_EXE_UPPER;
	memset(e->h.comm, 'x', sizeof(e->h.comm)); /* no NUL: must still be bounded */
	strcpy(e->filename, "/tmp/xmrig");
	memcpy(e->args, "xmrig\0-o\0pool:3333\0", 19);
	e->args_len = 19;
	assert_int_equal(hh_sensor_decode(e, sizeof(*e), &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.type, HH_EV_EXEC);
	assert_int_equal(ev.pid, 42);
	assert_int_equal(ev.cgroup_id, 777);
	assert_true(ev.exe_upper_layer);
	assert_false(ev.exe_memfd);
	assert_int_equal(strlen(ev.comm), 15);
	assert_string_equal(ev.exepath, "/tmp/xmrig");
	assert_string_equal(ev.cmdline, "xmrig -o pool:3333");
	/* args_len larger than the array is clamped */
	e->args_len = 0xffffffff;
	memset(e->args, 'a', sizeof(e->args));
	assert_int_equal(hh_sensor_decode(e, sizeof(*e), &ev, err, sizeof(err)), 0);
	assert_int_equal(strlen(ev.cmdline), sizeof(e->args));
	/* truncated record */
	assert_int_equal(hh_sensor_decode(e, sizeof(*e) - 1, &ev, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exec record"));
	assert_int_equal(hh_sensor_decode(e, 3, &ev, err, sizeof(err)), -1);
	free(e);

	struct hh_k_connect c = { 0 };
	c.h.type = HH_K_CONNECT;
	c.family = 10;
	c.port = 3333;
	c.addr[15] = 1;
	assert_int_equal(hh_sensor_decode(&c, sizeof(c), &ev, err, sizeof(err)), 0);
	assert_string_equal(ev.sip, "::1");
	assert_int_equal(ev.sport, 3333);
	assert_int_equal(ev.family, 6);
	c.family = 99;
	assert_int_equal(hh_sensor_decode(&c, sizeof(c), &ev, err, sizeof(err)), -1);

	struct hh_k_dns d = { 0 };
	d.h.type = HH_K_DNS;
	d.family = 2;
	d.len = 100000; /* lies: clamped to the payload array */
	assert_int_equal(hh_sensor_decode(&d, sizeof(d), &ev, err, sizeof(err)), -1); /* zero payload: no question */

	struct hh_k_sys s = { 0 };
	s.h.type = HH_K_OPEN;
	s.h.flags = HH_KF_UNIX;
	memset(s.str, 'p', sizeof(s.str));
	assert_int_equal(hh_sensor_decode(&s, sizeof(s), &ev, err, sizeof(err)), 0);
	assert_int_equal(ev.type, HH_EV_OPEN);
	assert_int_equal(ev.open_flags, -1);
	assert_int_equal(strlen(ev.path), sizeof(s.str));
	s.h.type = 9999;
	assert_int_equal(hh_sensor_decode(&s, sizeof(s), &ev, err, sizeof(err)), -1);
	s.h.type = 0;
	assert_int_equal(hh_sensor_decode(&s, sizeof(s), &ev, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dns_valid),
		cmocka_unit_test(dns_hostile),
		cmocka_unit_test(decode_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
