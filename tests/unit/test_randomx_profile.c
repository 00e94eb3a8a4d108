/* miner.randomx-profile: churn alone (a fesetround loop), JIT alone (a JVM),
 * a big heap alone do not match; churn + JIT rewritten + cache or huge pages
 * does; RssAnon parsing from a status file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "detectors/behavior/randomx_profile.h"

static bool judge(struct hh_rx_obs o)
{
	struct hh_rx_profile p;
	hh_randomx_profile_judge(&o, NULL, NULL, &p);
	return p.match;
}

static void profile_table(void **state)
{
	(void)state;
	/* a RandomX VM with W^X JIT: churn, mprotect per program, 256 MiB cache */
	struct hh_rx_obs rx = { .switches = 800, .nondefault = 600, .exec_protects = 4000,
				.exec_protects_before = 3000, .rss_anon_kb = 270 * 1024 };
	assert_true(judge(rx));
	/* XMRig style: an RWX JIT buffer and huge pages, small RSS read */
	struct hh_rx_obs xmrig = { .switches = 800, .nondefault = 600, .anon_exec_maps = 1, .hugepage_reqs = 2,
				   .rss_anon_kb = 10 * 1024 };
	assert_true(judge(xmrig));
	/* a fesetround loop: churn only */
	struct hh_rx_obs fe = { .switches = 800, .nondefault = 600, .rss_anon_kb = 1024 };
	assert_false(judge(fe));
	/* a JVM: JIT and a big heap, default rounding */
	struct hh_rx_obs jvm = { .switches = 800, .nondefault = 0, .exec_protects = 500, .exec_protects_before = 400,
				 .anon_exec_maps = 3, .rss_anon_kb = 900 * 1024 };
	assert_false(judge(jvm));
	/* churn + big heap, JIT done long ago (no new W->X since the last summary) */
	struct hh_rx_obs stale = rx;
	stale.exec_protects_before = stale.exec_protects;
	assert_false(judge(stale));
	/* churn + JIT, small and no huge pages */
	struct hh_rx_obs small = rx;
	small.rss_anon_kb = 30 * 1024;
	assert_false(judge(small));
	/* too few switches sampled yet */
	struct hh_rx_obs young = rx;
	young.switches = 30;
	young.nondefault = 20;
	assert_false(judge(young));
	/* RSS unknown (gone): needs huge pages */
	struct hh_rx_obs gone = rx;
	gone.rss_anon_kb = -1;
	assert_false(judge(gone));
	gone.hugepage_reqs = 1;
	assert_true(judge(gone));
}

static void rss_and_finding(void **state)
{
	(void)state;
	char root[64], dir[96], path[128];
	snprintf(root, sizeof(root), "/tmp/hh-rx-test-%d", (int)getpid());
	snprintf(dir, sizeof(dir), "%s/4242", root);
	mkdir(root, 0700);
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/status", dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("Name:\tkworker\nVmRSS:\t  280000 kB\nRssAnon:\t  270336 kB\nRssFile:\t 1000 kB\n", fp);
	fclose(fp);
	assert_int_equal(hh_randomx_rss_anon_kb(root, 4242), 270336);
	assert_int_equal(hh_randomx_rss_anon_kb(root, 4243), -1);
	fp = fopen(path, "w");
	fputs("Name:\tx\nRssAnon:\tgarbage\n", fp);
	fclose(fp);
	assert_int_equal(hh_randomx_rss_anon_kb(root, 4242), -1);
	unlink(path);
	rmdir(dir);
	rmdir(root);

	struct hh_event *ev = calloc(1, sizeof(*ev));
	ev->type = HH_EV_FPU;
	ev->pid = 4242;
	snprintf(ev->comm, sizeof(ev->comm), "kworker");
	snprintf(ev->workload.container_id, sizeof(ev->workload.container_id), "abc");
	struct hh_rx_obs o = { .switches = 800, .nondefault = 600, .exec_protects = 4000, .exec_protects_before = 3000,
			       .rss_anon_kb = 270336 };
	struct hh_rx_profile p;
	hh_randomx_profile_judge(&o, NULL, NULL, &p);
	assert_true(p.match);
	struct hh_finding *f = hh_randomx_profile_finding(ev, &o, &p);
	assert_non_null(f);
	assert_string_equal(f->rule, "miner.randomx-profile");
	assert_int_equal(f->severity, HH_SEV_HIGH);
	assert_int_equal(json_integer_value(json_object_get(f->fields, "proc.pid")), 4242);
	assert_string_equal(json_string_value(json_object_get(f->fields, "container.id")), "abc");
	assert_non_null(strstr(f->title, "kworker"));
	hh_finding_free(f);
	free(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(profile_table),
		cmocka_unit_test(rss_and_finding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
