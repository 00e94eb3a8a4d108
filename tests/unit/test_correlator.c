/* Correlator: behavior alone stays <= medium, a mining signal plus an
 * independent one is critical, reasons and score in the evidence, re-emission
 * only on growth, expiry and bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "correlation/correlator.h"

#define T0 1.8e9

static struct hh_workload wl(const char *id)
{
	struct hh_workload w = { 0 };
	hh_strlcpy(w.container_id, id, sizeof(w.container_id));
	hh_strlcpy(w.container_name, "kworker", sizeof(w.container_name));
	hh_strlcpy(w.image, "localhost/hh-minersim:latest", sizeof(w.image));
	return w;
}

static struct hh_finding *mk(const char *rule, enum hh_severity sev, double conf, const char *mitre)
{
	struct hh_finding *f = hh_finding_new("agent", rule, rule, sev, conf);
	if (mitre)
		hh_finding_add_mitre(f, mitre);
	return f;
}

/* Adds and frees the signal; returns the incident or NULL. */
static struct hh_finding *add(struct hh_correlator *c, const struct hh_workload *w, const char *rule,
			      enum hh_severity sev, double conf, const char *mitre, double t)
{
	struct hh_finding *f = mk(rule, sev, conf, mitre);
	if (strcmp(rule, "miner.exe-traits") == 0) {
		hh_finding_set_str(f, "proc.exepath", "/usr/bin/kworker");
		hh_finding_set_int(f, "proc.pid", 4242);
	}
	struct hh_finding *inc = hh_correlator_add(c, w, f, t);
	hh_finding_free(f);
	return inc;
}

static bool evidence_has(const struct hh_finding *f, const char *what, const char *needle)
{
	size_t i;
	json_t *e;
	json_array_foreach(f->evidence, i, e) {
		const char *v = json_string_value(json_object_get(e, "value"));
		if (strcmp(json_string_value(json_object_get(e, "what")), what) == 0 && (!needle || (v && strstr(v, needle))))
			return true;
	}
	return false;
}

static void categories(void **state)
{
	(void)state;
	struct { const char *rule, *mitre; enum hh_signal_category c; } cases[] = {
		{ "behavior.cpu-plateau", "T1496", HH_SIG_BEHAVIOR }, { "miner.exe-traits", "T1496", HH_SIG_MINING },
		{ "net.stratum.v1", "T1496", HH_SIG_MINING },          { "net.pool-port", NULL, HH_SIG_NETWORK },
		{ "posture.privileged", NULL, HH_SIG_CONTEXT },          { "rule.fpu-rounding", "T1496", HH_SIG_MINING },
		{ "rule.exec-from-tmp", "T1059", HH_SIG_EXEC },          { "incident.cryptomining", "T1496", HH_SIG_NONE },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hh_finding *f = mk(cases[i].rule, HH_SEV_MEDIUM, 0.5, cases[i].mitre);
		assert_int_equal(hh_signal_category_of(f), cases[i].c);
		hh_finding_free(f);
	}
	struct hh_finding *d = hh_finding_new("drill", "miner.exe-traits", "x", HH_SEV_INFO, 1);
	assert_int_equal(hh_signal_category_of(d), HH_SIG_NONE);
	hh_finding_free(d);
}

static void behavior_alone_stays_medium(void **state)
{
	(void)state;
	struct hh_correlator *c = hh_correlator_new(NULL);
	struct hh_workload w = wl("stress");
	/* stress-ng at 100%: plateau and sustained are one category: no incident. */
	assert_null(add(c, &w, "behavior.cpu-plateau", HH_SEV_MEDIUM, 0.4, "T1496", T0));
	assert_null(add(c, &w, "behavior.cpu-sustained", HH_SEV_LOW, 0.3, "T1496", T0 + 1));
	assert_null(add(c, &w, "behavior.cpu-duty-cycle", HH_SEV_MEDIUM, 0.45, "T1496", T0 + 2));
	/* Context raises the stakes but is not an independent signal. */
	struct hh_finding *inc = add(c, &w, "posture.no-cpu-limit", HH_SEV_LOW, 0.9, NULL, T0 + 3);
	assert_non_null(inc);
	assert_int_equal(inc->severity, HH_SEV_MEDIUM);
	assert_string_equal(inc->rule, "incident.cryptomining");
	assert_true(evidence_has(inc, "reason.behavior", "behavior.cpu-plateau"));
	assert_true(evidence_has(inc, "reason.context", "posture.no-cpu-limit"));
	hh_finding_free(inc);
	hh_correlator_free(c);
}

