/* Network parsers: mining JSON-RPC, TLS ClientHello (JA3/JA4), DNS, P2P,
 * flow features. Real inputs (an OpenSSL-made ClientHello) and hostile ones
 * (every truncation, garbage, huge lengths, compression loops). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/ssl.h>
#include <pcap/pcap.h>

#include "core/log.h"
#include "detectors/network/dns.h"
#include "detectors/network/flowfeat.h"
#include "detectors/network/netdetect.h"
#include "detectors/network/p2p.h"
#include "detectors/network/stratum.h"
#include "detectors/network/tls.h"
#include "sources/pcap/decode.h"

static enum hh_parse_rc parse(const char *s, struct hh_mining_msg *m) { return hh_mining_parse(s, strlen(s), m); }

static void stratum_dialects(void **state)
{
	(void)state;
	struct hh_mining_msg m;
	/* Stratum v1, compact and spaced, members in any order, no jsonrpc. */
	assert_int_equal(parse("{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cgminer/4.10\"]}\n", &m), HH_PARSE_MINING);
	assert_int_equal(m.dialect, HH_DIALECT_STRATUM_V1);
	assert_int_equal(m.role, HH_ROLE_HELLO);
	assert_string_equal(m.agent, "cgminer/4.10");
	assert_int_equal(parse("  { \"params\" : [ \"wallet.rig1\" , \"x\" ] ,\r\n \"method\" : \"mining.authorize\", \"id\" : 2 }  \r\n", &m),
			 HH_PARSE_MINING);
	assert_string_equal(m.login, "wallet.rig1");
	assert_int_equal(m.role, HH_ROLE_AUTH);
	assert_int_equal(parse("{\"params\":[\"1\",\"a\",\"b\",[],\"2\",\"3\",\"4\",true],\"method\":\"mining.notify\",\"id\":null}", &m),
			 HH_PARSE_MINING);
	assert_int_equal(m.role, HH_ROLE_WORK);
	/* Subscribe result shape. */
	assert_int_equal(parse("{\"id\":1,\"result\":[[[\"mining.set_difficulty\",\"1\"],[\"mining.notify\",\"1\"]],\"08000002\",4],\"error\":null}", &m),
			 HH_PARSE_MINING);
	assert_int_equal(m.role, HH_ROLE_RESULT);
	/* EthereumStratum/1.0.0 and 2.0.0. */
	assert_int_equal(parse("{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"ethminer/0.19\",\"EthereumStratum/1.0.0\"]}", &m),
			 HH_PARSE_MINING);
	assert_int_equal(m.dialect, HH_DIALECT_ETHSTRATUM1);
	assert_int_equal(parse("{\"id\":0,\"method\":\"mining.hello\",\"params\":{\"agent\":\"lolMiner\",\"host\":\"p\",\"port\":\"4444\",\"proto\":\"EthereumStratum/2.0.0\"}}", &m),
			 HH_PARSE_MINING);
	assert_int_equal(m.dialect, HH_DIALECT_ETHSTRATUM2);
	assert_string_equal(m.agent, "lolMiner");
	/* CryptoNote (XMRig, xmr-stak), without jsonrpc or agent. */
	assert_int_equal(parse("{\"method\":\"login\",\"params\":{\"login\":\"4Abc\",\"pass\":\"x\",\"algo\":[\"rx/0\"]},\"id\":1}", &m),
			 HH_PARSE_MINING);
	assert_int_equal(m.dialect, HH_DIALECT_CRYPTONOTE);
	assert_string_equal(m.algo, "rx/0");
	assert_int_equal(m.agent[0], 0);
	assert_int_equal(parse("{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":{\"blob\":\"0707\",\"job_id\":\"1\",\"target\":\"ffff\"}}", &m),
			 HH_PARSE_MINING);
	assert_int_equal(m.role, HH_ROLE_WORK);
	assert_int_equal(parse("{\"id\":1,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"id\":\"a\",\"job\":{\"blob\":\"07\",\"job_id\":\"9\",\"target\":\"ff\"},\"status\":\"OK\"}}", &m),
			 HH_PARSE_MINING);
	assert_int_equal(parse("{\"method\":\"submit\",\"params\":{\"id\":\"a\",\"job_id\":\"9\",\"nonce\":\"00\",\"result\":\"ab\"},\"id\":2}", &m),
			 HH_PARSE_MINING);
	assert_int_equal(m.role, HH_ROLE_SUBMIT);
	assert_int_equal(parse("{\"method\":\"keepalived\",\"params\":{\"id\":\"a\"},\"id\":3}", &m), HH_PARSE_MINING);
	/* EthProxy. */
	assert_int_equal(parse("{\"worker\": \"eth1.0\", \"jsonrpc\": \"2.0\", \"params\": [\"0xabc.rig\", \"x\"], \"id\": 2, \"method\": \"eth_submitLogin\"}", &m),
			 HH_PARSE_MINING);
	assert_int_equal(m.dialect, HH_DIALECT_ETHPROXY);
	assert_string_equal(m.login, "0xabc.rig");
	assert_int_equal(parse("{\"id\":3,\"result\":[\"0x22b597d7bf24ef9a605a5d4fb6f7e155b7d0ce28ba6a9aa9eda6b74b34685d71\","
			       "\"0x88615dc9f6fe84975a471ca044adecdfde8c8fcdde97d2a3416254d590c52d0c\","
			       "\"0x0112e0be826d694b2e62d01511f12a6061fbaec8bc02357593e70e52ba\"]}", &m),
			 HH_PARSE_MINING);
	assert_int_equal(m.role, HH_ROLE_WORK);
	/* getwork over HTTP bodies. */
	assert_int_equal(parse("{\"method\": \"getwork\", \"params\": [], \"id\": 0}", &m), HH_PARSE_MINING);
	assert_int_equal(m.dialect, HH_DIALECT_GETWORK);
}

