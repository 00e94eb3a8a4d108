/* Sinks: the SQLite store (round trip, filters, row cap) and the metrics registry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sinks/metrics.h"
#include "sinks/store.h"

static void count_cb(const struct hh_finding *f, void *ctx)
{
	(void)f;
	(*(int *)ctx)++;
}

static void store_round_trip_and_cap(void **state)
{
	(void)state;
	char path[] = "/tmp/hh-store-XXXXXX";
	close(mkstemp(path));
	unlink(path);
	char err[256];
	struct hh_store *s = hh_store_open(path, 300, err, sizeof(err));
	assert_non_null(s);
	for (int i = 0; i < 1000; i++) {
		struct hh_finding *f = hh_finding_new("agent", i % 2 ? "a.rule" : "b.rule", "t",
						      i % 10 == 0 ? HH_SEV_HIGH : HH_SEV_LOW, 0.5);
		hh_finding_set_str(f, "container.id", i % 3 ? "aaaa1111" : "bbbb2222");
		assert_int_equal(hh_store_add(s, f), 0);
		hh_finding_free(f);
	}
	int n = 0;
	struct hh_store_query q = { .limit = 5000 };
	hh_store_query(s, &q, count_cb, &n);
	assert_true(n <= 300 + 256 && n >= 300); /* capped, trimmed every 256 inserts */
	n = 0;
	q.min_severity = HH_SEV_HIGH;
	q.container_id = "bbbb";
	hh_store_query(s, &q, count_cb, &n);
	assert_true(n > 0);
	uint64_t counts[5];
	assert_int_equal(hh_store_count_by_severity(s, counts), 0);
	assert_true(counts[HH_SEV_HIGH] > 0 && counts[HH_SEV_LOW] > counts[HH_SEV_HIGH]);
	/* a batch goes in whole, in one transaction */
	struct hh_finding *batch[3];
	for (int i = 0; i < 3; i++) {
		batch[i] = hh_finding_new("fleet", "c.rule", "t", HH_SEV_MEDIUM, 0.5);
		hh_finding_set_str(batch[i], "container.id", "cccc3333");
	}
	assert_int_equal(hh_store_add_many(s, batch, 3), 0);
	for (int i = 0; i < 3; i++)
		hh_finding_free(batch[i]);
	n = 0;
	struct hh_store_query qc = { .limit = 50, .container_id = "cccc" };
	hh_store_query(s, &qc, count_cb, &n);
	assert_int_equal(n, 3);
	hh_store_close(s);
	unlink(path);

	assert_null(hh_store_open("/nonexistent-dir/x.db", 0, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent-dir/x.db"));
}

static void metrics_render_and_cap(void **state)
{
	(void)state;
	struct hh_metrics *m = hh_metrics_new();
	hh_metrics_describe(m, "hh_test_total", HH_METRIC_COUNTER, "A test.");
	const char *l1[] = { "rule", "a\"b\\c\nd", NULL };
	hh_metrics_add(m, "hh_test_total", l1, 2);
	hh_metrics_add(m, "hh_test_total", l1, 3);
	hh_metrics_add(m, "undeclared", l1, 1);
	char name[32];
	for (int i = 0; i < HH_METRICS_MAX_SERIES + 10; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		const char *l[] = { "rule", name, NULL };
		hh_metrics_add(m, "hh_test_total", l, 1);
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	hh_metrics_render(m, fp);
	fclose(fp);
	assert_non_null(strstr(buf, "# TYPE hh_test_total counter"));
	assert_non_null(strstr(buf, "hh_test_total{rule=\"a\\\"b\\\\c\\nd\"} 5\n"));
	assert_null(strstr(buf, "undeclared"));
	assert_non_null(strstr(buf, "hashhound_metrics_dropped_series_total 11\n"));
	free(buf);
	hh_metrics_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(store_round_trip_and_cap),
		cmocka_unit_test(metrics_render_and_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
