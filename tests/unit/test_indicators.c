/* Indicators: Keccak, wallet checksums, text indicators, executable traits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "detectors/indicators/exe_traits.h"
#include "detectors/indicators/keccak.h"
#include "detectors/indicators/text_indicators.h"
#include "detectors/indicators/wallet.h"

#define XMR_GENERAL_FUND "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"

static void keccak_vectors(void **state)
{
	(void)state;
	uint8_t h[32];
	char hex[65];
	hh_keccak256("", 0, h);
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", h[i]);
	assert_string_equal(hex, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
	/* Longer than one 136-byte block. */
	char buf[300];
	memset(buf, 'a', sizeof(buf));
	hh_keccak256(buf, sizeof(buf), h);
	uint8_t h2[32];
	hh_keccak256(buf, sizeof(buf), h2);
	assert_memory_equal(h, h2, 32);
}

static void wallets_valid(void **state)
{
	(void)state;
	struct hh_wallet_match m;
	assert_true(hh_wallet_validate(XMR_GENERAL_FUND, strlen(XMR_GENERAL_FUND), &m));
	assert_int_equal(m.coin, HH_COIN_MONERO);
	assert_string_equal(m.kind, "standard");
	assert_true(hh_wallet_validate("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", 34, &m));
	assert_string_equal(m.kind, "p2pkh");
	assert_true(hh_wallet_validate("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", 34, &m));
	assert_string_equal(m.kind, "p2sh");
	assert_true(hh_wallet_validate("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", 42, &m));
	assert_true(hh_wallet_validate("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", 42, &m));
	assert_int_equal(m.coin, HH_COIN_ETHEREUM);
	assert_true(m.checksummed);
}

static void wallets_invalid(void **state)
{
	(void)state;
	struct hh_wallet_match m;
	char bad[] = XMR_GENERAL_FUND;
	bad[50] = bad[50] == 'a' ? 'b' : 'a'; /* one character off: checksum fails */
	assert_false(hh_wallet_validate(bad, strlen(bad), &m));
	assert_false(hh_wallet_validate("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", 34, &m));
	assert_false(hh_wallet_validate("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", 42, &m)); /* EIP-55 case */
	assert_false(hh_wallet_validate("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdz", 42, &m));
	assert_false(hh_wallet_validate("", 0, &m));
	/* 95 random base58 characters starting with 4: no. */
	char rnd[96];
	for (int i = 0; i < 95; i++)
		rnd[i] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"[(i * 7 + 3) % 58];
	rnd[0] = '4';
	rnd[95] = 0;
	assert_false(hh_wallet_validate(rnd, 95, &m));
	char masked[32];
	hh_wallet_mask(XMR_GENERAL_FUND, strlen(XMR_GENERAL_FUND), masked, sizeof(masked));
	assert_string_equal(masked, "44AFFq...EP3A");
}

static size_t count_kind(const struct hh_indicator *ind, size_t n, enum hh_indicator_kind k)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ind[i].kind == k;
	return c;
}

static void text_cmdline(void **state)
{
	(void)state;
	/* /proc/PID/cmdline form: NUL-separated. */
	const char cmd[] = "/tmp/kworker\0-o\0stratum+tls://pool.example:443\0-u\0" XMR_GENERAL_FUND
			   ".rig1\0--donate-level=1\0-a\0rx/0\0--cpu-max-threads-hint\0" "50";
	struct hh_indicator ind[16];
	size_t n = hh_indicators_scan(cmd, sizeof(cmd) - 1, ind, 16);
	assert_int_equal(count_kind(ind, n, HH_IND_STRATUM_URL), 1);
	assert_int_equal(count_kind(ind, n, HH_IND_WALLET), 1);
	assert_int_equal(count_kind(ind, n, HH_IND_MINER_FLAG), 2);
	assert_int_equal(count_kind(ind, n, HH_IND_ALGORITHM), 1);
	for (size_t i = 0; i < n; i++) {
		if (ind[i].kind == HH_IND_STRATUM_URL)
			assert_string_equal(ind[i].value, "stratum+tls://pool.example:443");
		if (ind[i].kind == HH_IND_WALLET) /* masked, never the full address */
			assert_null(strstr(ind[i].value, XMR_GENERAL_FUND));
	}
	assert_int_equal(hh_indicators_severity(ind, n), HH_SEV_CRITICAL);

	const char *schemes[] = { "stratum+tcp://a:3333", "stratum+ssl://a:3333", "stratum+udp://a:1",
				  "stratum2+tcp://a:34255", "STRATUM+TCP://A:1" };
	for (size_t i = 0; i < 5; i++) {
		n = hh_indicators_scan(schemes[i], strlen(schemes[i]), ind, 16);
		assert_int_equal(count_kind(ind, n, HH_IND_STRATUM_URL), 1);
	}
}

