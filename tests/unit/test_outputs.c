/* Outputs for people and CI: the format table, table cells (WHERE, rounded
 * numbers), JUnit cases per object and control. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "sinks/junit.h"
#include "sinks/output.h"

static void format_table(void **state)
{
	(void)state;
	char buf[128];
	hh_format_names(HH_FMTS_ALL, buf, sizeof(buf));
	assert_string_equal(buf, "json, table, sarif, junit, html, falco");
	hh_format_names(hh_cli_formats("agent"), buf, sizeof(buf));
	assert_string_equal(buf, "json, table, falco");
	hh_format_names(hh_cli_formats("ps"), buf, sizeof(buf));
	assert_string_equal(buf, "json, table");
	assert_int_equal(hh_cli_formats("no-such-command"), 0);
	enum hh_format f;
	assert_true(hh_format_parse("jsonl", &f) && f == HH_FMT_JSON);
	assert_false(hh_format_parse("xml", &f));
	/* every command that lists sarif also lists json */
	assert_true(hh_cli_formats("scan") & HH_FMT_BIT(HH_FMT_SARIF));
	assert_false(hh_cli_formats("agent") & HH_FMT_BIT(HH_FMT_SARIF));
}

static void rounding(void **state)
{
	(void)state;
	static const struct { double x; const char *want; } cases[] = {
		{ 22547.123456, "22547" }, { 0.0166666667, "0.0167" }, { 2.5, "2.5" }, { 42, "42" },
		{ 1.23456, "1.23" }, { -0.5, "-0.5" }, { 0, "0" }, { 1e-9, "1e-09" }, { 999.999, "1000" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64];
		hh_output_round(cases[i].x, buf, sizeof(buf));
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("%.10g -> '%s', want '%s'", cases[i].x, buf, cases[i].want);
	}
}

static struct hh_finding *finding(const char *rule, enum hh_severity sev, const char *kind, const char *ns,
				  const char *name, const char *file)
{
	struct hh_finding *f = hh_finding_new("check", rule, "A title", sev, 0.9);
	if (kind)
		hh_finding_set_str(f, "k8s.kind", kind);
	if (ns)
		hh_finding_set_str(f, "k8s.ns.name", ns);
	if (name)
		hh_finding_set_str(f, "k8s.name", name);
	if (file)
		hh_finding_set_str(f, "file.path", file);
	return f;
}

static void where(void **state)
{
	(void)state;
	char buf[256];
	struct hh_finding *f = finding("r", HH_SEV_LOW, "Deployment", "prod", "a-very-long-deployment-name-that-would-have-been-cut", "x.yaml");
	hh_output_where(f, buf, sizeof(buf));
	assert_string_equal(buf, "prod/Deployment/a-very-long-deployment-name-that-would-have-been-cut");
	hh_finding_free(f);
	f = finding("r", HH_SEV_LOW, NULL, NULL, NULL, "/srv/run.sh");
	hh_finding_set_int(f, "file.line", 12);
	hh_output_where(f, buf, sizeof(buf));
	assert_string_equal(buf, "/srv/run.sh:12");
	hh_finding_free(f);
	f = finding("r", HH_SEV_LOW, NULL, "web", NULL, NULL);
	hh_finding_set_str(f, "k8s.pod.name", "shop-1");
	hh_finding_set_str(f, "container.name", "app");
	hh_output_where(f, buf, sizeof(buf));
	assert_string_equal(buf, "web/Pod/shop-1 (app)");
	hh_finding_free(f);
	f = finding("r", HH_SEV_LOW, NULL, NULL, NULL, NULL);
	hh_finding_set_str(f, "fd.sip", "10.0.0.1");
	hh_finding_set_int(f, "fd.sport", 3333);
	hh_output_where(f, buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.1:3333");
	hh_finding_free(f);
}

static void junit_cases(void **state)
{
	(void)state;
	static const char *const controls[] = { "posture.a", "posture.b" };
	struct hh_junit_subject subj[3] = { 0 };
	for (int i = 0; i < 3; i++) {
		strcpy(subj[i].kind, "Pod");
		strcpy(subj[i].ns, "n");
		strcpy(subj[i].file, "f.yaml");
		subj[i].controls = controls;
		subj[i].n_controls = 2;
		subj[i].line = (unsigned)(10 * (i + 1));
	}
	strcpy(subj[0].name, "p1");
	strcpy(subj[1].name, "p2");
	strcpy(subj[2].name, "p1"); /* the same object twice: names stay unique */
	struct hh_findings list = { 0 };
	hh_findings_push(&list, finding("posture.a", HH_SEV_HIGH, "Pod", "n", "p2", "f.yaml"));
	hh_findings_push(&list, finding("posture.b", HH_SEV_LOW, "Pod", "n", "p2", "f.yaml"));
	hh_findings_push(&list, finding("posture.c", HH_SEV_MEDIUM, "Pod", "n", "p2", "f.yaml")); /* not a control of it */
	hh_findings_push(&list, finding("posture.a", HH_SEV_HIGH, "Pod", "n", "p9", "g.yaml"));   /* no subject */
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	hh_junit_write(fp, "check", &list, subj, 3, 0.25);
	fclose(fp);
	/* 6 subject cases + 2 finding cases; 3 failures (a on p2, c on p2, a on p9) */
	assert_non_null(strstr(buf, "<testsuites name=\"hashhound check\" tests=\"8\" failures=\"3\" errors=\"0\" time=\"0.250\">"));
	assert_non_null(strstr(buf, "name=\"f.yaml\" tests=\"7\" failures=\"2\""));
	assert_non_null(strstr(buf, "name=\"g.yaml\" tests=\"1\" failures=\"1\""));
	assert_non_null(strstr(buf, "name=\"posture.a n/Pod/p1\""));
	assert_non_null(strstr(buf, "name=\"posture.a n/Pod/p1 (f.yaml:30)\""));
	assert_non_null(strstr(buf, "name=\"posture.b n/Pod/p2\" time=\"0\">\n      <system-out>low posture.b"));
	assert_non_null(strstr(buf, "<failure type=\"high\" message=\"A title\">high posture.a: A title\nwhere: n/Pod/p2"));
	free(buf);
	/* nothing at all: still one (empty) suite */
	struct hh_findings none = { 0 };
	fp = open_memstream(&buf, &len);
	hh_junit_write(fp, "scan", &none, NULL, 0, 0);
	fclose(fp);
	assert_non_null(strstr(buf, "<testsuite name=\"hashhound scan\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\""));
	free(buf);
	hh_findings_clear(&list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_table),
		cmocka_unit_test(rounding),
		cmocka_unit_test(where),
		cmocka_unit_test(junit_cases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
