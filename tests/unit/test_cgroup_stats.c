/* cgroup telemetry: synthetic v1 (hybrid, like this machine) and v2 trees
 * in tests/data, missing files, garbage and huge values, the real hierarchy,
 * node CPU from /proc/stat. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>

#include "sources/telemetry/cgroup_stats.h"

#define ID1 "9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d"
#define ID2 "4f797c539e6c745de61a93ca3ff892358ecbcaccd8414d5db545c38428142970"
#define ID3 "819ef3f7bb558b74ca0077f72abc53bbbfd6b0a5f2d3905829aafeff1fead8f3"

static char root_v1[512], root_v2[512], proc_stat_root[512];

static int setup(void **state)
{
	(void)state;
	const char *r = getenv("HH_ROOT");
	if (!r)
		r = ".";
	snprintf(root_v1, sizeof(root_v1), "%s/tests/data/cgroup-v1", r);
	snprintf(root_v2, sizeof(root_v2), "%s/tests/data/cgroup-v2", r);
	snprintf(proc_stat_root, sizeof(proc_stat_root), "%s/tests/data/proc-stat", r);
	return access(root_v2, F_OK) == 0 ? 0 : -1;
}

static const struct hh_container_ref *find(const struct hh_container_ref *c, int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (strcmp(c[i].id, id) == 0)
			return &c[i];
	return NULL;
}

static void v2_discover_and_read(void **state)
{
	(void)state;
	struct hh_container_ref c[16];
	int n = hh_containers_discover(root_v2, c, 16);
	assert_int_equal(n, 3); /* podman's container/ subgroup is not a second one */
	const struct hh_container_ref *k = find(c, n, ID1);
	assert_non_null(k);
	assert_int_equal(k->version, 2);
	assert_string_equal(k->runtime, "containerd");
	assert_string_equal(k->pod_uid, "7e44ee88-1e65-4a16-8cdf-9a90c819180e");
	assert_non_null(strstr(k->cgroup_path, "/cri-containerd-" ID1 ".scope"));

	struct hh_cgroup_stats s;
	assert_int_equal(hh_cgroup_read_stats(root_v2, k, &s), 0);
	assert_true(s.time > 1.7e9);
	assert_int_equal(s.cpu_usage_ns, 2381520000ull);
	assert_int_equal(s.cpu_quota_us, 30000);
	assert_int_equal(s.cpu_period_us, 100000);
	assert_int_equal(s.nr_periods, 1207);
	assert_int_equal(s.nr_throttled, 1160);
	assert_int_equal(s.throttled_ns, 83617476000ull);
	assert_int_equal(s.mem_bytes, 4202496);
	assert_int_equal(s.mem_limit, 268435456);
	assert_int_equal(s.pids, 3);
	assert_int_equal(s.io_read_bytes, 1110116);
	assert_int_equal(s.io_write_bytes, 4296);

	const struct hh_container_ref *p = find(c, n, ID3);
	assert_non_null(p);
	assert_string_equal(p->runtime, "podman");
	assert_string_equal(p->cgroup_path, "/machine.slice/libpod-" ID3 ".scope");
	assert_int_equal(hh_cgroup_read_stats(root_v2, p, &s), 0);
	assert_int_equal(s.cpu_quota_us, -1); /* "max 100000" */
	assert_int_equal(s.cpu_period_us, 100000);
	assert_int_equal(s.mem_limit, 0);     /* "max" */
	assert_int_equal(s.cpu_usage_ns, 15000000000ull);
	assert_int_equal(s.io_read_bytes, 0);
}

static void v2_garbage_values(void **state)
{
	(void)state;
	struct hh_container_ref c[16];
	int n = hh_containers_discover(root_v2, c, 16);
	const struct hh_container_ref *g = find(c, n, ID2);
	assert_non_null(g);
	assert_string_equal(g->runtime, "docker");
	struct hh_cgroup_stats s;
	assert_int_equal(hh_cgroup_read_stats(root_v2, g, &s), 0);
	assert_int_equal(s.cpu_usage_ns, 0);          /* "notanumber" */
	assert_int_equal(s.nr_periods, 0);            /* beyond 64 bits */
	assert_int_equal(s.nr_throttled, 0);          /* negative */
	assert_int_equal(s.throttled_ns, UINT64_MAX); /* saturated, not wrapped */
	assert_int_equal(s.cpu_quota_us, -1);         /* "garbage" */
	assert_int_equal(s.mem_bytes, 0);             /* "12abc" */
	assert_int_equal(s.mem_limit, 0);
	assert_int_equal(s.pids, 0);                  /* missing */
	assert_int_equal(s.io_read_bytes, 0);
	assert_int_equal(s.io_write_bytes, UINT64_MAX); /* saturating sum */
}