static void text_benign(void **state)
{
	(void)state;
	const char *benign[] = {
		"gcc -O2 -c main.c -o main.o",
		"stress-ng --cpu 2 --timeout 60s",
		"xz -9 -T1 /tmp/data",
		"openssl speed -seconds 5 sha256",
		"python3 -m http.server --bind 127.0.0.1",
		"git commit -m 'stratum notes: see docs'",
		"sha1 0xde709f2102306220921060314715629080e2fb77 ok", /* lower-case hex: no checksum */
		"{\"pools\": [\"a\", \"b\"]}",
		"coinbase-client --currency=BTC",
		"myxmrigs and randomxyz",
	};
	struct hh_indicator ind[16];
	for (size_t i = 0; i < sizeof(benign) / sizeof(benign[0]); i++) {
		size_t n = hh_indicators_scan(benign[i], strlen(benign[i]), ind, 16);
		if (n)
			fail_msg("benign text '%s' gave %s '%s'", benign[i],
				 hh_indicator_kind_name(ind[0].kind), ind[0].value);
	}
}

static void text_config(void **state)
{
	(void)state;
	const char *cfg = "{\n \"autosave\": true,\n \"donate-level\": 1,\n \"cpu\": {\"enabled\": true},\n"
			  " \"pools\": [{\"url\": \"pool.minexmr.example:4444\", \"user\": \"x\", \"pass\": \"x\"}]\n}";
	struct hh_indicator ind[16];
	size_t n = hh_indicators_scan(cfg, strlen(cfg), ind, 16);
	assert_int_equal(count_kind(ind, n, HH_IND_POOL_CONFIG), 2);
	assert_int_equal(hh_indicators_severity(ind, n), HH_SEV_MEDIUM);
}

static void text_hostile(void **state)
{
	(void)state;
	size_t len = 4 << 20;
	char *big = malloc(len);
	for (size_t i = 0; i < len; i++)
		big[i] = "stratum+\0:/4"[i % 12];
	struct hh_indicator ind[4];
	size_t n = hh_indicators_scan(big, len, ind, 4);
	assert_true(n <= 4);
	/* Truncated URL at the very end. */
	n = hh_indicators_scan("stratum+tcp:/", 13, ind, 4);
	assert_int_equal(n, 0);
	free(big);
}

static void traits_streaming(void **state)
{
	(void)state;
	const char blob[] = "....XMRig 6.21....junk....donate.v2.xmrig.com....mining.subscribe....";
	char out[128];
	/* Fed in 3-byte chunks: strings straddle every boundary. */
	struct hh_traits t;
	hh_traits_init(&t);
	for (size_t i = 0; i < sizeof(blob) - 1; i += 3)
		hh_traits_feed(&t, blob + i, sizeof(blob) - 1 - i < 3 ? sizeof(blob) - 1 - i : 3);
	assert_true(hh_traits_result(&t, out, sizeof(out)) >= 1);
	assert_non_null(strstr(out, "xmrig"));

	/* Only the protocol mentioned (an IDS, a proxy): not a miner. */
	const char ids[] = "rules: mining.subscribe mining.authorize stratum+tcp";
	hh_traits_init(&t);
	hh_traits_feed(&t, ids, sizeof(ids) - 1);
	assert_int_equal(hh_traits_result(&t, out, sizeof(out)), 0);
	assert_string_equal(out, "");

	/* A real system binary: no traits. */
	char err[256];
	assert_int_equal(hh_traits_scan_file("/bin/sh", 64 << 20, out, sizeof(out), err, sizeof(err)), 0);
	assert_int_equal(hh_traits_scan_file("/nonexistent", 1, out, sizeof(out), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keccak_vectors),   cmocka_unit_test(wallets_valid),
		cmocka_unit_test(wallets_invalid),  cmocka_unit_test(text_cmdline),
		cmocka_unit_test(text_benign),      cmocka_unit_test(text_config),
		cmocka_unit_test(text_hostile),     cmocka_unit_test(traits_streaming),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