static void stratum_not_mining(void **state)
{
	(void)state;
	struct hh_mining_msg m;
	/* Generic JSON-RPC methods with the same names but other shapes. */
	assert_int_equal(parse("{\"method\":\"login\",\"params\":[\"user\",\"password\"],\"id\":1}", &m), HH_PARSE_JSON);
	assert_int_equal(parse("{\"method\":\"submit\",\"params\":{\"form\":\"a\"}}", &m), HH_PARSE_JSON);
	assert_int_equal(parse("{\"method\":\"job\",\"params\":{\"name\":\"build\"}}", &m), HH_PARSE_JSON);
	assert_int_equal(parse("{\"jsonrpc\":\"2.0\",\"method\":\"eth_getBlockByNumber\",\"params\":[\"latest\",false],\"id\":1}", &m),
			 HH_PARSE_JSON);
	assert_int_equal(parse("{\"result\":[\"a\",\"b\",\"c\"]}", &m), HH_PARSE_JSON);
	/* Hostile: not JSON, truncated, empty, deep nesting, NUL bytes. */
	assert_int_equal(parse("", &m), HH_PARSE_NOT_JSON);
	assert_int_equal(parse("\r\n", &m), HH_PARSE_NOT_JSON);
	assert_int_equal(parse("EHLO mail.example\r\n", &m), HH_PARSE_NOT_JSON);
	assert_int_equal(parse("{\"method\":\"mining.subscribe\",\"params\":[", &m), HH_PARSE_NOT_JSON);
	char deep[20001];
	memset(deep, '[', 20000);
	deep[20000] = 0;
	assert_int_equal(parse(deep, &m), HH_PARSE_NOT_JSON);
	const char nul[] = "{\"method\":\"mining.\0subscribe\"}";
	assert_true(hh_mining_parse(nul, sizeof(nul) - 1, &m) != HH_PARSE_MINING);
	/* Wrong types where strings are expected. */
	assert_int_equal(parse("{\"method\":\"mining.authorize\",\"params\":[42, {}]}", &m), HH_PARSE_MINING);
	assert_int_equal(m.login[0], 0);
	assert_int_equal(parse("{\"method\":17}", &m), HH_PARSE_JSON);
}

