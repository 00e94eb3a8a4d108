/* Behavior detectors over synthetic CPU series: miner-like (plateau at the
 * quota, throttled; 30% duty cycle) against benign-like (compile bursts,
 * compression with IO waits, stress-ng at 100%: a plateau, but never above
 * medium), regime shifts at an exec, config overrides, bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/config.h"
#include "detectors/behavior/behavior.h"
#include "detectors/behavior/behavior_detect.h"

#define T0 1.8e9
#define DT 2.0

static uint64_t rng_state;
static double rnd(void) /* deterministic uniform [0,1) */
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

static struct hh_workload wl(const char *id, const char *ns)
{
	struct hh_workload w = { 0 };
	hh_strlcpy(w.container_id, id, sizeof(w.container_id));
	hh_strlcpy(w.image, "localhost/hh-test:1", sizeof(w.image));
	hh_strlcpy(w.pod_namespace, ns, sizeof(w.pod_namespace));
	return w;
}

typedef double (*gen_fn)(int i);

/* Feeds n samples from gen, evaluating after each; returns findings. */
static void run_series(struct hh_behavior *b, const struct hh_workload *w, int n, gen_fn gen, double limit,
		       bool quota, double throttled, struct hh_findings *out)
{
	for (int i = 0; i < n; i++) {
		struct hh_cpu_sample s = { .t = T0 + i * DT, .usage = gen(i), .limit = limit, .has_quota = quota,
					   .throttled = throttled };
		assert_int_equal(hh_behavior_add_sample(b, w, &s), 1);
		hh_behavior_evaluate(b, w->container_id, s.t, out);
	}
}

static const struct hh_finding *find_rule(const struct hh_findings *l, const char *rule)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i]->rule, rule) == 0)
			return l->items[i];
	return NULL;
}

static double evidence_num(const struct hh_finding *f, const char *what)
{
	size_t i;
	json_t *e;
	json_array_foreach(f->evidence, i, e)
		if (strcmp(json_string_value(json_object_get(e, "what")), what) == 0)
			return json_number_value(json_object_get(e, "value"));
	fail_msg("no evidence %s in %s", what, f->rule);
	return NAN;
}

static void assert_at_most_medium(const struct hh_findings *l)
{
	for (size_t i = 0; i < l->n; i++)
		assert_true(l->items[i]->severity <= HH_SEV_MEDIUM);
}

static double miner_quota(int i) { (void)i; return 0.297 + 0.006 * rnd(); }

static void miner_plateau_at_quota(void **state)
{
	(void)state;
	rng_state = 1;
	struct hh_behavior *b = hh_behavior_new(NULL);
	struct hh_workload w = wl("c1", "default");
	struct hh_findings out = { 0 };
	run_series(b, &w, 40, miner_quota, 0.3, true, 0.95, &out);
	const struct hh_finding *p = find_rule(&out, "behavior.cpu-plateau");
	assert_non_null(p);
	assert_int_equal(p->severity, HH_SEV_MEDIUM);
	assert_true(fabs(evidence_num(p, "cpu.usage.mean_cores") - 0.3) < 0.01);
	assert_true(evidence_num(p, "cpu.usage.cv") < 0.02);
	assert_true(fabs(evidence_num(p, "cpu.quota_cores") - 0.3) < 1e-9);
	assert_true(evidence_num(p, "cpu.throttled_ratio") > 0.9);
	assert_non_null(find_rule(&out, "behavior.cpu-sustained"));
	assert_null(find_rule(&out, "behavior.cpu-duty-cycle"));
	assert_at_most_medium(&out);
	/* The workload identity travels with the finding. */
	assert_string_equal(json_string_value(json_object_get(p->fields, "container.id")), "c1");
	/* Cooldown: one plateau finding, not one per sample. */
	size_t n = 0;
	for (size_t i = 0; i < out.n; i++)
		n += strcmp(out.items[i]->rule, "behavior.cpu-plateau") == 0;
	assert_int_equal(n, 1);
	hh_findings_clear(&out);
	hh_behavior_free(b);
}

/* Fired after about the plateau window, not before: a fresh container is not a plateau. */
static void plateau_needs_the_window(void **state)
{
	(void)state;
	rng_state = 2;
	struct hh_behavior *b = hh_behavior_new(NULL);
	struct hh_workload w = wl("c1", "default");
	struct hh_findings out = { 0 };
	run_series(b, &w, 8, miner_quota, 0.3, true, 0.95, &out);
	assert_null(find_rule(&out, "behavior.cpu-plateau"));
	hh_findings_clear(&out);
	hh_behavior_free(b);
}

