/* Core: finding model, JSON round trip, YAML loader limits, config overrides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/config.h"
#include "core/finding.h"
#include "core/yaml_doc.h"
#include "sinks/output.h"

static void finding_json_round_trip(void **state)
{
	(void)state;
	struct hh_finding *f = hh_finding_new("agent", "miner.test", "A test", HH_SEV_HIGH, 0.9);
	hh_finding_add_mitre(f, "T1496");
	hh_finding_add_mitre(f, "T1496");
	struct hh_workload w = { 0 };
	hh_strlcpy(w.container_id, "abc123", sizeof(w.container_id));
	hh_strlcpy(w.image, "registry.local:5000/team/app:1.2@sha256:00", sizeof(w.image));
	hh_finding_set_workload(f, &w);
	hh_finding_set_str(f, "proc.name", "x\xff\xfey"); /* not UTF-8 */
	hh_finding_evidence_num(f, "cpu.usage", 0.3);
	hh_finding_evidence_num(f, "bytes", 1234567);
	hh_finding_set_str(f, "proc.cmdline", "xmrig -u 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A.w1 -p x");
	json_t *j = hh_finding_to_json(f);
	assert_string_equal(json_string_value(json_object_get(j, "severity")), "high");
	assert_int_equal(json_array_size(json_object_get(j, "mitre")), 1);
	json_t *fields = json_object_get(j, "fields");
	assert_string_equal(json_string_value(json_object_get(fields, "proc.name")), "x\\xff\\xfey");
	assert_string_equal(json_string_value(json_object_get(fields, "container.image.repository")),
			    "registry.local:5000/team/app");
	/* Wallets are masked wherever they appear in a finding. */
	assert_string_equal(json_string_value(json_object_get(fields, "proc.cmdline")), "xmrig -u 44AFFq...EP3A.w1 -p x");
	char *text = json_dumps(j, HH_JSON_COMPACT);
	assert_non_null(strstr(text, "\"confidence\":0.9,"));
	assert_non_null(strstr(text, "{\"what\":\"bytes\",\"value\":1234567}"));
	free(text);
	struct hh_finding *g = hh_finding_from_json(j);
	assert_non_null(g);
	assert_string_equal(g->rule, "miner.test");
	assert_true(g->time > 1.7e9);
	json_decref(j);
	hh_finding_free(f);
	hh_finding_free(g);
}

/* Every finding gets its own UUID (v4), kept through JSON and clone; a
 * finding read back without one (written before ids) gets a fresh one. */
static void finding_ids(void **state)
{
	(void)state;
	struct hh_finding *a = hh_finding_new("agent", "r", "t", HH_SEV_LOW, 1);
	struct hh_finding *b = hh_finding_new("agent", "r", "t", HH_SEV_LOW, 1);
	assert_int_equal(strlen(a->id), 36);
	assert_int_equal(a->id[14], '4');
	assert_true(strchr("89ab", a->id[19]) != NULL);
	assert_string_not_equal(a->id, b->id);
	json_t *j = hh_finding_to_json(a);
	assert_string_equal(json_string_value(json_object_get(j, "id")), a->id);
	char *text = json_dumps(j, HH_JSON_COMPACT);
	assert_int_equal(strncmp(text, "{\"id\":\"", 7), 0); /* first: the webhook reads it there */
	free(text);
	struct hh_finding *back = hh_finding_from_json(j);
	assert_string_equal(back->id, a->id);
	struct hh_finding *c = hh_finding_clone(a);
	assert_string_equal(c->id, a->id);
	json_object_set_new(j, "id", json_string("../../not-an-id"));
	struct hh_finding *bad = hh_finding_from_json(j);
	assert_int_equal(strlen(bad->id), 36);
	assert_string_not_equal(bad->id, a->id);
	json_object_del(j, "id");
	struct hh_finding *old = hh_finding_from_json(j);
	assert_non_null(old);
	assert_int_equal(strlen(old->id), 36);
	json_decref(j);
	hh_finding_free(a);
	hh_finding_free(b);
	hh_finding_free(back);
	hh_finding_free(c);
	hh_finding_free(bad);
	hh_finding_free(old);
}