static void login_masking(void **state)
{
	(void)state;
	char out[128];
	hh_mask_login("4BCeEPhodgPMbPWFN1dPwhWXdRX8q4mhhdZdA1dtSMLTLCEYvAj9QXjXAfF7CugEbmfBhgkqHbdgK9b2wKA6nqRZQCgvCDm.rig1",
		      out, sizeof(out), 6);
	assert_string_equal(out, "4BCeEP...CgvCDm.rig1");
	hh_mask_login("short", out, sizeof(out), 6);
	assert_string_equal(out, "sh...");
	hh_mask_login("", out, sizeof(out), 6);
	assert_string_equal(out, "");
	hh_mask_login("x", out, 1, 6);
	assert_string_equal(out, "");
}

/* A real ClientHello from OpenSSL through memory BIOs. */
static size_t make_client_hello(uint8_t *buf, size_t cap, const char *sni, bool alpn)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = SSL_new(ctx);
	BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
	SSL_set_bio(ssl, rb, wb);
	if (sni)
		SSL_set_tlsext_host_name(ssl, sni);
	if (alpn) {
		static const unsigned char protos[] = "\x02h2\x08http/1.1";
		SSL_set_alpn_protos(ssl, protos, sizeof(protos) - 1);
	}
	SSL_set_connect_state(ssl);
	SSL_do_handshake(ssl);
	int n = BIO_read(wb, buf, (int)cap);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return n > 0 ? (size_t)n : 0;
}

static void tls_client_hello(void **state)
{
	(void)state;
	uint8_t hello[4096];
	size_t n = make_client_hello(hello, sizeof(hello), "pool.Example.org", true);
	assert_true(n > 100);
	struct hh_tls_hello h;
	assert_int_equal(hh_tls_parse_client_hello(hello, n, &h), HH_TLS_OK);
	assert_true(h.has_sni);
	assert_string_equal(h.sni, "pool.Example.org");
	assert_string_equal(h.alpn, "h2,http/1.1");
	assert_int_equal(strlen(h.ja3), 32);
	assert_int_equal(strncmp(h.ja3_full, "771,", 4), 0);
	/* JA4: TCP, TLS 1.3, SNI present, ALPN h2. */
	assert_int_equal(strncmp(h.ja4, "t13d", 4), 0);
	assert_int_equal(h.ja4[8], 'h');
	assert_int_equal(h.ja4[9], '2');
	assert_int_equal(strlen(h.ja4), 36);
	char ja4_with_sni[40];
	strcpy(ja4_with_sni, h.ja4);

	/* No SNI, no ALPN: the miner default. */
	n = make_client_hello(hello, sizeof(hello), NULL, false);
	assert_int_equal(hh_tls_parse_client_hello(hello, n, &h), HH_TLS_OK);
	assert_false(h.has_sni);
	assert_string_equal(h.alpn, "");
	assert_int_equal(h.ja4[3], 'i');
	assert_int_equal(strncmp(h.ja4 + 8, "00_", 3), 0);
	/* Same cipher list: the same JA4 b part. */
	assert_memory_equal(h.ja4 + 11, ja4_with_sni + 11, 12);

	/* Every truncation asks for more or is refused; none crashes. */
	for (size_t cut = 0; cut < n; cut++) {
		enum hh_tls_rc rc = hh_tls_parse_client_hello(hello, cut, &h);
		assert_true(rc == HH_TLS_NEED_MORE || rc == HH_TLS_NOT_TLS || rc == HH_TLS_MALFORMED);
	}
	/* Split into two records, as some clients send it. */
	uint8_t two[4200];
	size_t body = n - 5, half = body / 2;
	memcpy(two, hello, 5);
	two[3] = (uint8_t)(half >> 8);
	two[4] = (uint8_t)half;
	memcpy(two + 5, hello + 5, half);
	two[5 + half] = 0x16;
	two[6 + half] = 0x03;
	two[7 + half] = 0x01;
	two[8 + half] = (uint8_t)((body - half) >> 8);
	two[9 + half] = (uint8_t)(body - half);
	memcpy(two + 10 + half, hello + 5 + half, body - half);
	assert_int_equal(hh_tls_parse_client_hello(two, n + 5, &h), HH_TLS_OK);
	assert_false(h.has_sni);

	/* Lying lengths: an extension longer than its list, a huge record. */
	uint8_t bad[4096];
	memcpy(bad, hello, n);
	bad[3] = 0xff;
	bad[4] = 0xff;
	assert_int_equal(hh_tls_parse_client_hello(bad, n, &h), HH_TLS_MALFORMED);
	memcpy(bad, hello, n);
	bad[6] = 0x7f; /* handshake length far beyond the record */
	enum hh_tls_rc rc = hh_tls_parse_client_hello(bad, n, &h);
	assert_true(rc == HH_TLS_NEED_MORE || rc == HH_TLS_MALFORMED);
	/* Garbage that starts like TLS. */
	uint8_t garbage[64] = { 0x16, 0x03, 0x01, 0x00, 0x3b, 0x01, 0x00, 0x00, 0x37 };
	for (size_t i = 9; i < sizeof(garbage); i++)
		garbage[i] = (uint8_t)(i * 37);
	rc = hh_tls_parse_client_hello(garbage, sizeof(garbage), &h);
	assert_true(rc == HH_TLS_MALFORMED || rc == HH_TLS_OK);
	assert_int_equal(hh_tls_parse_client_hello((const uint8_t *)"GET / HTTP/1.1\r\n", 16, &h), HH_TLS_NOT_TLS);
}

