/* Payloads split across layers: reading reassembly commands out of scripts
 * (which commands are plans, their parts and decoders), the base64 step, and
 * the merged filesystem view (later layers win, whiteouts and opaque
 * directories hide, symlinks are followed, loops and escapes fail). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "detectors/content/split_payload.h"

static size_t find(const char *s, struct hh_split_plan *p)
{
	return hh_split_find(s, strlen(s), p, HH_SPLIT_MAX_PLANS);
}

static void plans_found(void **state)
{
	(void)state;
	struct hh_split_plan p[HH_SPLIT_MAX_PLANS];
	assert_int_equal(find("#!/bin/sh\n# join\ncat /opt/.c/a /var/lib/.b | base64 -d > /tmp/.k && chmod +x /tmp/.k\n", p), 1);
	assert_int_equal(p[0].n_parts, 2);
	assert_string_equal(p[0].parts[0], "opt/.c/a");
	assert_string_equal(p[0].parts[1], "var/lib/.b");
	assert_true(p[0].base64);
	assert_string_equal(p[0].decoders, "base64");
	assert_int_equal(p[0].line, 3);

	assert_int_equal(find("base64 --decode < /srv/x | gunzip > /tmp/y; /tmp/y", p), 1);
	assert_string_equal(p[0].parts[0], "srv/x");
	assert_string_equal(p[0].decoders, "base64,gzip");

	assert_int_equal(find("*/5 * * * * root zcat /srv/.blob > /dev/shm/.u; chmod +x /dev/shm/.u", p), 1);
	assert_string_equal(p[0].parts[0], "srv/.blob");
	assert_false(p[0].base64);
	assert_string_equal(p[0].decoders, "gzip");

	assert_int_equal(find("openssl enc -d -base64 -in /etc/.k -out /tmp/k", p), 1);
	assert_string_equal(p[0].parts[0], "etc/.k");
	assert_true(p[0].base64);

	assert_int_equal(find("exec /usr/bin/xz -dc '/opt/a b.xz' | tar x -C /tmp", p), 1);
	assert_string_equal(p[0].parts[0], "opt/a b.xz");
	assert_string_equal(p[0].decoders, "xz");

	/* concatenation alone: two or more parts */
	assert_int_equal(find("cat /a/1 /a/2 /a/3 > /tmp/x", p), 1);
	assert_int_equal(p[0].n_parts, 3);
	/* two plans on one line, one per command */
	assert_int_equal(find("base64 -d /x > /a && zcat /y > /b", p), 2);
	/* dd if= */
	assert_int_equal(find("dd if=/opt/p bs=1 skip=0 | base64 -d > /tmp/q", p), 1);
	assert_string_equal(p[0].parts[0], "opt/p");
}

static void not_plans(void **state)
{
	(void)state;
	struct hh_split_plan p[HH_SPLIT_MAX_PLANS];
	assert_int_equal(find("cat /etc/os-release", p), 0);                /* one part, nothing decoded */
	assert_int_equal(find("cat /opt/run.sh | sh", p), 0);
	assert_int_equal(find("echo hello; ls -l /tmp", p), 0);
	assert_int_equal(find("# cat /a /b | base64 -d > /x", p), 0);       /* a comment */
	assert_int_equal(find("base64 /a > /b.txt", p), 0);                 /* encoding, not decoding */
	assert_int_equal(find("gunzip -c /a | base64 -d > /x", p), 0);      /* base64 after a decompressor */
	assert_int_equal(find("cat relative/a relative/b | base64 -d", p), 0); /* no absolute paths */
	assert_int_equal(find("", p), 0);
	/* quotes keep ';' inside a word */
	assert_int_equal(find("echo 'cat /a /b; base64 -d' > /dev/null", p), 0);
}

