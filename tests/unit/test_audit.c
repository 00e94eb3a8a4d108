/* Audit log reader and rules: formats (lines, EventList, arrays, pretty),
 * stage dedup, recovery from broken lines, actor correlation through
 * controllers, the anonymous-then-workload sequence and its window, and the
 * LRU that bounds the state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>

#include "core/config.h"
#include "core/fileio.h"
#include "detectors/audit/audit.h"
#include "detectors/audit/lru.h"

struct got {
	struct hh_finding *f[512];
	size_t n;
};

static void sink(void *user, struct hh_finding *f)
{
	struct got *g = user;
	if (g->n < 512)
		g->f[g->n++] = f;
	else
		hh_finding_free(f);
}

static const char *fstr(const struct hh_finding *f, const char *k)
{
	return json_string_value(json_object_get(f->fields, k));
}

static size_t count(const struct got *g, const char *rule)
{
	size_t n = 0;
	for (size_t i = 0; i < g->n; i++)
		n += strcmp(g->f[i]->rule, rule) == 0;
	return n;
}

struct run {
	struct hh_config cfg;
	struct hh_audit *a;
	struct got g;
	size_t errors;
	struct hh_audit_stats st;
};

static void run_buf(struct run *r, const char *text, size_t len)
{
	char err[256];
	memset(r, 0, sizeof(*r));
	assert_int_equal(hh_config_load(&r->cfg, NULL, err, sizeof(err)), 0);
	r->a = hh_audit_new(&r->cfg, sink, &r->g, err, sizeof(err));
	assert_non_null(r->a);
	r->errors = hh_audit_read_buf(r->a, text, len, "test");
	hh_audit_stats(r->a, &r->st);
}

static void run_file(struct run *r, const char *name)
{
	char path[1024];
	const char *root = getenv("HH_ROOT");
	snprintf(path, sizeof(path), "%s/tests/data/audit/%s", root ? root : ".", name);
	struct hh_buf b;
	char err[256];
	assert_int_equal(hh_read_file(path, 1 << 24, &b, err, sizeof(err)), 0);
	run_buf(r, b.data, b.len);
	hh_buf_free(&b);
}

static void run_free(struct run *r)
{
	for (size_t i = 0; i < r->g.n; i++)
		hh_finding_free(r->g.f[i]);
	hh_audit_free(r->a);
	hh_config_free(&r->cfg);
}

static void actor_behind_controllers(void **state)
{
	(void)state;
	static struct run r;
	run_file(&r, "actor-chain.jsonl");
	assert_int_equal(r.errors, 0);
	assert_int_equal(r.st.events, 6);
	assert_int_equal(count(&r.g, "audit.create-miner-workload"), 3);
	assert_int_equal(count(&r.g, "audit.create-privileged-pod"), 3);
	assert_int_equal(count(&r.g, "audit.create-host-namespace-pod"), 3);
	for (size_t i = 0; i < r.g.n; i++) {
		const struct hh_finding *f = r.g.f[i];
		const char *user = fstr(f, "ka.user.name");
		const char *root = fstr(f, "ka.actor.root");
		assert_non_null(root);
		if (strcmp(f->rule, "audit.create-host-namespace-pod") == 0) {
			assert_string_equal(root, "bob");  /* CronJob -> Job -> Pod */
			assert_int_equal(f->severity, HH_SEV_HIGH);
		} else {
			assert_string_equal(root, "alice");  /* Deployment -> ReplicaSet -> Pod */
		}
		if (strstr(user, "replicaset-controller"))
			assert_non_null(strstr(fstr(f, "ka.actor.chain"), "Deployment prod/web -> ReplicaSet prod/web-5d4f -> Pod"));
		if (strcmp(f->rule, "audit.create-miner-workload") == 0) {
			assert_int_equal(f->severity, HH_SEV_CRITICAL);
			assert_string_equal(f->mitre[0], "T1496");
		}
		assert_true(f->time > 1.7e9 && f->time < 1.8e9);  /* event time, not now */
	}
	run_free(&r);
}

static void anonymous_then_workload(void **state)
{
	(void)state;
	static struct run r;
	run_file(&r, "anon-sequence.jsonl");
	assert_int_equal(count(&r.g, "audit.anonymous-allowed"), 1);  /* the 403 one is not allowed */
	assert_int_equal(count(&r.g, "audit.anonymous-then-workload"), 1);  /* other IP, and 3h later: none */
	for (size_t i = 0; i < r.g.n; i++)
		if (strcmp(r.g.f[i]->rule, "audit.anonymous-then-workload") == 0) {
			assert_string_equal(fstr(r.g.f[i], "k8s.name"), "x");
			assert_int_equal(r.g.f[i]->severity, HH_SEV_CRITICAL);
		}
	run_free(&r);
}

static void eventlist_and_stage_dedup(void **state)
{
	(void)state;
	static struct run r;
	run_file(&r, "eventlist.json");
	assert_int_equal(r.errors, 0);
	assert_int_equal(count(&r.g, "audit.exec-into-pod"), 1);
	assert_string_equal(fstr(r.g.f[0], "container.name"), "app");
	assert_int_equal(r.st.skipped, 2);
	run_free(&r);
}

