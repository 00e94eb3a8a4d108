/* Correlator: signal classes, the scoring table (weak pairs never high, a
 * signal that speaks of mining or two independent strong ones needed),
 * reasons and score in the evidence, re-emission only on growth, expiry and
 * bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "correlation/correlator.h"
#include "correlation/verdict.h"

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

static void classes(void **state)
{
	(void)state;
	struct { const char *rule, *mitre; enum hh_signal_class c; } cases[] = {
		{ "behavior.cpu-plateau", "T1496", HH_CLS_BEHAVIOR_CPU },
		{ "miner.exe-traits", "T1496", HH_CLS_MINER_CODE },
		{ "net.stratum.v1", "T1496", HH_CLS_MINING_PROTOCOL },
		{ "net.stratum.cryptonote", "T1496", HH_CLS_MINING_PROTOCOL },
		{ "net.miner-pool-port", "T1496", HH_CLS_MINER_PORT },
		{ "net.pool-ip", NULL, HH_CLS_POOL_INTEL },
		{ "net.miner-pool-domain", "T1496", HH_CLS_POOL_INTEL },
		{ "net.tls-mining-behavior", "T1496", HH_CLS_MINING_FLOW },
		{ "posture.privileged", NULL, HH_CLS_POSTURE },
		{ "audit.create-host-namespace-pod", NULL, HH_CLS_POSTURE },
		{ "miner.fpu-randomx", "T1496", HH_CLS_FPU_ROUNDING },
		{ "miner.randomx-profile", "T1496", HH_CLS_RANDOMX_PROFILE },
		{ "exec.tmp-dir", "T1059", HH_CLS_EXEC_DRIFT },
		{ "container.drift-exec", "T1496", HH_CLS_EXEC_DRIFT },
		{ "escape.runtime-socket", "T1611", HH_CLS_HOST_ACCESS },
		{ "rule.custom-miner", "T1496", HH_CLS_MINER_CODE },
		{ "incident.cryptomining", "T1496", HH_CLS_NONE },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hh_finding *f = mk(cases[i].rule, HH_SEV_MEDIUM, 0.5, cases[i].mitre);
		enum hh_signal_class got = hh_signal_class_of(f);
		if (got != cases[i].c)
			fail_msg("%s: class %s, want %s", cases[i].rule, hh_signal_class_name(got),
				 hh_signal_class_name(cases[i].c));
		hh_finding_free(f);
	}
	struct hh_finding *d = hh_finding_new("drill", "miner.exe-traits", "x", HH_SEV_INFO, 1);
	assert_int_equal(hh_signal_class_of(d), HH_CLS_NONE);
	hh_finding_free(d);
	/* miner code and pool intel speak of mining only at high and above */
	assert_int_equal(hh_signal_strength_of(HH_CLS_MINER_CODE, HH_SEV_HIGH), HH_STR_DECISIVE);
	assert_int_equal(hh_signal_strength_of(HH_CLS_MINER_CODE, HH_SEV_MEDIUM), HH_STR_STRONG);
	assert_int_equal(hh_signal_strength_of(HH_CLS_MINER_CODE, HH_SEV_LOW), HH_STR_WEAK);
	assert_int_equal(hh_signal_strength_of(HH_CLS_POOL_INTEL, HH_SEV_LOW), HH_STR_STRONG);
	assert_int_equal(hh_signal_strength_of(HH_CLS_BEHAVIOR_CPU, HH_SEV_CRITICAL), HH_STR_WEAK);
	assert_int_equal(hh_signal_strength_of(HH_CLS_POSTURE, HH_SEV_CRITICAL), HH_STR_CONTEXT);
}

/* The scoring table: each row a set of signals and the verdict it must get. */
struct row {
	const char *name;
	struct hh_signal_summary sig[4];
	size_t n;
	int sev; /* -1: no incident */
};

