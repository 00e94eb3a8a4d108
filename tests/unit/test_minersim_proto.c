/* tools/minersim: dialect messages (exact bytes for both JSON styles), job
 * decoding with hostile inputs, targets, hex, and the loopback-only address rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "msgs.h"
#include "netconn.h"

static void expect(char *got, const char *want)
{
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void cryptonote_messages(void **state)
{
	(void)state;
	expect(ms_msg_cn_login(MS_COMPACT, 1, "W", "x", "A"),
	       "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"W\",\"pass\":\"x\","
	       "\"agent\":\"A\",\"algo\":[\"rx/0\",\"cn/r\",\"cn/0\"]}}");
	expect(ms_msg_cn_login(MS_SPACED, 1, "W", "x", "A"),
	       "{\"method\": \"login\", \"params\": {\"login\": \"W\", \"pass\": \"x\", \"agent\": \"A\", "
	       "\"algo\": [\"rx/0\", \"cn/r\", \"cn/0\"]}, \"id\": 1}");
	expect(ms_msg_cn_submit(MS_COMPACT, 7, "s1", "j1", "0a000000", "ab"),
	       "{\"id\":7,\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{\"id\":\"s1\",\"job_id\":\"j1\","
	       "\"nonce\":\"0a000000\",\"result\":\"ab\",\"algo\":\"rx/0\"}}");
	expect(ms_msg_cn_keepalived(MS_SPACED, 9, "s1"),
	       "{\"method\": \"keepalived\", \"params\": {\"id\": \"s1\"}, \"id\": 9}");
	/* Quotes and control characters in user input stay inside the string. */
	expect(ms_msg_cn_keepalived(MS_COMPACT, 2, "a\"b\n"),
	       "{\"id\":2,\"jsonrpc\":\"2.0\",\"method\":\"keepalived\",\"params\":{\"id\":\"a\\\"b\\n\"}}");
}

static void stratum_messages(void **state)
{
	(void)state;
	expect(ms_msg_stratum_subscribe(MS_COMPACT, 1, "ag"),
	       "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"mining.subscribe\",\"params\":[\"ag\"]}");
	expect(ms_msg_stratum_authorize(MS_SPACED, 2, "u", "p"),
	       "{\"method\": \"mining.authorize\", \"params\": [\"u\", \"p\"], \"id\": 2}");
	expect(ms_msg_stratum_submit(MS_COMPACT, 100, "u", "j", "00000000", "5f5e1000", "0a000000"),
	       "{\"id\":100,\"jsonrpc\":\"2.0\",\"method\":\"mining.submit\",\"params\":[\"u\",\"j\",\"00000000\","
	       "\"5f5e1000\",\"0a000000\"]}");
}

static void ethproxy_messages(void **state)
{
	(void)state;
	expect(ms_msg_eth_login(MS_COMPACT, 1, "0xabc", "x"),
	       "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"eth_submitLogin\",\"params\":[\"0xabc\",\"x\"]}");
	expect(ms_msg_eth_getwork(MS_SPACED, 2), "{\"method\": \"eth_getWork\", \"params\": [], \"id\": 2}");
	expect(ms_msg_eth_submitwork(MS_COMPACT, 3, "0x01", "0x02", "0x03"),
	       "{\"id\":3,\"jsonrpc\":\"2.0\",\"method\":\"eth_submitWork\",\"params\":[\"0x01\",\"0x02\",\"0x03\"]}");
	expect(ms_msg_eth_hashrate(MS_COMPACT, 4, 255, "0x01"),
	       "{\"id\":4,\"jsonrpc\":\"2.0\",\"method\":\"eth_submitHashrate\",\"params\":[\"0xff\",\"0x01\"]}");
}

static void dialect_names(void **state)
{
	(void)state;
	for (int d = MS_STRATUM; d <= MS_ETHPROXY; d++)
		assert_int_equal(ms_dialect_parse(ms_dialect_name(d)), d);
	assert_int_equal(ms_dialect_parse("Stratum"), -1);
	assert_int_equal(ms_dialect_parse(""), -1);
}