/* DNS response for pool.example.com: CNAME to edge.example.net, A 198.51.100.7 (compressed names). */
static size_t make_dns(uint8_t *b)
{
	static const uint8_t msg[] = {
		0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
		4, 'p', 'o', 'o', 'l', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0x00, 0x01, 0x00, 0x01,
		0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x0b,
		4, 'e', 'd', 'g', 'e', 3, 'n', 'e', 't', 0xc0, 0x11, /* -> "example.com" */
		0xc0, 0x2e, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04, 198, 51, 100, 7,
	};
	memcpy(b, msg, sizeof(msg));
	return sizeof(msg);
}

static void dns_messages(void **state)
{
	(void)state;
	uint8_t b[512];
	size_t n = make_dns(b);
	struct hh_dns_msg m;
	const char *why;
	assert_int_equal(hh_dns_parse(b, n, &m, &why), 0);
	assert_true(m.response);
	assert_string_equal(m.qname, "pool.example.com");
	assert_int_equal(m.n_answers, 2);
	assert_string_equal(m.answers[0].cname, "edge.net.example.com");
	assert_string_equal(m.answers[1].name, "edge.net.example.com");
	assert_int_equal(m.answers[1].addr[0], 198);

	struct hh_dns_cache *c = hh_dns_cache_new(16);
	hh_dns_cache_add(c, &m, 0);
	uint8_t ip[4] = { 198, 51, 100, 7 };
	assert_string_equal(hh_dns_cache_lookup(c, 4, ip), "pool.example.com");
	/* The cache stays bounded: many answers, oldest evicted. */
	for (int i = 0; i < 200; i++) {
		m.answers[1].addr[3] = (uint8_t)i;
		m.answers[1].addr[2] = (uint8_t)(i >> 8);
		hh_dns_cache_add(c, &m, 0);
		assert_true(hh_dns_cache_size(c) <= 16);
	}
	uint8_t last[4] = { 198, 51, 0, 199 };
	assert_non_null(hh_dns_cache_lookup(c, 4, last));
	hh_dns_cache_free(c);

	/* Every truncation: an error or a partial parse, never a crash. */
	for (size_t cut = 0; cut < n; cut++)
		(void)hh_dns_parse(b, cut, &m, &why);
	/* A compression pointer to itself, and one pointing forward. */
	uint8_t loop[] = { 0, 1, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1 };
	assert_int_equal(hh_dns_parse(loop, sizeof(loop), &m, &why), -1);
	uint8_t fwd[] = { 0, 1, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x20, 0, 1, 0, 1 };
	assert_int_equal(hh_dns_parse(fwd, sizeof(fwd), &m, &why), -1);
	/* Counts that promise far more than the message holds. */
	uint8_t huge[12] = { 0, 1, 0x81, 0x80, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 };
	assert_int_equal(hh_dns_parse(huge, sizeof(huge), &m, &why), -1);
	/* A name of 64-byte labels beyond 255 bytes. */
	uint8_t longname[12 + 5 * 64 + 5] = { 0, 1, 0x01, 0, 0, 1 };
	size_t o = 12;
	for (int l = 0; l < 5; l++) {
		longname[o++] = 63;
		memset(longname + o, 'a', 63);
		o += 63;
	}
	longname[o++] = 0;
	assert_int_equal(hh_dns_parse(longname, o, &m, &why), -1);
}