static void v1_hybrid(void **state)
{
	(void)state;
	struct hh_container_ref c[16];
	int n = hh_containers_discover(root_v1, c, 16);
	assert_int_equal(n, 2);
	const struct hh_container_ref *p = find(c, n, ID3);
	assert_non_null(p);
	assert_int_equal(p->version, 1); /* hybrid: v1 holds the controllers */
	assert_string_equal(p->cgroup_path, "/libpod_parent/libpod-" ID3);
	struct hh_cgroup_stats s;
	assert_int_equal(hh_cgroup_read_stats(root_v1, p, &s), 0);
	assert_int_equal(s.cpu_usage_ns, 1531960630ull);
	assert_int_equal(s.cpu_quota_us, 30000);
	assert_int_equal(s.cpu_period_us, 100000);
	assert_int_equal(s.nr_periods, 50);
	assert_int_equal(s.nr_throttled, 49);
	assert_int_equal(s.throttled_ns, 3419471271ull);
	assert_int_equal(s.mem_bytes, 2195456);
	assert_int_equal(s.mem_limit, 0); /* 9223372036854771712 = unlimited */
	assert_int_equal(s.pids, 2);
	assert_int_equal(s.io_read_bytes, 8292);
	assert_int_equal(s.io_write_bytes, 4097);

	const struct hh_container_ref *d = find(c, n, ID1);
	assert_non_null(d);
	assert_string_equal(d->runtime, "docker");
	assert_int_equal(hh_cgroup_read_stats(root_v1, d, &s), 0);
	assert_int_equal(s.cpu_quota_us, -1);
	assert_int_equal(s.cpu_usage_ns, 77);
	assert_int_equal(s.mem_limit, 536870912);
	assert_int_equal(s.pids, 0);          /* no pids hierarchy entry */
	assert_int_equal(s.nr_periods, 0);    /* no cpu.stat */
}

static void gone_and_refused(void **state)
{
	(void)state;
	struct hh_container_ref r = { .version = 2 };
	struct hh_cgroup_stats s;
	snprintf(r.cgroup_path, sizeof(r.cgroup_path), "/system.slice/docker-%s.scope", ID3);
	assert_int_equal(hh_cgroup_read_stats(root_v2, &r, &s), -1);
	assert_int_equal(s.cpu_quota_us, -1);
	snprintf(r.cgroup_path, sizeof(r.cgroup_path), "/../cgroup-v1/cpu");
	assert_int_equal(hh_cgroup_read_stats(root_v2, &r, &s), -1);
	snprintf(r.cgroup_path, sizeof(r.cgroup_path), "relative");
	assert_int_equal(hh_cgroup_read_stats(root_v2, &r, &s), -1);
	r.version = 1;
	snprintf(r.cgroup_path, sizeof(r.cgroup_path), "/docker/%s/..", ID1);
	assert_int_equal(hh_cgroup_read_stats(root_v1, &r, &s), -1);

	struct hh_container_ref c[4];
	assert_int_equal(hh_containers_discover("/nonexistent/cgroup", c, 4), -1);
	/* cap: at most max */
	assert_int_equal(hh_containers_discover(root_v2, c, 1), 1);
	assert_int_equal(hh_containers_discover(root_v2, c, 0), 0);
}

static void real_hierarchy(void **state)
{
	(void)state;
	/* The machine's own hierarchy: discovery works and every container
	 * found can be read (its set depends on what runs now). */
	struct hh_container_ref *c = calloc(256, sizeof(*c));
	assert_non_null(c);
	int n = hh_containers_discover("/sys/fs/cgroup", c, 256);
	if (n < 0) {
		free(c);
		skip();
	}
	for (int i = 0; i < n; i++) {
		struct hh_cgroup_stats s;
		if (hh_cgroup_read_stats("/sys/fs/cgroup", &c[i], &s) == 0)
			assert_true(c[i].cgroup_path[0] == '/');
	}
	free(c);
}

static void node_cpu(void **state)
{
	(void)state;
	uint64_t busy, total;
	int ncpu;
	assert_int_equal(hh_node_cpu(proc_stat_root, &busy, &total, &ncpu), 0);
	/* user nice system idle iowait irq softirq steal */
	uint64_t t = 10132153ull + 290696 + 3084719 + 46828483 + 16683 + 0 + 25195 + 0;
	assert_int_equal(total, t);
	assert_int_equal(busy, t - 46828483 - 16683);
	assert_int_equal(ncpu, 2);
	assert_int_equal(hh_node_cpu("/proc", &busy, &total, &ncpu), 0);
	assert_true(ncpu >= 1 && total > busy);
	assert_int_equal(hh_node_cpu("/nonexistent", &busy, &total, &ncpu), -1);
	assert_int_equal(hh_node_cpu(root_v2, &busy, &total, &ncpu), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(v2_discover_and_read), cmocka_unit_test(v2_garbage_values),
		cmocka_unit_test(v1_hybrid),            cmocka_unit_test(gone_and_refused),
		cmocka_unit_test(real_hierarchy),       cmocka_unit_test(node_cpu),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
