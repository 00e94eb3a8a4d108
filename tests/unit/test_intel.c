/* Mining-pool intel: matching semantics, every loader, hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>

#include "enrich/intel/intel.h"

static int load(struct hh_intel *in, const char *text, const char *name, struct hh_intel_load_stats *st)
{
	char err[512];
	int rc = hh_intel_load_buf(in, text, strlen(text), name, st, err, sizeof(err));
	if (rc < 0)
		print_message("load error: %s\n", err);
	return rc;
}

static void domain_suffix_matching(void **state)
{
	(void)state;
	struct hh_intel *in = hh_intel_new();
	assert_int_equal(hh_intel_add(in, "MineXMR.com.", "t", "", 1, NULL, 0), 1);
	assert_int_equal(hh_intel_add(in, "minexmr.com", "t", "", 2, NULL, 0), 0); /* duplicate */
	assert_int_equal(hh_intel_add(in, "pool.supportxmr.com", "t", "", 3, NULL, 0), 1);
	const struct hh_intel_entry *e = NULL;
	assert_true(hh_intel_match_domain(in, "pool.MINEXMR.com.", &e));
	assert_string_equal(e->value, "minexmr.com");
	assert_int_equal(e->line, 1);
	assert_true(hh_intel_match_domain(in, "minexmr.com", NULL));
	assert_false(hh_intel_match_domain(in, "evilminexmr.com", NULL));
	assert_false(hh_intel_match_domain(in, "minexmr.com.evil.net", NULL));
	assert_true(hh_intel_match_domain(in, "a.b.pool.supportxmr.com", NULL));
	assert_false(hh_intel_match_domain(in, "supportxmr.com", NULL)); /* parent is not listed */
	assert_false(hh_intel_match_domain(in, "", NULL));
	assert_false(hh_intel_match_domain(in, "..", NULL));
	assert_false(hh_intel_match_domain(in, "bad name.minexmr.com", NULL));
	assert_int_equal(hh_intel_count(in, HH_INTEL_DOMAIN), 2);
	hh_intel_free(in);
}

static void ip_and_cidr_matching(void **state)
{
	(void)state;
	struct hh_intel *in = hh_intel_new();
	char err[256];
	assert_int_equal(hh_intel_add(in, "198.51.100.7", "t", "", 1, err, sizeof(err)), 1);
	assert_int_equal(hh_intel_add(in, "203.0.113.99/24", "t", "", 2, err, sizeof(err)), 1);
	assert_int_equal(hh_intel_add(in, "2001:db8:aa::/48", "t", "", 3, err, sizeof(err)), 1);
	assert_int_equal(hh_intel_add(in, "::ffff:192.0.2.1", "t", "", 4, err, sizeof(err)), 1);
	const struct hh_intel_entry *e = NULL;
	assert_true(hh_intel_match_ip_text(in, "198.51.100.7", &e));
	assert_string_equal(e->value, "198.51.100.7");
	assert_false(hh_intel_match_ip_text(in, "198.51.100.8", NULL));
	assert_true(hh_intel_match_ip_text(in, "203.0.113.1", &e));
	assert_string_equal(e->value, "203.0.113.0/24"); /* host bits masked */
	assert_false(hh_intel_match_ip_text(in, "203.0.114.1", NULL));
	assert_true(hh_intel_match_ip_text(in, "2001:db8:aa:1::5", NULL));
	assert_false(hh_intel_match_ip_text(in, "2001:db8:ab::5", NULL));
	assert_true(hh_intel_match_ip_text(in, "192.0.2.1", NULL));       /* mapped entry is v4 */
	assert_true(hh_intel_match_ip_text(in, "::ffff:198.51.100.7", NULL)); /* mapped query */
	uint8_t raw[4] = { 203, 0, 113, 250 };
	assert_true(hh_intel_match_ip(in, AF_INET, raw, NULL));
	assert_false(hh_intel_match_ip(in, 12345, raw, NULL));
	/* Malformed prefixes are errors, not entries. */
	assert_int_equal(hh_intel_add(in, "10.0.0.0/33", "t", "", 5, err, sizeof(err)), -1);
	assert_int_equal(hh_intel_add(in, "10.0.0.0/", "t", "", 6, err, sizeof(err)), -1);
	assert_int_equal(hh_intel_add(in, "1.2.3.4.5", "t", "", 7, err, sizeof(err)), -1);
	assert_int_equal(hh_intel_count(in, HH_INTEL_IP), 4);
	hh_intel_free(in);
}