static void p2p_shapes(void **state)
{
	(void)state;
	char detail[96];
	uint8_t btc[24] = { 0xf9, 0xbe, 0xb4, 0xd9, 'v', 'e', 'r', 's', 'i', 'o', 'n', 0, 0, 0, 0, 0 };
	assert_int_equal(hh_p2p_classify(btc, sizeof(btc), detail, sizeof(detail)), HH_P2P_BITCOIN);
	assert_non_null(strstr(detail, "version"));
	btc[12] = 'x'; /* garbage after the NUL padding began */
	assert_int_equal(hh_p2p_classify(btc, sizeof(btc), detail, sizeof(detail)), HH_P2P_NONE);
	uint8_t levin[33] = { 0x01, 0x21, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01 };
	levin[17] = 0xe9;
	levin[18] = 0x03;
	assert_int_equal(hh_p2p_classify(levin, sizeof(levin), detail, sizeof(detail)), HH_P2P_LEVIN);
	assert_string_equal(detail, "Levin command 1001");
	assert_int_equal(hh_p2p_classify(levin, 10, detail, sizeof(detail)), HH_P2P_NONE);
	assert_int_equal(hh_p2p_classify(NULL, 0, detail, sizeof(detail)), HH_P2P_NONE);
	uint8_t auth[307] = { 0 };
	assert_true(hh_p2p_devp2p_shape(auth, sizeof(auth), 30303));
	assert_false(hh_p2p_devp2p_shape(auth, sizeof(auth), 443));
}