/* 30% duty: 6 s on at one core, 14 s off, no quota, 2 CPUs. */
static double miner_duty(int i)
{
	int phase = i % 10;
	return phase < 3 ? 0.97 + 0.03 * rnd() : 0.01 * rnd();
}

static void miner_duty_cycle(void **state)
{
	(void)state;
	rng_state = 3;
	struct hh_behavior *b = hh_behavior_new(NULL);
	struct hh_workload w = wl("c2", "default");
	struct hh_findings out = { 0 };
	run_series(b, &w, 100, miner_duty, 2, false, 0, &out);
	const struct hh_finding *d = find_rule(&out, "behavior.cpu-duty-cycle");
	assert_non_null(d);
	assert_true(fabs(evidence_num(d, "cpu.duty.period_s") - 20) < 0.5);
	assert_true(fabs(evidence_num(d, "cpu.duty.fraction") - 0.3) < 0.05);
	assert_true(evidence_num(d, "cpu.duty.autocorrelation") > 0.8);
	assert_null(find_rule(&out, "behavior.cpu-plateau"));
	assert_null(find_rule(&out, "behavior.cpu-sustained"));
	assert_at_most_medium(&out);
	hh_findings_clear(&out);
	hh_behavior_free(b);
}

/* A compile: bursts of random length and random gaps, up to 2 cores. */
static int burst_left, gap_left;
static double compile_bursts(int i)
{
	(void)i;
	if (burst_left > 0) {
		burst_left--;
		return 0.8 + 1.2 * rnd();
	}
	if (gap_left > 0) {
		gap_left--;
		return 0.05 * rnd();
	}
	burst_left = 1 + (int)(rnd() * 12);
	gap_left = 1 + (int)(rnd() * 9);
	return 0.05 * rnd();
}

static double compression_io(int i) { (void)i; return 0.35 + 0.6 * rnd(); }
static double stress_full(int i) { (void)i; return 1.995 + 0.005 * rnd(); }

static void benign_workloads(void **state)
{
	(void)state;
	rng_state = 4;
	struct hh_behavior *b = hh_behavior_new(NULL);
	struct hh_findings out = { 0 };
	struct hh_workload cc = wl("gcc", "build");
	run_series(b, &cc, 150, compile_bursts, 2, false, 0, &out);
	assert_null(find_rule(&out, "behavior.cpu-plateau"));
	assert_null(find_rule(&out, "behavior.cpu-duty-cycle"));
	assert_null(find_rule(&out, "behavior.cpu-sustained"));
	struct hh_workload xz = wl("xz", "build");
	run_series(b, &xz, 150, compression_io, 2, false, 0, &out);
	assert_int_equal(out.n, 0);
	/* stress-ng at 100% of the node: a plateau and sustained, honestly, but
	 * behavior alone never goes above medium. */
	struct hh_workload st = wl("stress", "build");
	run_series(b, &st, 60, stress_full, 2, false, 0, &out);
	assert_non_null(find_rule(&out, "behavior.cpu-plateau"));
	assert_non_null(find_rule(&out, "behavior.cpu-sustained"));
	assert_at_most_medium(&out);
	hh_findings_clear(&out);
	hh_behavior_free(b);
}

static void regime_after_exec(void **state)
{
	(void)state;
	rng_state = 5;
	struct hh_behavior *b = hh_behavior_new(NULL);
	struct hh_workload w = wl("c3", "web");
	struct hh_findings out = { 0 };
	/* An idle web app; at sample 30 /tmp/.x/kworker is executed and CPU jumps. */
	for (int i = 0; i < 60; i++) {
		double t = T0 + i * DT;
		if (i == 20)
			assert_true(hh_behavior_note_exec(b, &w, t - 1, "/usr/sbin/nginx"));
		if (i == 30) {
			assert_true(hh_behavior_note_exec(b, &w, t - 1, "/tmp/.x/kworker"));
			assert_false(hh_behavior_note_exec(b, &w, t - 1, "/tmp/.x/kworker"));
		}
		struct hh_cpu_sample s = { .t = t, .usage = (i < 30 ? 0.02 : 0.9) + 0.01 * rnd(), .limit = 2 };
		hh_behavior_add_sample(b, &w, &s);
		hh_behavior_evaluate(b, "c3", t, &out);
	}
	const struct hh_finding *r = find_rule(&out, "behavior.cpu-new-regime");
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r->fields, "proc.exepath")), "/tmp/.x/kworker");
	assert_true(evidence_num(r, "cpu.regime.shift_cores") > 0.8);
	size_t n = 0;
	for (size_t i = 0; i < out.n; i++)
		n += strcmp(out.items[i]->rule, "behavior.cpu-new-regime") == 0;
	assert_int_equal(n, 1); /* the nginx exec changed nothing */
	hh_findings_clear(&out);
	hh_behavior_free(b);
}