static void yaml_docs_and_lines(void **state)
{
	(void)state;
	const char *y = "a: 1\nb: [x, 2.5, true, null]\n---\nkind: Pod\nspec:\n  c: 'quoted'\n";
	struct hh_yaml_docs d;
	assert_int_equal(hh_yaml_load_buf(y, strlen(y), "t.yaml", NULL, &d), 0);
	assert_int_equal(json_array_size(d.docs), 2);
	json_t *doc2 = json_array_get(d.docs, 1);
	assert_string_equal(json_string_value(json_object_get(doc2, "kind")), "Pod");
	assert_int_equal(hh_yaml_line_of(&d, json_object_get(doc2, "spec")), 6);
	assert_true(json_is_real(json_array_get(json_object_get(json_array_get(d.docs, 0), "b"), 1)));
	hh_yaml_docs_free(&d);
}

static void yaml_hostile(void **state)
{
	(void)state;
	/* Billion laughs: each level doubles; refused by the node budget. */
	char bomb[4096] = "a0: &a0 [x, x]\n";
	for (int i = 1; i < 40; i++) {
		char line[128];
		snprintf(line, sizeof(line), "a%d: &a%d [*a%d, *a%d]\n", i, i, i - 1, i - 1);
		strcat(bomb, line);
	}
	struct hh_yaml_docs d;
	assert_int_equal(hh_yaml_load_buf(bomb, strlen(bomb), "bomb.yaml", NULL, &d), -1);
	assert_non_null(strstr(d.error, "bomb.yaml:"));
	assert_non_null(strstr(d.error, "node limit"));
	hh_yaml_docs_free(&d);

	char deep[2000];
	memset(deep, '[', 1000);
	deep[1000] = '\0';
	assert_int_equal(hh_yaml_load_buf(deep, strlen(deep), "deep.yaml", NULL, &d), -1);
	assert_non_null(strstr(d.error, "too deep"));
	hh_yaml_docs_free(&d);

	/* A good document, then a broken one: the first is kept. */
	const char *mixed = "ok: 1\n---\nbad: [unclosed\n";
	assert_int_equal(hh_yaml_load_buf(mixed, strlen(mixed), "m.yaml", NULL, &d), -1);
	assert_int_equal(json_array_size(d.docs), 1);
	assert_non_null(strstr(d.error, "m.yaml:"));
	hh_yaml_docs_free(&d);

	assert_int_equal(hh_yaml_load_file("/nonexistent/x.yaml", NULL, &d), -1);
	assert_non_null(strstr(d.error, "/nonexistent/x.yaml"));
	hh_yaml_docs_free(&d);
}

static void config_overrides(void **state)
{
	(void)state;
	char path[] = "/tmp/hh-test-config-XXXXXX";
	int fd = mkstemp(path);
	const char *text = "behavior:\n  plateau:\n    window_s: 100\n"
			   "overrides:\n"
			   "  - match: { namespace: 'video-*', labels: { app: enc } }\n"
			   "    set: { behavior.plateau.window_s: 900 }\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct hh_config cfg;
	char err[256];
	assert_int_equal(hh_config_load(&cfg, path, err, sizeof(err)), 0);
	struct hh_workload w = { 0 };
	assert_int_equal(hh_config_int(&cfg, &w, "behavior.plateau.window_s", 1), 100);
	hh_strlcpy(w.pod_namespace, "video-prod", sizeof(w.pod_namespace));
	assert_int_equal(hh_config_int(&cfg, &w, "behavior.plateau.window_s", 1), 100);
	hh_workload_add_label(&w, "app", "enc");
	assert_int_equal(hh_config_int(&cfg, &w, "behavior.plateau.window_s", 1), 900);
	assert_int_equal(hh_config_int(&cfg, NULL, "no.such.key", 7), 7);
	hh_config_free(&cfg);
	unlink(path);

	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	const char *bad = "a: [1, 2\n";
	assert_int_equal(write(fd, bad, strlen(bad)), (ssize_t)strlen(bad));
	close(fd);
	assert_int_equal(hh_config_load(&cfg, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	hh_config_free(&cfg);
	unlink(path);
}

static void sarif_valid_when_empty(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct hh_output *o = hh_output_open(HH_FMT_SARIF, fp, "scan");
	hh_output_close(o);
	fclose(fp);
	json_error_t e;
	json_t *log = json_loads(buf, 0, &e);
	assert_non_null(log);
	assert_string_equal(json_string_value(json_object_get(log, "version")), "2.1.0");
	json_t *run = json_array_get(json_object_get(log, "runs"), 0);
	assert_int_equal(json_array_size(json_object_get(run, "results")), 0);
	json_decref(log);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finding_json_round_trip),
		cmocka_unit_test(finding_ids),
		cmocka_unit_test(yaml_docs_and_lines),
		cmocka_unit_test(yaml_hostile),
		cmocka_unit_test(config_overrides),
		cmocka_unit_test(sarif_valid_when_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