static void targets(void **state)
{
	(void)state;
	uint64_t t;
	/* XMRig: "b88d0600" is difficulty 10000. */
	assert_int_equal(ms_target_from_cn_hex("b88d0600", &t), 0);
	assert_true(t == UINT64_MAX / 10000);
	char hex[9];
	ms_cn_hex_from_difficulty(10000, hex);
	assert_string_equal(hex, "b88d0600");
	assert_int_equal(ms_target_from_cn_hex("ffffffff", &t), 0);
	assert_true(t == UINT64_MAX);
	assert_int_equal(ms_target_from_cn_hex("0100000000000080", &t), 0);
	assert_true(t == 0x8000000000000001ULL);
	assert_int_equal(ms_target_from_cn_hex("00000000", &t), -1);
	assert_int_equal(ms_target_from_cn_hex("b88d06", &t), -1);
	assert_int_equal(ms_target_from_cn_hex("b88d060g", &t), -1);
	assert_int_equal(ms_target_from_cn_hex("", &t), -1);
	assert_true(ms_target_from_difficulty(0) == UINT64_MAX);
	assert_true(ms_target_from_difficulty(-5) == UINT64_MAX);
	assert_true(ms_target_from_difficulty(2) == UINT64_MAX / 2);
	assert_true(ms_target_from_difficulty(1.5) > UINT64_MAX / 2);
	assert_true(ms_target_from_difficulty(1.5) < UINT64_MAX / 3 * 2 + 2);
	assert_true(ms_target_from_difficulty(1e300) == 0);
	char bnd[67];
	ms_eth_boundary_from_difficulty(16, bnd);
	assert_int_equal(strlen(bnd), 66);
	assert_memory_equal(bnd, "0x0fffffffffffffff000", 21);
}

static void hex_helpers(void **state)
{
	(void)state;
	uint8_t b[4];
	assert_int_equal(ms_hex_decode("0xA0ff", b, sizeof(b)), 2);
	assert_int_equal(b[0], 0xa0);
	assert_int_equal(b[1], 0xff);
	assert_int_equal(ms_hex_decode("", b, sizeof(b)), 0);
	assert_int_equal(ms_hex_decode("abc", b, sizeof(b)), -1);
	assert_int_equal(ms_hex_decode("zz", b, sizeof(b)), -1);
	assert_int_equal(ms_hex_decode("0011223344", b, sizeof(b)), -1); /* 5 bytes into 4 */
	char s[9];
	ms_hex_encode(b, 2, s);
	assert_string_equal(s, "a0ff");
}

static json_t *parse(const char *s)
{
	json_t *j = json_loads(s, 0, NULL);
	assert_non_null(j);
	return j;
}