static const char *write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/hh-behavior-test-%d.yaml", (int)getpid());
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

static void overrides_per_namespace(void **state)
{
	(void)state;
	const char *path = write_tmp("behavior:\n  max_workloads: 3\n"
				     "overrides:\n  - match: { namespace: \"batch-*\" }\n"
				     "    set: { behavior.plateau.enabled: false, behavior.sustained.min_fraction: 1.5 }\n");
	struct hh_config cfg;
	char err[256];
	assert_int_equal(hh_config_load(&cfg, path, err, sizeof(err)), 0);
	unlink(path);
	struct hh_behavior *b = hh_behavior_new(&cfg);
	struct hh_findings out = { 0 };
	rng_state = 6;
	struct hh_workload batch = wl("enc", "batch-video");
	run_series(b, &batch, 40, miner_quota, 0.3, true, 0.9, &out);
	assert_int_equal(out.n, 0);
	struct hh_workload other = wl("web", "shop");
	run_series(b, &other, 40, miner_quota, 0.3, true, 0.9, &out);
	assert_non_null(find_rule(&out, "behavior.cpu-plateau"));
	/* Bounded: max_workloads 3, the least recently updated goes. */
	for (int i = 0; i < 10; i++) {
		char id[16];
		snprintf(id, sizeof(id), "x%d", i);
		struct hh_workload w = wl(id, "ns");
		struct hh_cpu_sample s = { .t = T0, .usage = 0.1, .limit = 1 };
		hh_behavior_add_sample(b, &w, &s);
		assert_true(hh_behavior_count(b) <= 3);
	}
	assert_null(hh_behavior_series(b, "enc"));
	assert_non_null(hh_behavior_series(b, "x9"));
	hh_behavior_forget(b, "x9");
	assert_null(hh_behavior_series(b, "x9"));
	assert_int_equal(hh_behavior_count(b), 2);
	hh_findings_clear(&out);
	hh_behavior_free(b);
	hh_config_free(&cfg);
}

static void counters_to_samples(void **state)
{
	(void)state;
	struct hh_behavior *b = hh_behavior_new(NULL);
	struct hh_workload w = wl("c4", "");
	struct hh_cgroup_stats st = { .time = T0, .cpu_usage_ns = 5000000000ULL, .cpu_quota_us = 30000,
				      .cpu_period_us = 100000, .nr_periods = 100, .nr_throttled = 10 };
	assert_int_equal(hh_behavior_add_stats(b, &w, &st, 2), 0); /* baseline */
	st.time += 2;
	st.cpu_usage_ns += 600000000ULL; /* 0.6 s of CPU in 2 s */
	st.nr_periods += 20;
	st.nr_throttled += 18;
	assert_int_equal(hh_behavior_add_stats(b, &w, &st, 2), 1);
	const struct hh_cpu_sample *s = hh_cpu_series_last(hh_behavior_series(b, "c4"));
	assert_true(fabs(s->usage - 0.3) < 1e-9);
	assert_true(fabs(s->limit - 0.3) < 1e-9);
	assert_true(s->has_quota);
	assert_true(fabs(s->throttled - 0.9) < 1e-9);
	/* No quota: the node's CPUs are the limit. */
	st.time += 2;
	st.cpu_quota_us = -1;
	assert_int_equal(hh_behavior_add_stats(b, &w, &st, 4), 1);
	assert_true(fabs(hh_cpu_series_last(hh_behavior_series(b, "c4"))->limit - 4) < 1e-9);
	/* Same time again, then a counter going backwards (recreated cgroup): no sample, series reset. */
	assert_int_equal(hh_behavior_add_stats(b, &w, &st, 4), 0);
	st.time += 2;
	st.cpu_usage_ns = 1000;
	assert_int_equal(hh_behavior_add_stats(b, &w, &st, 4), 0);
	assert_int_equal(hh_behavior_series(b, "c4")->n, 0);
	/* Workloads without an id are not tracked. */
	struct hh_workload host = wl("", "");
	assert_int_equal(hh_behavior_add_stats(b, &host, &st, 4), 0);
	assert_int_equal(hh_behavior_count(b), 1);
	hh_behavior_free(b);
}

