/* --format falco: each line has the keys and types of Falco's JSON output
 * (json_output: true), field by field, as falcosidekick reads it: priority
 * one of Falco's names, rule and time present, time RFC 3339 with
 * nanoseconds, output_fields a non-empty object of scalars. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sinks/falco_format.h"
#include "sinks/output.h"

static void check_falco_object(json_t *j)
{
	static const char *const keys[] = { "hostname", "output", "priority", "rule", "source", "tags", "time",
					    "output_fields" };
	assert_true(json_is_object(j));
	assert_int_equal(json_object_size(j), sizeof(keys) / sizeof(keys[0]));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_non_null(json_object_get(j, keys[i]));
	static const char *const prios[] = { "Emergency", "Alert", "Critical", "Error", "Warning", "Notice",
					     "Informational", "Debug" };
	const char *p = json_string_value(json_object_get(j, "priority"));
	assert_non_null(p);
	bool known = false;
	for (size_t i = 0; i < sizeof(prios) / sizeof(prios[0]); i++)
		known |= !strcmp(p, prios[i]);
	assert_true(known);
	assert_true(json_string_length(json_object_get(j, "rule")) > 0);
	assert_true(json_string_length(json_object_get(j, "hostname")) > 0);
	assert_true(json_string_length(json_object_get(j, "source")) > 0);
	const char *out = json_string_value(json_object_get(j, "output"));
	const char *t = json_string_value(json_object_get(j, "time"));
	assert_non_null(out);
	assert_non_null(t);
	/* 2026-12-05T08:09:15.831911802Z */
	assert_int_equal(strlen(t), 30);
	assert_true(t[4] == '-' && t[7] == '-' && t[10] == 'T' && t[13] == ':' && t[16] == ':' && t[19] == '.' &&
		    t[29] == 'Z');
	/* Falco's output starts with the time and the priority */
	assert_int_equal(strncmp(out, t, strlen(t)), 0);
	assert_non_null(strstr(out, p));
	json_t *tags = json_object_get(j, "tags");
	assert_true(json_is_array(tags));
	size_t i;
	json_t *v;
	json_array_foreach(tags, i, v)
		assert_true(json_is_string(v));
	json_t *of = json_object_get(j, "output_fields");
	assert_true(json_is_object(of));
	assert_true(json_object_size(of) > 0);
	const char *k;
	json_object_foreach(of, k, v)
		assert_true(json_is_string(v) || json_is_integer(v) || json_is_real(v) || json_is_boolean(v) ||
			    json_is_null(v));
	assert_true(json_is_integer(json_object_get(of, "evt.time")));
}

static void rule_finding(void **state)
{
	(void)state;
	struct hh_finding *f = hh_finding_new("agent", "miner.stratum-url", "Miner stratum URL in command line",
					      HH_SEV_CRITICAL, 0.95);
	f->time = 1796458155.831911802;
	hh_finding_add_mitre(f, "T1496");
	hh_finding_set_str(f, "container.id", "0123456789ab");
	hh_finding_set_str(f, "proc.cmdline", "xmrig -o stratum+tcp://p:3333");
	hh_finding_set_int(f, "proc.pid", 42);
	hh_finding_evidence_str(f, "output", "Miner started (command=xmrig -o stratum+tcp://p:3333)");
	json_t *j = hh_finding_to_falco_json(f);
	check_falco_object(j);
	assert_string_equal(json_string_value(json_object_get(j, "priority")), "Critical");
	assert_string_equal(json_string_value(json_object_get(j, "rule")), "Miner stratum URL in command line");
	assert_string_equal(json_string_value(json_object_get(j, "source")), "syscall");
	assert_non_null(strstr(json_string_value(json_object_get(j, "output")), "Miner started (command="));
	json_t *of = json_object_get(j, "output_fields");
	assert_string_equal(json_string_value(json_object_get(of, "container.id")), "0123456789ab");
	assert_int_equal(json_integer_value(json_object_get(of, "proc.pid")), 42);
	assert_string_equal(json_string_value(json_object_get(of, "hashhound.rule")), "miner.stratum-url");
	assert_int_equal(json_integer_value(json_object_get(of, "evt.time")) / 1000000000, 1796458155);
	json_decref(j);
	hh_finding_free(f);
}

static void other_sources(void **state)
{
	(void)state;
	static const struct { const char *src; enum hh_severity sev; const char *prio, *fsrc; } cases[] = {
		{ "audit", HH_SEV_HIGH, "Error", "k8s_audit" }, { "scan", HH_SEV_MEDIUM, "Warning", "scan" },
		{ "pcap", HH_SEV_LOW, "Notice", "pcap" }, { "check", HH_SEV_INFO, "Informational", "check" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* a finding with no fields still gets non-empty output_fields */
		struct hh_finding *f = hh_finding_new(cases[i].src, "x.rule", "Title", cases[i].sev, 0.5);
		json_t *j = hh_finding_to_falco_json(f);
		check_falco_object(j);
		assert_string_equal(json_string_value(json_object_get(j, "priority")), cases[i].prio);
		assert_string_equal(json_string_value(json_object_get(j, "source")), cases[i].fsrc);
		json_decref(j);
		hh_finding_free(f);
	}
	enum hh_format fmt;
	assert_true(hh_format_parse("falco", &fmt));
	assert_int_equal(fmt, HH_FMT_FALCO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rule_finding),
		cmocka_unit_test(other_sources),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