static void cn_jobs(void **state)
{
	(void)state;
	struct ms_job j;
	char err[128], blob[153];
	memset(blob, 'a', 152);
	blob[152] = '\0';
	char buf[400];
	snprintf(buf, sizeof(buf), "{\"blob\":\"%s\",\"job_id\":\"J1\",\"target\":\"b88d0600\"}", blob);
	json_t *job = parse(buf);
	assert_int_equal(ms_job_from_cn(job, &j, err, sizeof(err)), 0);
	assert_int_equal(j.blob_len, 76);
	assert_int_equal(j.nonce_off, 39);
	assert_string_equal(j.job_id, "J1");
	assert_true(j.target == UINT64_MAX / 10000);
	json_decref(job);

	const char *bad[] = {
		"[]",
		"{\"blob\":\"aabbccdd\",\"target\":\"b88d0600\"}",                  /* no job_id */
		"{\"blob\":\"aabbccd\",\"job_id\":\"J\",\"target\":\"b88d0600\"}",  /* odd hex */
		"{\"blob\":\"aabb\",\"job_id\":\"J\",\"target\":\"b88d0600\"}",     /* 2 bytes */
		"{\"blob\":\"aabbccdd\",\"job_id\":\"J\",\"target\":\"00000000\"}", /* zero target */
		"{\"blob\":\"aabbccdd\",\"job_id\":\"J\",\"target\":5}",
		"{\"blob\":\"aabbccdd\",\"job_id\":\"\",\"target\":\"b88d0600\"}",
		"{\"blob\":null,\"job_id\":\"J\",\"target\":\"b88d0600\"}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		job = parse(bad[i]);
		err[0] = '\0';
		assert_int_equal(ms_job_from_cn(job, &j, err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
		json_decref(job);
	}
	/* 129-byte blob and a 100-character job id. */
	char big[600], longid[101];
	memset(longid, 'x', 100);
	longid[100] = '\0';
	char hex[259];
	memset(hex, 'b', 258);
	hex[258] = '\0';
	snprintf(big, sizeof(big), "{\"blob\":\"%s\",\"job_id\":\"J\",\"target\":\"b88d0600\"}", hex);
	job = parse(big);
	assert_int_equal(ms_job_from_cn(job, &j, err, sizeof(err)), -1);
	json_decref(job);
	snprintf(big, sizeof(big), "{\"blob\":\"aabbccdd\",\"job_id\":\"%s\",\"target\":\"b88d0600\"}", longid);
	job = parse(big);
	assert_int_equal(ms_job_from_cn(job, &j, err, sizeof(err)), -1);
	json_decref(job);
	/* A short blob puts the nonce in its last 4 bytes. */
	job = parse("{\"blob\":\"aabbccddee\",\"job_id\":\"J\",\"target\":\"ffffffffffffffff\"}");
	assert_int_equal(ms_job_from_cn(job, &j, err, sizeof(err)), 0);
	assert_int_equal(j.nonce_off, 1);
	json_decref(job);
}

static void stratum_jobs(void **state)
{
	(void)state;
	struct ms_job j;
	char err[128];
	json_t *p = parse("[\"7\",\"00112233\",\"4455\",\"66\",[],\"20000000\",\"1a0ffff0\",\"5f5e1000\",true]");
	assert_int_equal(ms_job_from_stratum(p, "aabb", 4, &j, err, sizeof(err)), 0);
	assert_string_equal(j.job_id, "7");
	assert_string_equal(j.ntime, "5f5e1000");
	/* prevhash 4 + coinb1 2 + extranonce1 2 + coinb2 1, then the nonce */
	assert_int_equal(j.nonce_off, 9);
	assert_int_equal(j.blob_len, 13);
	const uint8_t want[9] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0xaa, 0xbb, 0x66 };
	assert_memory_equal(j.blob, want, 9);
	assert_true(j.target == UINT64_MAX / 4);
	json_decref(p);

	const char *bad[] = {
		"{}",
		"[\"7\",\"00\"]",
		"[\"7\",\"0g\",\"44\",\"66\",[],\"2\",\"1\",\"5f5e1000\",true]",
		"[\"7\",1,\"44\",\"66\",[],\"2\",\"1\",\"5f5e1000\",true]",
		"[\"7\",\"00\",\"44\",\"66\",[],\"2\",\"1\",null,true]",
		"[\"\",\"00\",\"44\",\"66\",[],\"2\",\"1\",\"5f5e1000\",true]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = parse(bad[i]);
		assert_int_equal(ms_job_from_stratum(p, "", 1, &j, err, sizeof(err)), -1);
		json_decref(p);
	}
	/* Parts that together overflow the blob. */
	char big[700], h[201];
	memset(h, 'c', 200);
	h[200] = '\0';
	snprintf(big, sizeof(big), "[\"7\",\"%s\",\"%s\",\"00\",[],\"2\",\"1\",\"5f5e1000\",true]", h, h);
	p = parse(big);
	assert_int_equal(ms_job_from_stratum(p, "", 1, &j, err, sizeof(err)), -1);
	json_decref(p);
}

static void eth_jobs(void **state)
{
	(void)state;
	struct ms_job j;
	char err[128];
	json_t *w = parse("[\"0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20\","
			  "\"0x00\",\"0x1000000000000000000000000000000000000000000000000000000000000000\"]");
	assert_int_equal(ms_job_from_eth(w, &j, err, sizeof(err)), 0);
	assert_string_equal(j.job_id, "0102030405060708");
	assert_int_equal(j.blob_len, 40);
	assert_int_equal(j.nonce_off, 32);
	assert_true(j.target == 0x1000000000000000ULL);
	json_decref(w);
	const char *bad[] = {
		"[\"0x01\",\"0x00\",\"0x10\"]",
		"[\"0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20\",\"0x00\",\"0x10\"]",
		"[1,2,3]",
		"[\"0x00\"]",
		"{}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		w = parse(bad[i]);
		assert_int_equal(ms_job_from_eth(w, &j, err, sizeof(err)), -1);
		json_decref(w);
	}
}

static void loopback_only(void **state)
{
	(void)state;
	struct sockaddr_storage ss;
	socklen_t sl;
	char err[160];
	assert_int_equal(ms_parse_loopback("127.0.0.1:3333", &ss, &sl, err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 3333);
	assert_int_equal(ms_parse_loopback("127.1.2.3:1", &ss, &sl, err, sizeof(err)), 0);
	assert_int_equal(ms_parse_loopback("localhost:14444", &ss, &sl, err, sizeof(err)), 0);
	assert_int_equal(ms_parse_loopback("[::1]:443", &ss, &sl, err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(ms_parse_loopback("127.0.0.1:0", &ss, &sl, err, sizeof(err)), 0);
	const char *bad[] = {
		"10.0.0.1:3333", "8.8.8.8:53", "0.0.0.0:3333", "[2001:db8::1]:1", "[::]:1",
		"pool.supportxmr.com:443", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
		"127.0.0.1:80x", "[::1]443", ":80", "", "[::1:80",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(ms_parse_loopback(bad[i], &ss, &sl, err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
	}
	/* The refusal says why. */
	ms_parse_loopback("8.8.8.8:53", &ss, &sl, err, sizeof(err));
	assert_non_null(strstr(err, "loopback"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cryptonote_messages), cmocka_unit_test(stratum_messages),
		cmocka_unit_test(ethproxy_messages),   cmocka_unit_test(dialect_names),
		cmocka_unit_test(targets),	       cmocka_unit_test(hex_helpers),
		cmocka_unit_test(cn_jobs),	       cmocka_unit_test(stratum_jobs),
		cmocka_unit_test(eth_jobs),	       cmocka_unit_test(loopback_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
