/* The algorithm rules of the built-in YARA pack (rules/yara/algorithms.yar):
 * proof-of-work code is found by its constants, without any miner string, and
 * generic crypto code (OpenSSL, libsodium, Python, Go's crypto in Debian's Go
 * binaries) does not match.
 *
 * Positives: hh-rxsim (stringless RandomX-shaped kernel with the real RandomX
 * constants) and hh-minersim (Keccak state, 2 MiB AES scratchpad loop), both
 * built next to this test. (A binary built from the RandomX reference sources
 * is not tested here: they are not packaged in Debian.) */
#include <libgen.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/fileio.h"
#include "detectors/content/yara_pack.h"

static char build_dir[4096];
static struct hh_yara_pack *pack;

#define MAX_FILE (512u << 20)

/* Scans path with the built-in pack; returns the number of miner.algo.* hits
 * and writes their rule ids (comma-separated) to ids. */
static int algo_hits(const char *path, char *ids, size_t idlen)
{
	struct hh_buf b;
	char err[256];
	if (hh_read_file(path, MAX_FILE, &b, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	struct hh_yara_hit hits[16];
	int n = hh_yara_pack_scan(pack, (const uint8_t *)b.data, b.len, hits, 16, err, sizeof(err));
	hh_buf_free(&b);
	if (n < 0)
		fail_msg("%s: %s", path, err);
	int k = 0;
	ids[0] = 0;
	for (int i = 0; i < n; i++) {
		if (strncmp(hits[i].rule, "miner.algo.", 11))
			continue;
		size_t l = strlen(ids);
		snprintf(ids + l, idlen - l, "%s%s(%s)", k ? "," : "", hits[i].rule, hits[i].strings);
		k++;
	}
	return k;
}

static void expect_rule(const char *path, const char *rule)
{
	char ids[2048];
	int n = algo_hits(path, ids, sizeof(ids));
	if (!n || !strstr(ids, rule))
		fail_msg("%s: expected %s, got [%s]", path, rule, ids);
	printf("# %s: %s\n", path, ids);
}

static void expect_none(const char *path)
{
	if (access(path, R_OK) != 0)
		fail_msg("%s missing (scripts/deps.sh installs it)", path);
	char ids[2048];
	int n = algo_hits(path, ids, sizeof(ids));
	if (n)
		fail_msg("%s is generic code but matched [%s]", path, ids);
}

static void test_rxsim_is_randomx(void **st)
{
	(void)st;
	char p[4200];
	snprintf(p, sizeof(p), "%s/hh-rxsim", build_dir);
	expect_rule(p, "miner.algo.randomx");
}

static void test_minersim_is_cryptonight(void **st)
{
	(void)st;
	char p[4200];
	snprintf(p, sizeof(p), "%s/hh-minersim", build_dir);
	expect_rule(p, "miner.algo.cryptonight");
}

static void test_openssl_no_match(void **st)
{
	(void)st;
	expect_none("/usr/lib/x86_64-linux-gnu/libcrypto.so.3");
}

static void test_libsodium_no_match(void **st)
{
	(void)st;
	expect_none("/usr/lib/x86_64-linux-gnu/libsodium.so.23");
}

static void test_python_no_match(void **st)
{
	(void)st;
	char *real = realpath("/usr/bin/python3", NULL);
	if (!real)
		fail_msg("/usr/bin/python3 missing (scripts/deps.sh installs it)");
	expect_none(real);
	free(real);
}

/* Debian's Go binaries carry Go's crypto (sha3, blake2b, AES). */
static void test_go_binaries_no_match(void **st)
{
	(void)st;
	expect_none("/usr/bin/prometheus");
	expect_none("/usr/bin/buildah");
}

/* Synthetic near misses: each generic table alone, and the Keccak table with
 * the AES T-table (what OpenSSL's static build has) but no scratchpad loop. */
static void test_generic_tables_alone(void **st)
{
	(void)st;
	static const uint8_t keccak_rc[] = { 0x01, 0, 0, 0, 0, 0, 0, 0, 0x82, 0x80, 0, 0, 0, 0, 0, 0,
					     0x8a, 0x80, 0, 0, 0, 0, 0, 0x80, 0, 0x80, 0, 0x80, 0, 0, 0, 0x80 };
	static const uint8_t aes_te0[] = { 0xa5, 0x63, 0x63, 0xc6, 0x84, 0x7c, 0x7c, 0xf8,
					   0x99, 0x77, 0x77, 0xee, 0x8d, 0x7b, 0x7b, 0xf6 };
	static const uint8_t mask[] = { 0x25, 0xf0, 0xff, 0x1f, 0x00 };
	uint8_t buf[4096];
	memset(buf, 0x90, sizeof(buf));
	memcpy(buf + 100, keccak_rc, sizeof(keccak_rc));
	memcpy(buf + 400, aes_te0, sizeof(aes_te0));
	memcpy(buf + 900, mask, sizeof(mask)); /* one scratchpad mask is not a loop */
	struct hh_yara_hit hits[8];
	char err[128];
	int n = hh_yara_pack_scan(pack, buf, sizeof(buf), hits, 8, err, sizeof(err));
	assert_int_equal(n, 0);
	/* the same with the mask three times does read as the CryptoNight loop */
	memcpy(buf + 1200, mask, sizeof(mask));
	memcpy(buf + 1500, mask, sizeof(mask));
	n = hh_yara_pack_scan(pack, buf, sizeof(buf), hits, 8, err, sizeof(err));
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].rule, "miner.algo.cryptonight");
}