static void flow_features_periodic(void **state)
{
	(void)state;
	struct hh_flowfeat f;
	hh_flowfeat_init(&f, 1000.0, 0.25, 1.0);
	/* A pool pushes a 400-byte job every 10 s; the client submits 200 bytes
	 * 3 s after each job and gets a 60-byte answer. */
	for (int i = 0; i < 12; i++) {
		double t = 1000.0 + i * 10.0;
		hh_flowfeat_packet(&f, 1, t, 466, 400);
		hh_flowfeat_packet(&f, 0, t + 0.01, 66, 0);
		hh_flowfeat_packet(&f, 0, t + 3.0, 266, 200);
		hh_flowfeat_packet(&f, 1, t + 3.05, 126, 60);
	}
	struct hh_flowfeat_summary s;
	hh_flowfeat_summarize(&f, &s);
	assert_int_equal(s.pushes, 12);
	assert_true(s.period_median > 9.9 && s.period_median < 10.1);
	assert_true(s.period_cv < 0.01);
	assert_int_equal(s.push_median, 400);
	assert_int_equal(s.client_median, 200);
	assert_int_equal(s.client_bursts, 12);
	assert_true(s.duration > 113 && s.duration < 114);
	assert_true(s.ratio > 2.2 && s.ratio < 2.4);

	assert_int_equal(s.pushes_by_size, 0);

	/* A miner on a low share difficulty: it submits 200 bytes about every
	 * 0.85 s (gaps 0.3-1.5 s) and gets a 60-byte answer 20 ms later; the pool
	 * sends a 400-byte job every 5 s, which mostly lands within a second of a
	 * submit (some merge into an answer). */
	hh_flowfeat_init(&f, 0, 0.25, 1.0);
	static const double gaps[] = { 0.4, 1.5, 0.7, 0.5, 1.2, 0.8, 0.3, 1.4 };
	double next_submit = 0.3, next_job = 0;
	int jobs = 0;
	while (next_submit < 100 || next_job < 100) {
		if (next_job <= next_submit) {
			hh_flowfeat_packet(&f, 1, next_job, 466, 400);
			jobs++;
			next_job += 5.0;
		} else {
			hh_flowfeat_packet(&f, 0, next_submit, 266, 200);
			hh_flowfeat_packet(&f, 1, next_submit + 0.02, 126, 60);
			next_submit += gaps[f.n_bursts[0] % 8];
		}
	}
	hh_flowfeat_summarize(&f, &s);
	assert_int_equal(jobs, 20);
	assert_true(s.pushes - s.pushes_by_size >= 2);  /* by timing: too few on their own */
	assert_true(s.pushes - s.pushes_by_size <= 8);
	assert_true(s.pushes >= 18 && s.pushes <= 20);  /* a job merged into a burst with another is one */
	assert_true(s.push_median >= 400 && s.push_median <= 460);
	assert_true(s.period_median > 4.5 && s.period_median < 5.5);
	assert_true(s.responses * 2 >= s.client_bursts);

	/* An API client polling every 2 s: answers of any size 100-1500 bytes, and
	 * the server's 40-byte keepalive every 15 s. Keepalives are pushes; no
	 * answer is, however large. */
	hh_flowfeat_init(&f, 0, 0.25, 1.0);
	uint32_t r = 7;
	for (int i = 0; i < 60; i++) {
		double t = i * 2.0;
		r = r * 1103515245u + 12345u;
		hh_flowfeat_packet(&f, 0, t, 216, 150);
		hh_flowfeat_packet(&f, 1, t + 0.05, 1566, 100 + (r >> 16) % 1401);
		if (i % 8 == 7)
			hh_flowfeat_packet(&f, 1, t + 1.5, 106, 40);
	}
	hh_flowfeat_summarize(&f, &s);
	assert_int_equal(s.pushes, 7);
	assert_int_equal(s.pushes_by_size, 0);
	assert_int_equal(s.responses, 60);
	assert_int_equal(s.push_median, 40);

	/* A bulk download: one long burst, no pushes. */
	hh_flowfeat_init(&f, 0, 0.25, 1.0);
	hh_flowfeat_packet(&f, 0, 0, 400, 300);
	for (int i = 0; i < 1000; i++)
		hh_flowfeat_packet(&f, 1, 0.05 + i * 0.001, 1514, 1448);
	hh_flowfeat_summarize(&f, &s);
	assert_int_equal(s.pushes, 0);
	assert_true(s.ratio > 1000);
}

/* Real mining sessions (../shared/fixtures/pcap, recorded from real miners
 * and pools): their plaintext says which server bursts carry a new job, so
 * the flow features and the encrypted-flow detector, which see only times
 * and sizes as they would under TLS, can be checked against it. */
