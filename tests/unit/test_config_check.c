/* Config checking against the defaults' schema: unknown keys, types, ranges,
 * overrides, positions (FILE:LINE:COL), and mapping-key positions in the loader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>

#include "core/config.h"
#include "core/config_check.h"
#include "core/yaml_doc.h"

/* Checks text against the built-in defaults; returns the problems. */
static size_t check_text(const char *text, struct hh_config_problems *p)
{
	const char *def = hh_config_default_text();
	struct hh_yaml_docs dd, ud;
	assert_int_equal(hh_yaml_load_buf(def, strlen(def), "defaults", NULL, &dd), 0);
	const struct hh_yaml_limits lim = { .key_positions = 1 };
	assert_int_equal(hh_yaml_load_buf(text, strlen(text), "u.yaml", &lim, &ud), 0);
	size_t n = hh_config_check(json_array_get(dd.docs, 0), json_array_get(ud.docs, 0), &ud, "u.yaml", p);
	hh_yaml_docs_free(&ud);
	hh_yaml_docs_free(&dd);
	return n;
}

static bool has_problem(const struct hh_config_problems *p, const char *text)
{
	for (size_t i = 0; i < p->n; i++)
		if (strstr(p->text[i], text))
			return true;
	return false;
}

static void print_problems(const struct hh_config_problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		fprintf(stderr, "  %s\n", p->text[i]);
}

static void defaults_and_examples_pass(void **state)
{
	(void)state;
	struct hh_config_problems p;
	/* The defaults check against themselves. */
	assert_int_equal(check_text(hh_config_default_text(), &p), 0);
	/* The README's override example and the config file's own comments. */
	size_t n = check_text("overrides:\n"
			      "  - match: { namespace: \"video-*\", labels: { app: encoder } }\n"
			      "    set:\n"
			      "      behavior.plateau.enabled: false\n"
			      "      behavior.sustained.min_usage: 0.99\n"
			      "  - match: { namespace: \"mining-lab\" }\n"
			      "    set: { rules.disabled: [miner.stratum-url, net.miner-pool-port] }\n"
			      "  - match: { image: \"x/*\" }\n"
			      "    set: { behavior: { duty: { window_s: 60 } } }\n"
			      "agent: { interval_s: 0.5 }\n"
			      "behavior: { duty: { min_autocorr: -0.2 } }\n"
			      "posture:\n  exceptions:\n    - control: posture.privileged\n      reason: ok\n",
			      &p);
	print_problems(&p);
	assert_int_equal(n, 0);
	/* An empty file is the defaults. */
	assert_int_equal(check_text("# nothing\n", &p), 0);
}

static void the_issue_cases(void **state)
{
	(void)state;
	struct hh_config_problems p;
	size_t n = check_text("behaviour:\n"          /* 1 */
			      "  sustained:\n"        /* 2 */
			      "    enabled: false\n"  /* 3 */
			      "agent:\n"              /* 4 */
			      "  interval_s: \"fast\"\n" /* 5 */
			      "correlation:\n"        /* 6 */
			      "  window_s: -5\n"      /* 7 */
			      "overrides:\n"          /* 8 */
			      "  - match: { namespace: a }\n" /* 9 */
			      "    set:\n"            /* 10 */
			      "      behavior.platau.enabled: false\n", /* 11 */
			      &p);
	print_problems(&p);
	assert_int_equal(n, 4);
	assert_true(has_problem(&p, "u.yaml:1:1: unknown key 'behaviour'; did you mean 'behavior'?"));
	assert_true(has_problem(&p, "u.yaml:5:15: agent.interval_s: expected a number, got a string (\"fast\")"));
	assert_true(has_problem(&p, "u.yaml:7:13: correlation.window_s: -5 is out of range"));
	assert_true(has_problem(&p, "u.yaml:11:7: unknown key 'overrides[0].set.behavior.platau.enabled' (no 'platau' "
				    "there; did you mean 'plateau'?)"));
}

static void types_ranges_and_lists(void **state)
{
	(void)state;
	struct hh_config_problems p;
	size_t n = check_text("behavior:\n"
			      "  min_samples: 2.5\n"              /* integer wanted */
			      "  min_coverage: 1.5\n"             /* 0..1 */
			      "  sustained: { enabled: \"yes\" }\n" /* boolean wanted */
			      "  plateau: 3\n"                    /* mapping wanted */
			      "sinks:\n"
			      "  min_severity: hihg\n"            /* one of the severities */
			      "  http: { listen: 9321 }\n"        /* string wanted */
			      "rules:\n"
			      "  files: [a.yaml, 1]\n"            /* list of strings */
			      "  disabled:\n"                     /* no value */
			      "scan: { max_depth: 2 }\n",         /* fine */
			      &p);
	print_problems(&p);
	assert_int_equal(n, 8);
	assert_true(has_problem(&p, "u.yaml:2:16: behavior.min_samples: expected an integer, got 2.5"));
	assert_true(has_problem(&p, "behavior.min_coverage: 1.5 is out of range (0 to 1)"));
	assert_true(has_problem(&p, "behavior.sustained.enabled: expected true or false, got a string (\"yes\")"));
	assert_true(has_problem(&p, "u.yaml:5:12: behavior.plateau: expected a mapping, got an integer"));
	assert_true(has_problem(&p, "sinks.min_severity: 'hihg' is not one of info, low, medium, high, critical"));
	assert_true(has_problem(&p, "sinks.http.listen: expected a string, got an integer"));
	assert_true(has_problem(&p, "u.yaml:10:19: rules.files[1]: expected a string, got an integer"));
	assert_true(has_problem(&p, "u.yaml:11:3: rules.disabled: no value (expected a list)"));
}