/* Text gets the text rules: the user's rules and the browser rules still
 * match it, the executable and algorithm rules are not run on it. */
static void test_text_rules(void **st)
{
	(void)st;
	char path[] = "/tmp/hh-test-algo-XXXXXX.yar";
	int fd = mkstemps(path, 4);
	assert_true(fd >= 0);
	static const char rule[] = "rule user_text { strings: $a = \"hh-user-marker\" condition: $a }\n";
	assert_int_equal(write(fd, rule, sizeof(rule) - 1), (ssize_t)(sizeof(rule) - 1));
	close(fd);
	const char *paths[] = { path };
	char err[256];
	struct hh_yara_pack *p = hh_yara_pack_new(paths, 1, err, sizeof(err));
	unlink(path);
	assert_non_null(p);
	static const char text[] = "#!/bin/sh\necho hh-user-marker\n"
				   "<script src=\"coinhive.min.js\"></script><script>new CoinHive.Anonymous('k');</script>\n";
	struct hh_yara_hit hits[8];
	int n = hh_yara_pack_scan_kind(p, (const uint8_t *)text, sizeof(text) - 1, true, hits, 8, err, sizeof(err));
	bool user = false, browser = false;
	for (int i = 0; i < n; i++) {
		user |= !strcmp(hits[i].rule, "yara.user_text");
		browser |= !strncmp(hits[i].rule, "miner.web.", 10);
	}
	assert_true(user);
	assert_true(browser);
	hh_yara_pack_free(p);
}

static int setup(void **st)
{
	(void)st;
	char err[256];
	pack = hh_yara_pack_new(NULL, 0, err, sizeof(err));
	return pack ? 0 : -1;
}

static int teardown(void **st)
{
	(void)st;
	hh_yara_pack_free(pack);
	return 0;
}

int main(int argc, char **argv)
{
	(void)argc;
	/* BUILD/tests/test_algo_rules -> BUILD */
	char self[4096];
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(build_dir, sizeof(build_dir), "%s/..", dirname(self));
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rxsim_is_randomx),     cmocka_unit_test(test_minersim_is_cryptonight),
		cmocka_unit_test(test_openssl_no_match),
		cmocka_unit_test(test_libsodium_no_match),   cmocka_unit_test(test_python_no_match),
		cmocka_unit_test(test_go_binaries_no_match), cmocka_unit_test(test_generic_tables_alone),
		cmocka_unit_test(test_text_rules),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