static void ports_and_urls(void **state)
{
	(void)state;
	struct hh_intel *in = hh_intel_new();
	char err[256];
	assert_int_equal(hh_intel_add(in, "port:3333", "t", "", 1, err, sizeof(err)), 1);
	assert_int_equal(hh_intel_add(in, "port:0", "t", "", 2, err, sizeof(err)), -1);
	assert_int_equal(hh_intel_add(in, "port:65536", "t", "", 3, err, sizeof(err)), -1);
	assert_int_equal(hh_intel_add(in, "port:12ab", "t", "", 4, err, sizeof(err)), -1);
	assert_true(hh_intel_is_pool_port(in, 3333, NULL));
	assert_false(hh_intel_is_pool_port(in, 443, NULL));
	assert_false(hh_intel_is_pool_port(in, 70000, NULL));
	assert_int_equal(hh_intel_add(in, "stratum+tcp://wallet.w1@Gulf.MoneroOcean.stream:10128/x", "t", "", 5,
				      err, sizeof(err)), 1);
	assert_true(hh_intel_match_domain(in, "gulf.moneroocean.stream", NULL));
	assert_int_equal(hh_intel_add(in, "eu.pool.example:14444", "t", "", 6, err, sizeof(err)), 1);
	assert_true(hh_intel_match_domain(in, "eu.pool.example", NULL));
	/* Single labels would match every name under a TLD. */
	assert_int_equal(hh_intel_add(in, "com", "t", "", 7, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "single label"));
	hh_intel_free(in);
}

static void hosts_file(void **state)
{
	(void)state;
	struct hh_intel *in = hh_intel_new();
	struct hh_intel_load_stats st;
	const char *t = "# NoCoin hosts\n127.0.0.1 localhost\n0.0.0.0 coinhive.com  # trailing comment\n"
			"0.0.0.0\tauthedmine.com www.authedmine.com\r\n::1 ip6-localhost\n\n0.0.0.0 bad..name\n";
	assert_int_equal(load(in, t, "hosts.txt", &st), 0);
	assert_int_equal(st.added, 3);
	assert_int_equal(st.bad, 1);
	assert_string_equal(st.first_bad[0], "hosts.txt:7: not a domain, IP, CIDR or port:N: 'bad..name'");
	assert_false(hh_intel_match_ip_text(in, "0.0.0.0", NULL)); /* the sinkhole is not intel */
	const struct hh_intel_entry *e;
	assert_true(hh_intel_match_domain(in, "x.coinhive.com", &e));
	assert_string_equal(e->source, "hosts.txt");
	assert_int_equal(e->line, 3);
	hh_intel_free(in);
}

static void adblock_list(void **state)
{
	(void)state;
	struct hh_intel *in = hh_intel_new();
	struct hh_intel_load_stats st;
	const char *t = "[Adblock Plus 2.0]\n! Title: NoCoin\n||coin-hive.com^\n||crypto-loot.com^$third-party\n"
			"@@||good.example^\n||cdn.example/miner.js\nexample.org##.miner\n||jsecoin.com|\n";
	assert_int_equal(load(in, t, "list.txt", &st), 0);
	assert_int_equal(st.added, 3);
	assert_int_equal(st.skipped, 3);
	assert_int_equal(st.bad, 0);
	assert_true(hh_intel_match_domain(in, "static.coin-hive.com", NULL));
	assert_true(hh_intel_match_domain(in, "crypto-loot.com", NULL));
	assert_false(hh_intel_match_domain(in, "good.example", NULL));
	assert_false(hh_intel_match_domain(in, "cdn.example", NULL));
	assert_false(hh_intel_match_domain(in, "example.org", NULL));
	hh_intel_free(in);
}

static void falco_yaml_lists(void **state)
{
	(void)state;
	struct hh_intel *in = hh_intel_new();
	struct hh_intel_load_stats st;
	const char *rules = "- list: miner_ports\n  items: [3333, 4444, \"8888\"]\n"
			    "- list: miner_domains\n  items: [asia1.ethpool.org, \"pool.minexmr.com\"]\n"
			    "- macro: net_miner_pool\n  condition: fd.sip.name in (miner_domains)\n"
			    "- list: miner_binaries\n  items: [xmrig]\n"
			    "- list: miner_ips\n  items: [\"198.51.100.0/24\", not-an-ip, {a: 1}]\n";
	assert_int_equal(load(in, rules, "falco_rules.yaml", &st), 0);
	assert_int_equal(st.added, 6);
	assert_int_equal(st.bad, 2); /* a single-label name and a mapping */
	assert_string_equal(st.first_bad[1], "falco_rules.yaml:10: list miner_ips item 3 is not a string or number");
	assert_int_equal(st.skipped, 2); /* the macro and the binaries list */
	assert_true(hh_intel_is_pool_port(in, 4444, NULL));
	assert_true(hh_intel_is_pool_port(in, 8888, NULL));
	const struct hh_intel_entry *e;
	assert_true(hh_intel_match_domain(in, "asia1.ethpool.org", &e));
	assert_string_equal(e->list, "miner_domains");
	assert_true(hh_intel_match_ip_text(in, "198.51.100.200", NULL));
	hh_intel_free(in);

	/* The mapping form (the shared fixture), detected from content without a .yaml name. */
	in = hh_intel_new();
	const char *map = "# lists\nminer_ports:\n  - 25\n  - 3333\nminer_domains:\n  - ca.minexmr.com\n"
			  "  - not a domain\nminer_binaries:\n  - xmrig\n";
	assert_int_equal(load(in, map, "lists", &st), 0);
	assert_int_equal(st.added, 3);
	assert_int_equal(st.bad, 1);
	assert_string_equal(st.first_bad[0],
			    "lists:6: list miner_domains item 2: not a domain, IP, CIDR or port:N: 'not a domain'");
	assert_true(hh_intel_match_domain(in, "ca.minexmr.com", NULL));
	hh_intel_free(in);
}