static void mining_plus_behavior_is_critical(void **state)
{
	(void)state;
	struct hh_correlator *c = hh_correlator_new(NULL);
	struct hh_workload w = wl("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	assert_null(add(c, &w, "behavior.cpu-plateau", HH_SEV_MEDIUM, 0.5, "T1496", T0));
	struct hh_finding *inc = add(c, &w, "miner.exe-traits", HH_SEV_HIGH, 0.9, "T1496", T0 + 5);
	assert_non_null(inc);
	assert_int_equal(inc->severity, HH_SEV_CRITICAL);
	assert_true(inc->confidence > 0.6);
	json_t *fields = inc->fields;
	assert_string_equal(json_string_value(json_object_get(fields, "container.id")), w.container_id);
	assert_string_equal(json_string_value(json_object_get(fields, "container.image.repository")),
			    "localhost/hh-minersim");
	assert_string_equal(json_string_value(json_object_get(fields, "proc.exepath")), "/usr/bin/kworker");
	assert_true(evidence_has(inc, "incident.score", NULL));
	assert_true(evidence_has(inc, "incident.categories", "behavior+mining"));
	assert_true(evidence_has(inc, "reason.mining", "miner.exe-traits (high"));
	hh_finding_free(inc);
	/* Nothing new: not emitted again. */
	assert_null(add(c, &w, "behavior.cpu-plateau", HH_SEV_MEDIUM, 0.5, "T1496", T0 + 10));
	assert_null(add(c, &w, "miner.exe-traits", HH_SEV_HIGH, 0.9, "T1496", T0 + 12));
	hh_correlator_free(c);
}

static void weak_signals_combine(void **state)
{
	(void)state;
	struct hh_correlator *c = hh_correlator_new(NULL);
	struct hh_workload w = wl("c2");
	/* A miner name alone (medium) forms no incident; with behavior it is high. */
	assert_null(add(c, &w, "miner.process-indicators", HH_SEV_MEDIUM, 0.5, "T1496", T0));
	struct hh_finding *inc = add(c, &w, "behavior.cpu-duty-cycle", HH_SEV_MEDIUM, 0.45, "T1496", T0 + 1);
	assert_non_null(inc);
	assert_int_equal(inc->severity, HH_SEV_HIGH);
	hh_finding_free(inc);
	/* A strong signal joins: grows to critical, emitted again. */
	inc = add(c, &w, "net.stratum.v1", HH_SEV_HIGH, 0.95, "T1496", T0 + 2);
	assert_non_null(inc);
	assert_int_equal(inc->severity, HH_SEV_CRITICAL);
	hh_finding_free(inc);
	/* Strong alone: high. */
	struct hh_workload w3 = wl("c3");
	inc = add(c, &w3, "miner.stratum-url", HH_SEV_HIGH, 0.95, "T1496", T0);
	assert_non_null(inc);
	assert_int_equal(inc->severity, HH_SEV_HIGH);
	hh_finding_free(inc);
	/* Host processes are not correlated. */
	struct hh_workload host = wl("");
	assert_null(add(c, &host, "miner.stratum-url", HH_SEV_HIGH, 0.95, "T1496", T0));
	assert_int_equal(hh_correlator_count(c), 2);
	hh_correlator_free(c);
}

static void expiry_and_bounds(void **state)
{
	(void)state;
	char path[64];
	snprintf(path, sizeof(path), "/tmp/hh-corr-test-%d.yaml", (int)getpid());
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("correlation:\n  window_s: 60\n  max_workloads: 4\n", fp);
	fclose(fp);
	struct hh_config cfg;
	char err[256];
	assert_int_equal(hh_config_load(&cfg, path, err, sizeof(err)), 0);
	unlink(path);
	struct hh_correlator *c = hh_correlator_new(&cfg);
	struct hh_workload w = wl("c1");
	assert_null(add(c, &w, "behavior.cpu-plateau", HH_SEV_MEDIUM, 0.5, "T1496", T0));
	/* 100 s later the plateau has expired: a weak indicator alone forms nothing. */
	assert_null(add(c, &w, "miner.process-indicators", HH_SEV_MEDIUM, 0.5, "T1496", T0 + 100));
	hh_correlator_expire(c, T0 + 1000);
	assert_int_equal(hh_correlator_count(c), 0);
	for (int i = 0; i < 20; i++) {
		char id[16];
		snprintf(id, sizeof(id), "x%d", i);
		struct hh_workload x = wl(id);
		assert_null(add(c, &x, "behavior.cpu-plateau", HH_SEV_MEDIUM, 0.5, "T1496", T0 + i));
		assert_true(hh_correlator_count(c) <= 4);
	}
	/* More than 16 distinct rules on one workload: bounded, still judged. */
	struct hh_workload y = wl("x19");
	for (int i = 0; i < 40; i++) {
		char rule[32];
		snprintf(rule, sizeof(rule), "rule.r%d", i);
		hh_finding_free(add(c, &y, rule, HH_SEV_LOW, 0.2, NULL, T0 + 20 + i));
	}
	hh_correlator_forget(c, "x19");
	assert_int_equal(hh_correlator_count(c), 3);
	hh_correlator_free(c);
	hh_config_free(&cfg);
}

static void count_mark(const struct hh_incident_mark *m, void *ctx)
{
	struct hh_incident_mark *last = ctx;
	*last = *m;
}

/* A mark restored from a previous run: the same incident is not emitted
 * again, a grown one is; stale marks are ignored; marks are exported. */
static void restored_marks(void **state)
{
	(void)state;
	struct hh_correlator *c = hh_correlator_new(NULL);
	struct hh_workload w = wl("aaaa"), w2 = wl("bbbb");
	struct hh_incident_mark m = { .severity = HH_SEV_HIGH, .categories = 1u << HH_SIG_MINING, .time = T0 };
	hh_strlcpy(m.container_id, "aaaa", sizeof(m.container_id));
	hh_correlator_restore(c, &m);
	struct hh_incident_mark stale = m;
	hh_strlcpy(stale.container_id, "bbbb", sizeof(stale.container_id));
	stale.time = T0 - 5000; /* beyond correlation.window_s (900) */
	hh_correlator_restore(c, &stale);
	assert_null(add(c, &w, "miner.exe-traits", HH_SEV_HIGH, 0.9, "T1496", T0 + 5));
	struct hh_finding *inc = add(c, &w, "behavior.cpu-plateau", HH_SEV_MEDIUM, 0.7, NULL, T0 + 10);
	assert_non_null(inc);
	assert_int_equal(inc->severity, HH_SEV_CRITICAL);
	hh_finding_free(inc);
	inc = add(c, &w2, "miner.exe-traits", HH_SEV_HIGH, 0.9, "T1496", T0 + 5);
	assert_non_null(inc); /* the stale mark did not hold it back */
	hh_finding_free(inc);
	struct hh_incident_mark last = { 0 };
	hh_correlator_marks(c, count_mark, &last);
	assert_true(last.container_id[0] != '\0');
	hh_correlator_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(categories),
		cmocka_unit_test(behavior_alone_stays_medium),
		cmocka_unit_test(mining_plus_behavior_is_critical),
		cmocka_unit_test(weak_signals_combine),
		cmocka_unit_test(expiry_and_bounds),
		cmocka_unit_test(restored_marks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