static void broken_lines_recover(void **state)
{
	(void)state;
	static struct run r;
	run_file(&r, "broken.jsonl");
	assert_int_equal(r.errors, 3);
	assert_int_equal(count(&r.g, "audit.attach-to-pod"), 1);
	assert_int_equal(count(&r.g, "audit.port-forward"), 1);
	assert_int_equal(count(&r.g, "audit.ephemeral-container"), 1);
	run_free(&r);
}

static void formats_and_garbage(void **state)
{
	(void)state;
	static struct run r;
	const char *ex = "{\"verb\":\"create\",\"objectRef\":{\"resource\":\"pods\",\"subresource\":\"exec\",\"name\":\"p\"}}";
	char buf[2048];
	/* JSON array of events, then concatenated objects on one line, then an object split over lines */
	snprintf(buf, sizeof(buf), "[%s]\n%s%s\n{\n  \"verb\": \"create\",\n  \"objectRef\": {\"resource\": \"pods\", \"subresource\": \"attach\"}\n}\n",
		 ex, ex, ex);
	run_buf(&r, buf, strlen(buf));
	assert_int_equal(r.errors, 0);
	assert_int_equal(count(&r.g, "audit.exec-into-pod"), 3);
	assert_int_equal(count(&r.g, "audit.attach-to-pod"), 1);
	run_free(&r);

	/* an array with one element per line in column 0 is a layout, not a cut */
	snprintf(buf, sizeof(buf), "[\n%s,\n%s\n]\n", ex, ex);
	run_buf(&r, buf, strlen(buf));
	assert_int_equal(r.errors, 0);
	assert_int_equal(count(&r.g, "audit.exec-into-pod"), 2);
	run_free(&r);

	const char *bad[] = { "", "\n\n", "]]]]", "{", "[[[[[[", "\"str\"\n", "{\"a\":\"\\", "\xff\xfe{}",
			      "{\"verb\":5,\"objectRef\":[]}", "{\"kind\":\"EventList\",\"items\":{}}",
			      "{\"verb\":\"create\",\"user\":7,\"objectRef\":{\"resource\":\"pods\"},\"requestObject\":{\"kind\":\"Pod\",\"spec\":[]}}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run_buf(&r, bad[i], strlen(bad[i]));
		assert_int_equal(r.g.n, 0);
		run_free(&r);
	}
	/* deep nesting: jansson refuses beyond its limit; an error, no crash */
	size_t depth = 5000;
	char *deep = malloc(depth * 2 + 1);
	memset(deep, '[', depth);
	memset(deep + depth, ']', depth);
	deep[depth * 2] = 0;
	run_buf(&r, deep, depth * 2);
	assert_int_equal(r.errors, 1);
	run_free(&r);
	free(deep);
}

/* A value over audit.max_value_bytes is an error and skipped; the next is read. */
static void value_size_limit(void **state)
{
	(void)state;
	char path[] = "/tmp/hh-audit-cfg-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *cfgtext = "audit:\n  max_value_bytes: 200\n";
	assert_int_equal(write(fd, cfgtext, strlen(cfgtext)), (int)strlen(cfgtext));
	close(fd);
	struct hh_config cfg;
	char err[256];
	assert_int_equal(hh_config_load(&cfg, path, err, sizeof(err)), 0);
	unlink(path);
	static struct got g;
	memset(&g, 0, sizeof(g));
	struct hh_audit *a = hh_audit_new(&cfg, sink, &g, err, sizeof(err));
	char buf[2048];
	char pad[600];
	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = 0;
	snprintf(buf, sizeof(buf),
		 "{\"verb\":\"create\",\"pad\":\"%s\",\"objectRef\":{\"resource\":\"pods\",\"subresource\":\"exec\"}}\n"
		 "{\"verb\":\"create\",\"objectRef\":{\"resource\":\"pods\",\"subresource\":\"attach\"}}\n", pad);
	assert_int_equal(hh_audit_read_buf(a, buf, strlen(buf), "big"), 1);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.f[0]->rule, "audit.attach-to-pod");
	hh_finding_free(g.f[0]);
	hh_audit_free(a);
	hh_config_free(&cfg);
}

static void lru_bounds_and_evicts(void **state)
{
	(void)state;
	struct hh_lru l;
	assert_int_equal(hh_lru_init(&l, 2), 0);
	hh_lru_put(&l, "a");
	hh_lru_put(&l, "b");
	assert_non_null(hh_lru_get(&l, "a"));  /* a is now most recent */
	hh_lru_put(&l, "c");                   /* evicts b */
	assert_null(hh_lru_get(&l, "b"));
	assert_non_null(hh_lru_get(&l, "a"));
	assert_non_null(hh_lru_get(&l, "c"));
	assert_int_equal(l.evictions, 1);
	for (int i = 0; i < 1000; i++) {
		char k[16];
		snprintf(k, sizeof(k), "k%d", i);
		hh_lru_put(&l, k)->t = i;
	}
	assert_int_equal(l.n, 2);
	assert_non_null(hh_lru_get(&l, "k999"));
	assert_non_null(hh_lru_get(&l, "k998"));
	assert_null(hh_lru_get(&l, "k997"));
	hh_lru_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(actor_behind_controllers),
		cmocka_unit_test(anonymous_then_workload),
		cmocka_unit_test(eventlist_and_stage_dedup),
		cmocka_unit_test(broken_lines_recover),
		cmocka_unit_test(formats_and_garbage),
		cmocka_unit_test(value_size_limit),
		cmocka_unit_test(lru_bounds_and_evicts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