static void bad_yaml_names_place(void **state)
{
	(void)state;
	struct hh_intel *in = hh_intel_new();
	char err[512];
	const char *t = "- list: miner_domains\n  items: [a.example.com, b.example.com\n";
	assert_int_equal(hh_intel_load_buf(in, t, strlen(t), "broken.yaml", NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "broken.yaml:"));
	hh_intel_free(in);
	in = hh_intel_new();
	assert_int_equal(hh_intel_load_file(in, "/nonexistent/intel.txt", NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/intel.txt"));
	hh_intel_free(in);
}

static void hostile_text(void **state)
{
	(void)state;
	struct hh_intel *in = hh_intel_new();
	struct hh_intel_load_stats st;
	char err[256];
	/* NUL bytes, an enormous line, garbage, an empty buffer. */
	size_t n = 3 * HH_INTEL_MAX_LINE;
	char *big = malloc(n + 64);
	memset(big, 'a', n);
	memcpy(big + n, "\nok.example.com\nx\0y.example\n\xff\xfe\n", 31);
	assert_int_equal(hh_intel_load_buf(in, big, n + 31, "big", &st, err, sizeof(err)), 0);
	assert_int_equal(st.added, 1);
	assert_int_equal(st.bad, 3);
	assert_int_equal(hh_intel_load_buf(in, "", 0, "empty", &st, err, sizeof(err)), 0);
	assert_int_equal(st.added, 0);
	free(big);
	hh_intel_free(in);
}

static void builtin_and_round_trip(void **state)
{
	(void)state;
	struct hh_intel *in = hh_intel_new();
	struct hh_intel_load_stats st;
	assert_int_equal(hh_intel_load_builtin(in, &st), 0);
	assert_int_equal(st.bad, 0);
	assert_true(st.added > 50);
	assert_true(hh_intel_match_domain(in, "xmr-eu1.nanopool.org", NULL));
	assert_true(hh_intel_match_domain(in, "gulf.moneroocean.stream", NULL));
	assert_true(hh_intel_is_pool_port(in, 3333, NULL));
	assert_false(hh_intel_is_pool_port(in, 443, NULL));
	assert_false(hh_intel_match_domain(in, "www.google.com", NULL));
	/* Export and re-import give the same set. */
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_int_equal(hh_intel_write_plain(in, fp), 0);
	fclose(fp);
	struct hh_intel *again = hh_intel_new();
	assert_int_equal(load(again, buf, "export", &st), 0);
	assert_int_equal(st.bad, 0);
	for (int k = 0; k < 3; k++)
		assert_int_equal(hh_intel_count(again, k), hh_intel_count(in, k));
	free(buf);
	hh_intel_free(again);
	hh_intel_free(in);
}

static void shared_fixtures(void **state)
{
	(void)state;
	const char *root = getenv("HH_FIXTURES") ? getenv("HH_FIXTURES") : "../shared/fixtures";
	char path[512];
	snprintf(path, sizeof(path), "%s/intel/falco-miner-lists.yaml", root);
	FILE *probe = fopen(path, "r");
	if (!probe) {
		print_message("SKIP part: %s not present\n", path);
		skip();
	}
	fclose(probe);
	struct hh_intel *in = hh_intel_new();
	struct hh_intel_load_stats st;
	char err[512];
	assert_int_equal(hh_intel_load_file(in, path, &st, err, sizeof(err)), 0);
	assert_int_equal(st.bad, 0);
	assert_true(hh_intel_match_domain(in, "rx.unmineable.com", NULL));
	assert_true(hh_intel_is_pool_port(in, 45700, NULL));
	snprintf(path, sizeof(path), "%s/intel/nocoin-hosts.txt", root);
	assert_int_equal(hh_intel_load_file(in, path, &st, err, sizeof(err)), 0);
	assert_true(st.added > 100);
	assert_true(hh_intel_match_domain(in, "api.browsermine.com", NULL));
	hh_intel_free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(domain_suffix_matching),
		cmocka_unit_test(ip_and_cidr_matching),
		cmocka_unit_test(ports_and_urls),
		cmocka_unit_test(hosts_file),
		cmocka_unit_test(adblock_list),
		cmocka_unit_test(falco_yaml_lists),
		cmocka_unit_test(bad_yaml_names_place),
		cmocka_unit_test(hostile_text),
		cmocka_unit_test(builtin_and_round_trip),
		cmocka_unit_test(shared_fixtures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