#define S(c, s, p) { HH_CLS_##c, HH_SEV_##s, p }
static const struct row table[] = {
	/* weak pairs: never high (issue 9) */
	{ "cpu + miner-port", { S(BEHAVIOR_CPU, MEDIUM, 0.5), S(MINER_PORT, LOW, 0.5) }, 2, HH_SEV_MEDIUM },
	{ "cpu + exec from /tmp", { S(BEHAVIOR_CPU, MEDIUM, 0.5), S(EXEC_DRIFT, MEDIUM, 0.6) }, 2, HH_SEV_MEDIUM },
	{ "cpu + rounding churn", { S(BEHAVIOR_CPU, MEDIUM, 0.5), S(FPU_ROUNDING, MEDIUM, 0.6) }, 2, HH_SEV_MEDIUM },
	{ "cpu + mining-shaped TLS", { S(BEHAVIOR_CPU, MEDIUM, 0.5), S(MINING_FLOW, MEDIUM, 0.6) }, 2, HH_SEV_MEDIUM },
	{ "socket reader", { S(HOST_ACCESS, HIGH, 0.8), S(POSTURE, MEDIUM, 0.9) }, 2, HH_SEV_MEDIUM },
	{ "privileged + plateau", { S(BEHAVIOR_CPU, MEDIUM, 0.5), S(POSTURE, HIGH, 0.9) }, 2, HH_SEV_MEDIUM },
	{ "all weak at once", { S(BEHAVIOR_CPU, HIGH, 0.9), S(MINER_PORT, HIGH, 0.9), S(EXEC_DRIFT, HIGH, 0.9),
				S(POSTURE, HIGH, 0.9) }, 4, HH_SEV_MEDIUM },
	{ "miner name + cpu", { S(MINER_CODE, MEDIUM, 0.5), S(BEHAVIOR_CPU, MEDIUM, 0.5) }, 2, HH_SEV_MEDIUM },
	/* a wallet alone (low miner hint) is a hint: with rounding churn it
	 * stays medium, where a medium miner hint makes it high */
	{ "wallet + rounding churn", { S(MINER_CODE, LOW, 0.4), S(FPU_ROUNDING, MEDIUM, 0.8) }, 2, HH_SEV_MEDIUM },
	{ "miner flags + rounding", { S(MINER_CODE, MEDIUM, 0.6), S(FPU_ROUNDING, MEDIUM, 0.8) }, 2, HH_SEV_HIGH },
	/* one layer, nothing decisive: no incident */
	{ "behavior alone", { S(BEHAVIOR_CPU, MEDIUM, 0.5), S(BEHAVIOR_CPU, LOW, 0.3) }, 2, -1 },
	{ "rounding churn alone", { S(FPU_ROUNDING, MEDIUM, 0.8) }, 1, -1 },
	{ "cpu + info posture", { S(BEHAVIOR_CPU, MEDIUM, 0.5), S(POSTURE, INFO, 0.9) }, 2, -1 },
	{ "same layer twice", { S(FPU_ROUNDING, MEDIUM, 0.8), S(RANDOMX_PROFILE, HIGH, 0.9) }, 2, HH_SEV_HIGH },
	/* decisive alone: high */
	{ "protocol login", { S(MINING_PROTOCOL, HIGH, 0.95) }, 1, HH_SEV_HIGH },
	{ "randomx profile", { S(RANDOMX_PROFILE, HIGH, 0.9) }, 1, HH_SEV_HIGH },
	{ "randomx + cpu", { S(RANDOMX_PROFILE, HIGH, 0.9), S(BEHAVIOR_CPU, MEDIUM, 0.5) }, 2, HH_SEV_HIGH },
	{ "miner exe + posture", { S(MINER_CODE, HIGH, 0.9), S(POSTURE, LOW, 0.9) }, 2, HH_SEV_HIGH },
	/* two independent strong: high */
	{ "rounding + mining flow", { S(FPU_ROUNDING, MEDIUM, 0.8), S(MINING_FLOW, MEDIUM, 0.6) }, 2, HH_SEV_HIGH },
	{ "pool ip + rounding", { S(POOL_INTEL, LOW, 0.4), S(FPU_ROUNDING, MEDIUM, 0.8) }, 2, HH_SEV_HIGH },
	/* decisive confirmed by an independent layer: critical */
	{ "login + randomx", { S(MINING_PROTOCOL, HIGH, 0.95), S(RANDOMX_PROFILE, HIGH, 0.9) }, 2, HH_SEV_CRITICAL },
	{ "randomx + flow", { S(RANDOMX_PROFILE, HIGH, 0.9), S(MINING_FLOW, MEDIUM, 0.6) }, 2, HH_SEV_CRITICAL },
	{ "miner exe + protocol", { S(MINER_CODE, HIGH, 0.9), S(MINING_PROTOCOL, HIGH, 0.95) }, 2, HH_SEV_CRITICAL },
};
#undef S