static void decode_step(void **state)
{
	(void)state;
	struct hh_split_plan p;
	memset(&p, 0, sizeof(p));
	p.base64 = true;
	/* "hello world\n" in two parts with line breaks between */
	char buf[] = "aGVsbG8g\nd29y\r\nbGQK\n";
	size_t n = hh_split_decode(&p, (uint8_t *)buf, strlen(buf));
	assert_int_equal(n, 12);
	assert_memory_equal(buf, "hello world\n", 12);
	/* padding ends it */
	char pad[] = "aGk=\nzzzz";
	assert_int_equal(hh_split_decode(&p, (uint8_t *)pad, strlen(pad)), 2);
	assert_memory_equal(pad, "hi", 2);
	/* no base64 step: unchanged */
	p.base64 = false;
	char raw[] = "\x7f" "ELF";
	assert_int_equal(hh_split_decode(&p, (uint8_t *)raw, 4), 4);
}

static void merged_view(void **state)
{
	(void)state;
	struct hh_merged *m = hh_merged_new();
	assert_non_null(m);
	char out[256];
	hh_merged_add(m, "usr/share/.d/p", NULL, 0);
	hh_merged_add(m, "opt/.c/a", NULL, 0);
	hh_merged_add(m, "opt/.c/b", NULL, 0);
	hh_merged_add(m, "etc/x", NULL, 0);
	hh_merged_add(m, "etc/x", NULL, 1);      /* replaced by layer 1 */
	hh_merged_add(m, "data", "usr/share/.d", 2);
	hh_merged_add(m, "abs", "/usr/share/.d/p", 2);
	hh_merged_add(m, "usr/bin/up", "../share/.d/p", 2);
	hh_merged_add(m, "loop1", "loop2", 2);
	hh_merged_add(m, "loop2", "loop1", 2);
	hh_merged_add(m, "esc", "../../../etc/shadow", 2);
	hh_merged_whiteout(m, "opt/.c/a", 2);
	hh_merged_opaque(m, "var/lib", 2);
	hh_merged_add(m, "var/lib/old", NULL, 1);
	hh_merged_add(m, "var/lib/new", NULL, 2);

	assert_int_equal(hh_merged_resolve(m, "/usr/share/.d/p", out, sizeof(out)), 0);
	assert_string_equal(out, "usr/share/.d/p");
	assert_int_equal(hh_merged_resolve(m, "/etc/x", out, sizeof(out)), 1);
	assert_int_equal(hh_merged_resolve(m, "/data/p", out, sizeof(out)), 0);
	assert_string_equal(out, "usr/share/.d/p");
	assert_int_equal(hh_merged_resolve(m, "/abs", out, sizeof(out)), 0);
	assert_int_equal(hh_merged_resolve(m, "/usr/bin/up", out, sizeof(out)), 0);
	assert_int_equal(hh_merged_resolve(m, "/opt/.c/./b", out, sizeof(out)), 0);
	assert_string_equal(out, "opt/.c/b");
	/* hidden, absent, loops, escapes */
	assert_int_equal(hh_merged_resolve(m, "/opt/.c/a", out, sizeof(out)), -1);
	assert_int_equal(hh_merged_resolve(m, "/var/lib/old", out, sizeof(out)), -1);
	assert_int_equal(hh_merged_resolve(m, "/var/lib/new", out, sizeof(out)), 2);
	assert_int_equal(hh_merged_resolve(m, "/nope", out, sizeof(out)), -1);
	assert_int_equal(hh_merged_resolve(m, "/loop1", out, sizeof(out)), -1);
	assert_int_equal(hh_merged_resolve(m, "/esc", out, sizeof(out)), -1);
	assert_int_equal(hh_merged_resolve(m, "/../etc/x", out, sizeof(out)), -1);
	assert_int_equal(hh_merged_resolve(m, "/data", out, sizeof(out)), -1); /* a directory, not a file */
	/* re-added above the whiteout: visible again */
	hh_merged_add(m, "opt/.c/a", NULL, 3);
	assert_int_equal(hh_merged_resolve(m, "/opt/.c/a", out, sizeof(out)), 3);
	assert_false(hh_merged_full(m));
	/* many paths: the table grows */
	char p[64];
	for (int i = 0; i < 5000; i++) {
		snprintf(p, sizeof(p), "f/%d", i);
		hh_merged_add(m, p, NULL, i % 4);
	}
	assert_int_equal(hh_merged_resolve(m, "/f/4999", out, sizeof(out)), 3);
	hh_merged_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plans_found),
		cmocka_unit_test(not_plans),
		cmocka_unit_test(decode_step),
		cmocka_unit_test(merged_view),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