static void hostile_samples(void **state)
{
	(void)state;
	struct hh_cpu_series cs;
	assert_int_equal(hh_cpu_series_init(&cs, 3), 0);
	assert_int_equal(cs.cap, 8);
	struct hh_cpu_sample s = { .t = T0, .usage = 0.5, .limit = 1 };
	assert_true(hh_cpu_series_push(&cs, &s));
	assert_false(hh_cpu_series_push(&cs, &s)); /* same time */
	s.t = T0 - 1;
	assert_false(hh_cpu_series_push(&cs, &s)); /* older */
	s.t = T0 + 1;
	s.usage = NAN;
	assert_false(hh_cpu_series_push(&cs, &s));
	s.usage = INFINITY;
	assert_false(hh_cpu_series_push(&cs, &s));
	s.usage = -1;
	assert_false(hh_cpu_series_push(&cs, &s));
	for (int i = 0; i < 20; i++) { /* wraps */
		s.t = T0 + 10 + i;
		s.usage = i;
		assert_true(hh_cpu_series_push(&cs, &s));
	}
	assert_int_equal(cs.n, 8);
	assert_true(hh_cpu_series_at(&cs, 0)->usage == 12);
	assert_true(hh_cpu_series_last(&cs)->usage == 19);
	assert_null(hh_cpu_series_at(&cs, 8));
	struct hh_cpu_window w;
	hh_cpu_window_stats(&cs, T0 + 100, T0 + 200, &w);
	assert_int_equal(w.n, 0);
	hh_cpu_window_stats(&cs, 0, 1e18, &w);
	assert_true(fabs(w.mean - 15.5) < 1e-9);
	/* Detectors on a nearly empty or flat-zero series decide nothing. */
	struct hh_behavior_params p;
	hh_behavior_params_default(&p);
	struct hh_behavior_hit h;
	bool final;
	assert_false(hh_detect_duty(&cs, &p, T0 + 30, &h));
	assert_int_equal(hh_detect_regime(&cs, &p, T0 + 5, T0 + 30, &h, &final), -1);
	hh_cpu_series_clear(&cs);
	for (int i = 0; i < 60; i++) {
		s.t = T0 + i * 2;
		s.usage = 0;
		hh_cpu_series_push(&cs, &s);
	}
	assert_false(hh_detect_plateau(&cs, &p, T0 + 118, &h));
	assert_false(hh_detect_sustained(&cs, &p, T0 + 118, &h));
	assert_false(hh_detect_duty(&cs, &p, T0 + 118, &h));
	double x[4] = { 1, 1, 1, 1 };
	assert_true(hh_autocorr(x, 4, 1) == 0);
	assert_true(hh_autocorr(x, 4, 9) == 0);
	hh_cpu_series_free(&cs);
}

/* The documented defaults in config/hashhound.yaml are the built-in ones. */
static void yaml_defaults_match(void **state)
{
	(void)state;
	struct hh_config cfg;
	char err[256];
	assert_int_equal(hh_config_load(&cfg, NULL, err, sizeof(err)), 0);
	struct hh_behavior_params a, d;
	hh_behavior_params_load(&a, &cfg, NULL);
	hh_behavior_params_default(&d);
	assert_memory_equal(&a, &d, sizeof(a));
	assert_int_equal(hh_config_int(&cfg, NULL, "behavior.ring_samples", -1), 128);
	assert_int_equal(hh_config_int(&cfg, NULL, "behavior.max_workloads", -1), 4096);
	hh_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(miner_plateau_at_quota),  cmocka_unit_test(plateau_needs_the_window),
		cmocka_unit_test(miner_duty_cycle),        cmocka_unit_test(benign_workloads),
		cmocka_unit_test(regime_after_exec),       cmocka_unit_test(overrides_per_namespace),
		cmocka_unit_test(counters_to_samples),     cmocka_unit_test(hostile_samples),
		cmocka_unit_test(yaml_defaults_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