static void scoring_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct hh_verdict v;
		hh_verdict_judge(table[i].sig, table[i].n, NULL, NULL, &v);
		int got = v.forms ? (int)v.severity : -1;
		if (got != table[i].sev)
			fail_msg("%s: got %s, want %s (%s)", table[i].name, got < 0 ? "none" : hh_severity_name(v.severity),
				 table[i].sev < 0 ? "none" : hh_severity_name((enum hh_severity)table[i].sev), v.why);
		if (v.forms) {
			assert_true(v.score > 0 && v.score <= 100);
			assert_non_null(strstr(v.why, hh_severity_name(v.severity)));
		}
	}
	/* weights come from correlation.weight.<class> */
	char path[64];
	snprintf(path, sizeof(path), "/tmp/hh-corr-w-%d.yaml", (int)getpid());
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("correlation:\n  weight:\n    randomx-profile: 90\n", fp);
	fclose(fp);
	struct hh_config cfg;
	char err[256];
	assert_int_equal(hh_config_load(&cfg, path, err, sizeof(err)), 0);
	unlink(path);
	struct hh_signal_summary one = { HH_CLS_RANDOMX_PROFILE, HH_SEV_HIGH, 1.0 };
	struct hh_verdict v;
	hh_verdict_judge(&one, 1, &cfg, NULL, &v);
	assert_true(v.score > 89.9 && v.score < 90.1);
	hh_verdict_judge(&one, 1, NULL, NULL, &v);
	assert_true(v.score > 64.9 && v.score < 65.1);
	hh_config_free(&cfg);
}

static void behavior_alone_stays_medium(void **state)
{
	(void)state;
	struct hh_correlator *c = hh_correlator_new(NULL);
	struct hh_workload w = wl("stress");
	/* stress-ng at 100%: plateau and sustained are one class: no incident. */
	assert_null(add(c, &w, "behavior.cpu-plateau", HH_SEV_MEDIUM, 0.4, "T1496", T0));
	assert_null(add(c, &w, "behavior.cpu-sustained", HH_SEV_LOW, 0.3, "T1496", T0 + 1));
	assert_null(add(c, &w, "behavior.cpu-duty-cycle", HH_SEV_MEDIUM, 0.45, "T1496", T0 + 2));
	/* Context raises the stakes but is not an independent signal. */
	struct hh_finding *inc = add(c, &w, "posture.no-cpu-limit", HH_SEV_LOW, 0.9, NULL, T0 + 3);
	assert_non_null(inc);
	assert_int_equal(inc->severity, HH_SEV_MEDIUM);
	assert_string_equal(inc->rule, "incident.cryptomining");
	assert_true(evidence_has(inc, "reason.behavior-cpu", "behavior.cpu-plateau"));
	assert_true(evidence_has(inc, "reason.posture-context", "posture.no-cpu-limit"));
	assert_true(evidence_has(inc, "incident.verdict", "nothing speaks of mining itself"));
	hh_finding_free(inc);
	/* a pool-port connect and an exec from /tmp join: still medium (classes grew: emitted again) */
	inc = add(c, &w, "net.miner-pool-port", HH_SEV_LOW, 0.5, "T1496", T0 + 4);
	assert_non_null(inc);
	assert_int_equal(inc->severity, HH_SEV_MEDIUM);
	hh_finding_free(inc);
	inc = add(c, &w, "exec.tmp-dir", HH_SEV_MEDIUM, 0.6, "T1059", T0 + 5);
	assert_non_null(inc);
	assert_int_equal(inc->severity, HH_SEV_MEDIUM);
	hh_finding_free(inc);
	hh_correlator_free(c);
}