static const struct real_session {
	const char *file;
	uint16_t server_port, client_port;
} real_sessions[] = {
	{ "stratum-monero-xmrstak.pcap", 9050, 55190 },  /* xmr-stak, CryptoNote */
	{ "stratum-bitcoin.pcap", 3333, 46838 },         /* stratum v1 (EWBF, Zcash: 2.9 KB Equihash shares) */
	{ "stratum-bitcoin.pcap", 3333, 53846 },
	{ "mining-mixed.pcapng", 9999, 49307 },          /* ethproxy: jobs pushed and polled */
};

/* One TCP payload-or-ack packet of the session: dir 0 client -> server. */
typedef void (*real_packet_fn)(void *user, int dir, double ts, uint32_t wire_len, const uint8_t *payload,
			       uint32_t len);

/* Feeds the session's packets to fn. Returns false (after a skip line) when
 * the capture is absent: the caller skips. */
static bool real_session_read(const struct real_session *rs, real_packet_fn fn, void *user)
{
	const char *root = getenv("HH_FIXTURES") ? getenv("HH_FIXTURES") : "../shared/fixtures";
	char path[512], err[PCAP_ERRBUF_SIZE];
	snprintf(path, sizeof(path), "%s/pcap/%s", root, rs->file);
	pcap_t *p = pcap_open_offline(path, err);
	if (!p) {
		print_message("SKIP part: %s not present (%s)\n", path, err);
		return false;
	}
	struct pcap_pkthdr *h;
	const u_char *data;
	while (pcap_next_ex(p, &h, &data) == 1) {
		struct hh_pkt k;
		const char *why;
		if (hh_decode_packet(pcap_datalink(p), data, h->caplen, &k, &why) != HH_DECODE_OK || k.proto != 6)
			continue;
		int dir;
		if (k.dport == rs->server_port && k.sport == rs->client_port)
			dir = 0;
		else if (k.sport == rs->server_port && k.dport == rs->client_port)
			dir = 1;
		else
			continue;
		fn(user, dir, (double)h->ts.tv_sec + h->ts.tv_usec / 1e6, k.ip_len + 14, k.payload, k.payload_len);
	}
	pcap_close(p);
	return true;
}

struct real_flow {
	struct hh_flowfeat f;
	bool started;
	double last_server;
	unsigned job_bursts, other_bursts;
	bool burst_has_job;
};

static void real_flow_close(struct real_flow *r)
{
	if (r->last_server < 0)
		return;
	if (r->burst_has_job)
		r->job_bursts++;
	else
		r->other_bursts++;
}

static void real_flow_packet(void *user, int dir, double ts, uint32_t wire_len, const uint8_t *pl, uint32_t len)
{
	struct real_flow *r = user;
	if (!r->started) {
		hh_flowfeat_init(&r->f, ts, 0.25, 1.0);
		r->started = true;
	}
	hh_flowfeat_packet(&r->f, dir, ts, wire_len, len);
	if (dir == 1 && len) {
		if (r->last_server < 0 || ts - r->last_server > 0.25) {
			real_flow_close(r);
			r->burst_has_job = false;
		}
		r->last_server = ts;
		/* CryptoNote jobs carry a blob; stratum v1 jobs are mining.notify */
		if (memmem(pl, len, "\"blob\"", 6) || memmem(pl, len, "mining.notify", 13))
			r->burst_has_job = true;
	}
}

static void flow_features_real_sessions(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) { /* ethproxy polls for work: its jobs are mostly answers */
		const struct real_session *rs = &real_sessions[i];
		struct real_flow r = { .last_server = -1 };
		if (!real_session_read(rs, real_flow_packet, &r))
			skip();
		real_flow_close(&r);
		assert_true(r.started);
		struct hh_flowfeat_summary s;
		hh_flowfeat_summarize(&r.f, &s);
		print_message("%s port %u: %u job bursts, %u others; pushes %u (%u by size), responses %u, "
			      "period %.1f s, push %u B\n", rs->file, rs->client_port, r.job_bursts, r.other_bursts,
			      s.pushes, s.pushes_by_size, s.responses, s.period_median, s.push_median);
		/* within one burst of the truth each way (timing alone misses two
		 * of the first bitcoin session's jobs) */
		assert_true(s.pushes + 1 >= r.job_bursts && s.pushes <= r.job_bursts + 1);
		assert_true(s.responses + 1 >= r.other_bursts && s.responses <= r.other_bursts + 1);
		assert_true(s.period_median >= 30 && s.period_median <= 120);
	}
}