static void overrides_checked(void **state)
{
	(void)state;
	struct hh_config_problems p;
	size_t n = check_text("overrides:\n"
			      "  - match: { namespace: a, lables: { x: y }, pod: [p] }\n"
			      "    set: { behavior.plateau: { enabled: false }, overrides: [], agent.interval_s: fast }\n"
			      "    sett: {}\n"
			      "  - set: { behavior.plateau.window_s: -1 }\n"
			      "  - 3\n",
			      &p);
	print_problems(&p);
	assert_true(has_problem(&p, "overrides[0].match: unknown key 'lables'"));
	assert_true(has_problem(&p, "overrides[0].match.pod: expected a string (a glob), got a list"));
	assert_true(has_problem(&p, "overrides[0].set.behavior.plateau: names a section"));
	assert_true(has_problem(&p, "overrides cannot be set per workload"));
	assert_true(has_problem(&p, "agent.interval_s: expected a number, got a string (\"fast\")"));
	assert_true(has_problem(&p, "overrides[0]: unknown key 'sett' (match, set)"));
	assert_true(has_problem(&p, "overrides[1]: needs match:"));
	assert_true(has_problem(&p, "behavior.plateau.window_s: -1 is out of range"));
	assert_true(has_problem(&p, "overrides[2]: expected a mapping with match: and set:, got an integer"));
	assert_int_equal(n, 9);
}

static void many_problems_capped(void **state)
{
	(void)state;
	char text[8192];
	size_t used = 0;
	for (int i = 0; i < 100; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "k%d: 1\n", i);
	struct hh_config_problems p;
	assert_int_equal(check_text(text, &p), 100);
	assert_int_equal(p.n, HH_CONFIG_MAX_PROBLEMS);
}

static void load_refuses_and_names_all(void **state)
{
	(void)state;
	char path[] = "/tmp/hh-test-cfgcheck-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *fp = fdopen(fd, "w");
	fputs("behaviour: {}\nagent: { interval_s: fast }\n", fp);
	fclose(fp);
	struct hh_config cfg;
	char err[1024];
	assert_int_equal(hh_config_load(&cfg, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown key 'behaviour'"));
	assert_non_null(strstr(err, "\n"));
	assert_non_null(strstr(err, ":2:22: agent.interval_s"));
	/* cfg holds the defaults alone */
	assert_int_equal(hh_config_num(&cfg, NULL, "agent.interval_s", 0), 2);
	hh_config_free(&cfg);
	/* a small buffer gets the first problem and a count */
	char small[120];
	assert_int_equal(hh_config_load(&cfg, path, small, sizeof(small)), -1);
	assert_non_null(strstr(small, "behaviour"));
	assert_non_null(strstr(small, "(1 more)"));
	hh_config_free(&cfg);
	unlink(path);
}

static void yaml_key_positions(void **state)
{
	(void)state;
	const char *y = "a: 1\nb:\n  c: true\n  c: false\n  'd e': [1]\n";
	struct hh_yaml_docs d;
	const struct hh_yaml_limits lim = { .key_positions = 1 };
	assert_int_equal(hh_yaml_load_buf(y, strlen(y), "k.yaml", &lim, &d), 0);
	const json_t *root = json_array_get(d.docs, 0), *b = json_object_get(root, "b");
	const struct hh_yaml_key_line *k = hh_yaml_key_pos_of(&d, root, "b");
	assert_non_null(k);
	assert_int_equal(k->line, 2);
	assert_int_equal(k->col, 1);
	k = hh_yaml_key_pos_of(&d, b, "c"); /* repeated: the last one */
	assert_non_null(k);
	assert_int_equal(k->line, 4);
	assert_int_equal(k->col, 3);
	k = hh_yaml_key_pos_of(&d, b, "d e");
	assert_non_null(k);
	assert_int_equal(k->line, 5);
	assert_null(hh_yaml_key_pos_of(&d, root, "c"));
	hh_yaml_docs_free(&d);
	/* off unless asked */
	assert_int_equal(hh_yaml_load_buf(y, strlen(y), "k.yaml", NULL, &d), 0);
	assert_null(hh_yaml_key_pos_of(&d, json_array_get(d.docs, 0), "a"));
	hh_yaml_docs_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_and_examples_pass),
		cmocka_unit_test(the_issue_cases),
		cmocka_unit_test(types_ranges_and_lists),
		cmocka_unit_test(overrides_checked),
		cmocka_unit_test(many_problems_capped),
		cmocka_unit_test(load_refuses_and_names_all),
		cmocka_unit_test(yaml_key_positions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