static void mining_plus_behavior(void **state)
{
	(void)state;
	struct hh_correlator *c = hh_correlator_new(NULL);
	struct hh_workload w = wl("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	assert_null(add(c, &w, "behavior.cpu-plateau", HH_SEV_MEDIUM, 0.5, "T1496", T0));
	struct hh_finding *inc = add(c, &w, "miner.exe-traits", HH_SEV_HIGH, 0.9, "T1496", T0 + 5);
	assert_non_null(inc);
	assert_int_equal(inc->severity, HH_SEV_HIGH);
	assert_true(inc->confidence > 0.5);
	json_t *fields = inc->fields;
	assert_string_equal(json_string_value(json_object_get(fields, "container.id")), w.container_id);
	assert_string_equal(json_string_value(json_object_get(fields, "container.image.repository")),
			    "localhost/hh-minersim");
	assert_string_equal(json_string_value(json_object_get(fields, "proc.exepath")), "/usr/bin/kworker");
	assert_true(evidence_has(inc, "incident.score", NULL));
	assert_true(evidence_has(inc, "incident.classes", "miner-code+behavior-cpu"));
	assert_true(evidence_has(inc, "reason.miner-code", "its binary, arguments or environment are a miner's [miner.exe-traits, high"));
	hh_finding_free(inc);
	/* Nothing new: not emitted again. */
	assert_null(add(c, &w, "behavior.cpu-plateau", HH_SEV_MEDIUM, 0.5, "T1496", T0 + 10));
	assert_null(add(c, &w, "miner.exe-traits", HH_SEV_HIGH, 0.9, "T1496", T0 + 12));
	/* the protocol confirms it from another layer: critical, emitted again */
	inc = add(c, &w, "net.stratum.cryptonote", HH_SEV_HIGH, 0.95, "T1496", T0 + 13);
	assert_non_null(inc);
	assert_int_equal(inc->severity, HH_SEV_CRITICAL);
	assert_true(evidence_has(inc, "incident.verdict", "confirmed by independent evidence"));
	hh_finding_free(inc);
	hh_correlator_free(c);
}

static void randomx_profile_and_login(void **state)
{
	(void)state;
	struct hh_correlator *c = hh_correlator_new(NULL);
	struct hh_workload w = wl("rx");
	/* rounding churn alone: nothing; with the CPU plateau: medium */
	assert_null(add(c, &w, "miner.fpu-randomx", HH_SEV_MEDIUM, 0.6, "T1496", T0));
	struct hh_finding *inc = add(c, &w, "behavior.cpu-plateau", HH_SEV_MEDIUM, 0.5, "T1496", T0 + 1);
	assert_non_null(inc);
	assert_int_equal(inc->severity, HH_SEV_MEDIUM);
	hh_finding_free(inc);
	inc = add(c, &w, "miner.randomx-profile", HH_SEV_HIGH, 0.9, "T1496", T0 + 2);
	assert_non_null(inc);
	assert_int_equal(inc->severity, HH_SEV_HIGH);
	assert_true(evidence_has(inc, "reason.randomx-profile", "RandomX VM"));
	hh_finding_free(inc);
	inc = add(c, &w, "net.stratum.cryptonote", HH_SEV_HIGH, 0.95, "T1496", T0 + 3);
	assert_non_null(inc);
	assert_int_equal(inc->severity, HH_SEV_CRITICAL);
	assert_true(evidence_has(inc, "reason.mining-protocol", "net.stratum.cryptonote"));
	assert_true(evidence_has(inc, "reason.randomx-profile", "miner.randomx-profile"));
	hh_finding_free(inc);
	/* host processes are not correlated */
	struct hh_workload host = wl("");
	assert_null(add(c, &host, "miner.stratum-url", HH_SEV_HIGH, 0.95, "T1496", T0));
	assert_int_equal(hh_correlator_count(c), 1);
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
	struct hh_incident_mark m = { .severity = HH_SEV_HIGH, .classes = 1u << HH_CLS_MINER_CODE, .time = T0 };
	hh_strlcpy(m.container_id, "aaaa", sizeof(m.container_id));
	hh_correlator_restore(c, &m);
	struct hh_incident_mark stale = m;
	hh_strlcpy(stale.container_id, "bbbb", sizeof(stale.container_id));
	stale.time = T0 - 5000; /* beyond correlation.window_s (900) */
	hh_correlator_restore(c, &stale);
	assert_null(add(c, &w, "miner.exe-traits", HH_SEV_HIGH, 0.9, "T1496", T0 + 5));
	struct hh_finding *inc = add(c, &w, "behavior.cpu-plateau", HH_SEV_MEDIUM, 0.7, NULL, T0 + 10);
	assert_non_null(inc);
	assert_true(inc->severity >= HH_SEV_HIGH); /* grown: a new class joined */
	hh_finding_free(inc);
	inc = add(c, &w2, "miner.exe-traits", HH_SEV_HIGH, 0.9, "T1496", T0 + 5);
	assert_non_null(inc); /* the stale mark did not hold it back */
	hh_finding_free(inc);
	struct hh_incident_mark last = { 0 };
	hh_correlator_marks(c, count_mark, &last);
	assert_true(last.container_id[0] != '\0');
	hh_correlator_free(c);
}

/* A finding that arrives after its container is gone does not start a
 * second, smaller incident; one that adds a class does. */
static void late_finding_after_forget(void **state)
{
	(void)state;
	struct hh_correlator *c = hh_correlator_new(NULL);
	struct hh_workload w = wl("dddd");
	struct hh_finding *inc = add(c, &w, "net.stratum-login", HH_SEV_HIGH, 0.95, "T1496", T0);
	assert_non_null(inc);
	hh_finding_free(inc);
	inc = add(c, &w, "miner.randomx-profile", HH_SEV_HIGH, 0.9, "T1496", T0 + 5);
	assert_non_null(inc);
	assert_int_equal(inc->severity, HH_SEV_CRITICAL);
	hh_finding_free(inc);
	hh_correlator_forget(c, "dddd");
	assert_int_equal(hh_correlator_count(c), 0);
	/* the last poll of the dying miner: nothing new */
	assert_null(add(c, &w, "miner.randomx-profile", HH_SEV_HIGH, 0.9, "T1496", T0 + 10));
	/* a class not in the incident yet: it grows */
	inc = add(c, &w, "behavior.cpu-plateau", HH_SEV_MEDIUM, 0.5, "T1496", T0 + 11);
	assert_non_null(inc);
	hh_finding_free(inc);
	/* after the window the mark is gone */
	hh_correlator_forget(c, "dddd");
	hh_correlator_expire(c, T0 + 5000);
	inc = add(c, &w, "miner.randomx-profile", HH_SEV_HIGH, 0.9, "T1496", T0 + 5001);
	assert_non_null(inc);
	hh_finding_free(inc);
	hh_correlator_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(classes),
		cmocka_unit_test(scoring_table),
		cmocka_unit_test(behavior_alone_stays_medium),
		cmocka_unit_test(mining_plus_behavior),
		cmocka_unit_test(randomx_profile_and_login),
		cmocka_unit_test(expiry_and_bounds),
		cmocka_unit_test(restored_marks),
		cmocka_unit_test(late_finding_after_forget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