/* The same sessions as if under TLS 1.3: each payload becomes one
 * application-data record of random bytes, 22 bytes longer (header, tag,
 * content type); the client's first is a ClientHello-like handshake record. */
struct as_tls {
	struct hh_netdetect *d;
	struct hh_net_flow *f;
	bool first[2];
	uint32_t rng;
	int found;
	char title[200];
};

static void as_tls_collect(void *arg, struct hh_finding *x)
{
	struct as_tls *t = arg;
	if (!strcmp(x->rule, "net.tls-mining-behavior")) {
		t->found++;
		snprintf(t->title, sizeof(t->title), "%s", x->title);
	}
	hh_finding_free(x);
}

static void as_tls_packet(void *user, int dir, double ts, uint32_t wire_len, const uint8_t *pl, uint32_t len)
{
	(void)pl;
	struct as_tls *t = user;
	if (!t->f) {
		struct hh_net_flow_key k = { .family = 4, .proto = 6, .cip = { 10, 0, 0, 2 },
					     .sip = { 203, 0, 113, 9 }, .cport = 40000, .sport = 443 };
		t->f = hh_netdetect_flow_new(t->d, &k, ts);
		assert_non_null(t->f);
	}
	uint32_t n = len ? len + 22 : 0;
	hh_netdetect_packet(t->d, t->f, dir, ts, wire_len + (n - len), n);
	if (!n)
		return;
	static uint8_t b[70000];
	assert_true(n <= sizeof(b));
	for (uint32_t i = 0; i < n; i++) {
		t->rng = t->rng * 1103515245u + 12345u;
		b[i] = (uint8_t)(t->rng >> 16);
	}
	memcpy(b, t->first[dir] && dir == 0 ? "\x16\x03\x01" : "\x17\x03\x03", 3);
	if (t->first[dir] && dir == 0)
		b[5] = 1;
	b[3] = (uint8_t)((n - 5) >> 8);
	b[4] = (uint8_t)(n - 5);
	t->first[dir] = false;
	hh_netdetect_stream(t->d, t->f, dir, b, n, false, ts);
}

static void real_sessions_as_tls(void **state)
{
	(void)state;
	hh_log_set_level(HH_LOG_DEBUG); /* a session not flagged says which test it failed */
	for (size_t i = 0; i < sizeof(real_sessions) / sizeof(real_sessions[0]); i++) {
		struct hh_netdetect_opts o;
		hh_netdetect_opts_load(&o, NULL);
		struct as_tls t = { .first = { true, true }, .rng = 7 };
		t.d = hh_netdetect_new(&o, NULL, "pcap", as_tls_collect, &t);
		assert_non_null(t.d);
		bool read = real_session_read(&real_sessions[i], as_tls_packet, &t);
		if (t.f)
			hh_netdetect_flow_end(t.d, t.f);
		hh_netdetect_free(t.d);
		if (!read)
			skip();
		print_message("%s port %u as TLS: %s\n", real_sessions[i].file, real_sessions[i].client_port,
			      t.found ? t.title : "not found");
		assert_int_equal(t.found, 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stratum_dialects),
		cmocka_unit_test(stratum_not_mining),
		cmocka_unit_test(login_masking),
		cmocka_unit_test(tls_client_hello),
		cmocka_unit_test(dns_messages),
		cmocka_unit_test(p2p_shapes),
		cmocka_unit_test(flow_features_periodic),
		cmocka_unit_test(flow_features_real_sessions),
		cmocka_unit_test(real_sessions_as_tls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
