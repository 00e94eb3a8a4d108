/* Incidents people can read: the bill against hand-computed values, prices
 * by node and namespace, the store's CPU samples and their caps, the SVG
 * renderers, the incident assembled from a store and its HTML and Markdown. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "correlation/bill.h"
#include "sinks/incident_view.h"
#include "sinks/svg_plot.h"
#include "sources/telemetry/rapl.h"

static struct hh_bill_rates rates(double price, double watts)
{
	struct hh_bill_rates r = { .price_per_core_hour = price, .watts_per_core = watts };
	snprintf(r.currency, sizeof(r.currency), "EUR");
	return r;
}

/* (t - dt, t]: p1 ends before from; p2 straddles it (half counts); p3 whole.
 * core-seconds = 1.0 * 2 * 0.5 + 0.25 * 3 = 1.75; cost = 1.75 / 3600 * 0.09;
 * modelled energy = 1.75 * 12 W = 21 J; measured = 10 * 0.5 + 4 = 9 J. */
static void bill_hand_computed(void **state)
{
	(void)state;
	struct hh_cpu_point p[] = {
		{ .t = 100, .dt = 2, .usage = 0.5, .energy_j = -1 },
		{ .t = 102, .dt = 2, .usage = 1.0, .energy_j = -1 },
		{ .t = 105, .dt = 3, .usage = 0.25, .energy_j = -1 },
	};
	struct hh_bill_rates r = rates(0.09, 12);
	struct hh_bill b;
	hh_bill_compute(p, 3, 101, &r, &b);
	assert_int_equal(b.samples, 2);
	assert_float_equal(b.core_seconds, 1.75, 1e-12);
	assert_float_equal(b.cost, 1.75 / 3600 * 0.09, 1e-15);
	assert_float_equal(b.energy_j, 21, 1e-12);
	assert_false(b.energy_measured);
	assert_non_null(strstr(b.energy_source, "12 W per core"));
	assert_float_equal(b.to, 105, 0);

	p[1].energy_j = 10;
	p[2].energy_j = 4;
	hh_bill_compute(p, 3, 101, &r, &b);
	assert_true(b.energy_measured);
	assert_float_equal(b.energy_j, 9, 1e-12);
	assert_non_null(strstr(b.energy_source, "RAPL"));
	assert_float_equal(hh_bill_kwh(3.6e6), 1, 0);

	/* one hour at two cores, 0.04 per core-hour: 7200 core-s, 0.08 */
	struct hh_cpu_point hour[360];
	for (int i = 0; i < 360; i++)
		hour[i] = (struct hh_cpu_point){ .t = 1000 + 10.0 * (i + 1), .dt = 10, .usage = 2, .energy_j = -1 };
	r = rates(0.04, 10);
	hh_bill_compute(hour, 360, 1000, &r, &b);
	assert_float_equal(b.core_seconds, 7200, 1e-9);
	assert_float_equal(b.cost, 0.08, 1e-12);
	assert_float_equal(hh_bill_kwh(b.energy_j), 0.02, 1e-12); /* 7200 core-s * 10 W = 72 kJ */

	/* nothing after from, bad samples ignored */
	struct hh_cpu_point bad[] = { { .t = 50, .dt = 0, .usage = 1 }, { .t = 60, .dt = 1, .usage = NAN } };
	hh_bill_compute(bad, 2, 0, &r, &b);
	assert_int_equal(b.samples, 0);
	assert_float_equal(b.core_seconds, 0, 0);
}

static char *write_temp(const char *text, const char *suffix)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/hh-inc-XXXXXX%s", suffix);
	int fd = mkstemps(path, (int)strlen(suffix));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void bill_prices_by_node_and_namespace(void **state)
{
	(void)state;
	char *path = write_temp("bill:\n  price_per_core_hour: 0.05\n  currency: EUR\n  nodes:\n"
				"    - { node: \"gpu-*\", price_per_core_hour: 0.5 }\n"
				"overrides:\n  - match: { namespace: batch }\n    set: { bill.price_per_core_hour: 0.01 }\n",
				".yaml");
	struct hh_config cfg;
	char err[1024];
	assert_int_equal(hh_config_load(&cfg, path, err, sizeof(err)), 0);
	unlink(path);
	struct hh_bill_rates r;
	hh_bill_rates(&cfg, NULL, "gpu-7", &r);
	assert_float_equal(r.price_per_core_hour, 0.5, 0);
	assert_non_null(strstr(r.price_from, "bill.nodes[0]"));
	assert_string_equal(r.currency, "EUR");
	struct hh_workload w = { 0 };
	snprintf(w.pod_namespace, sizeof(w.pod_namespace), "web");
	hh_bill_rates(&cfg, &w, "cpu-1", &r);
	assert_float_equal(r.price_per_core_hour, 0.05, 0);
	assert_string_equal(r.price_from, "bill.price_per_core_hour");
	snprintf(w.pod_namespace, sizeof(w.pod_namespace), "batch");
	hh_bill_rates(&cfg, &w, "gpu-7", &r);
	assert_float_equal(r.price_per_core_hour, 0.01, 0);
	assert_non_null(strstr(r.price_from, "namespace batch"));
	assert_float_equal(r.watts_per_core, 10, 0);
	hh_config_free(&cfg);

	/* config_check: a bad node entry is named */
	path = write_temp("bill:\n  nodes:\n    - { node: 3, price: 1 }\n  watts_per_core: -2\n", ".yaml");
	assert_int_equal(hh_config_load(&cfg, path, err, sizeof(err)), -1);
	unlink(path);
	assert_non_null(strstr(err, "bill.nodes[0].node"));
	assert_non_null(strstr(err, "unknown key 'price'"));
	assert_non_null(strstr(err, "bill.watts_per_core"));
	hh_config_free(&cfg);
}

static void store_cpu_samples_capped(void **state)
{
	(void)state;
	char path[] = "/tmp/hh-inc-store-XXXXXX";
	close(mkstemp(path));
	unlink(path);
	char err[256];
	struct hh_store *s = hh_store_open(path, 0, err, sizeof(err));
	assert_non_null(s);
	hh_store_cpu_caps(s, 100, 0);
	for (int i = 0; i < 1000; i++) {
		struct hh_cpu_point p = { .t = 1000 + i, .dt = 1, .usage = i % 7 * 0.1, .limit = 0.5, .has_quota = true,
					  .energy_j = i % 2 ? 1.5 : -1 };
		assert_int_equal(hh_store_add_cpu(s, i % 4 ? "aaaa" : "bbbb", &p), 0);
	}
	struct hh_cpu_point bad = { .t = 1, .dt = 0, .usage = 1 };
	assert_int_equal(hh_store_add_cpu(s, "aaaa", &bad), -1);
	static struct hh_cpu_point out[2000];
	long n = hh_store_cpu_points(s, "aaaa", 0, 1e12, out, 2000);
	assert_true(n >= 100 && n <= 100 + 256); /* trimmed every 256 inserts */
	for (long i = 1; i < n; i++)
		assert_true(out[i].t > out[i - 1].t); /* oldest first */
	assert_float_equal(out[n - 1].t, 1999, 0);  /* the newest kept */
	assert_true(out[n - 1].energy_j == 1.5 && out[n - 1].has_quota);
	n = hh_store_cpu_points(s, "aaaa", 1990, 1995, out, 2000);
	assert_int_equal(n, 5); /* 1990..1995 but the multiples of 4 */
	assert_true(out[0].energy_j < 0 || out[0].energy_j == 1.5);
	n = hh_store_cpu_points(s, "aaaa", 0, 1e12, out, 3);
	assert_int_equal(n, 3);
	assert_float_equal(out[2].t, 1999, 0); /* the newest max, oldest first */
	assert_int_equal(hh_store_cpu_points(s, "cccc", 0, 1e12, out, 10), 0);
	hh_store_close(s);
	unlink(path);
	char wal[64];
	snprintf(wal, sizeof(wal), "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", path);
	unlink(wal);
}

static char *render(void (*fn)(FILE *, void *), void *ctx)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	fn(fp, ctx);
	fclose(fp);
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

struct plot_args {
	struct hh_cpu_point *p;
	size_t n;
	double baseline;
};

static void draw_plot(FILE *fp, void *ctx)
{
	struct plot_args *a = ctx;
	struct hh_plot_mark m[] = { { 1002, HH_SEV_CRITICAL, "rule<&>\"x" }, { 5000, HH_SEV_LOW, "outside" } };
	hh_svg_cpu_plot(fp, a->p, a->n, a->baseline, m, 2, 998, 1010);
}

static void svg_cpu_plot(void **state)
{
	(void)state;
	struct hh_cpu_point p[] = { { .t = 1000, .dt = 2, .usage = 0.1, .limit = 0.3, .has_quota = true },
				    { .t = 1004, .dt = 4, .usage = 0.3, .limit = 0.3, .has_quota = true },
				    { .t = 1010, .dt = 6, .usage = 0.29, .limit = 0.3, .has_quota = true } };
	struct plot_args a = { p, 3, 0.1 };
	char *svg = render(draw_plot, &a);
	assert_true(strncmp(svg, "<svg class=\"cpu-plot\"", 21) == 0);
	assert_non_null(strstr(svg, "</svg>\n"));
	assert_int_equal(count(svg, "class=\"usage\""), 1);
	assert_int_equal(count(svg, "class=\"quota\""), 1);
	assert_int_equal(count(svg, "class=\"baseline\""), 1);
	assert_int_equal(count(svg, "class=\"mark\""), 1); /* the one outside [t0, t1] is left out */
	assert_non_null(strstr(svg, "rule&lt;&amp;&gt;&quot;x"));
	assert_null(strstr(svg, "rule<"));
	assert_non_null(strstr(svg, "limit: cgroup quota 0.30 cores"));
	/* usage: x = 56 + (t - 998) / 12 * 828, y = 234 - usage / (0.3 * 1.15) * 220 */
	const char *u = strstr(svg, "class=\"usage\"");
	const char *pts = strstr(u, "points=\"") + 8;
	assert_int_equal(strncmp(pts, "194,170.2 470,42.7 884,49.1 \"", 29), 0);
	free(svg);

	a.baseline = NAN;
	svg = render(draw_plot, &a);
	assert_null(strstr(svg, "class=\"baseline\""));
	free(svg);

	/* many samples: one point per pixel column at most */
	static struct hh_cpu_point many[20000];
	for (int i = 0; i < 20000; i++)
		many[i] = (struct hh_cpu_point){ .t = 998 + 12.0 * i / 20000, .dt = 0.01, .usage = i % 2, .limit = 4 };
	a = (struct plot_args){ many, 20000, NAN };
	svg = render(draw_plot, &a);
	u = strstr(svg, "class=\"usage\"");
	const char *end = strstr(u, "\"><title>");
	size_t commas = 0;
	for (const char *c = u; c < end; c++)
		commas += *c == ',';
	assert_true(commas >= 800 && commas <= 830);
	assert_non_null(strstr(svg, "no quota; node CPUs 4.00"));
	free(svg);
}

static void draw_timeline(FILE *fp, void *ctx)
{
	(void)ctx;
	static char names[20][16];
	struct hh_plot_mark m[40];
	for (int i = 0; i < 40; i++) {
		snprintf(names[i % 20], sizeof(names[0]), "rule.%02d", i % 20);
		m[i] = (struct hh_plot_mark){ 100 + i, (enum hh_severity)(i % 5), names[i % 20] };
	}
	hh_svg_timeline(fp, m, 40, 100, 140);
}

static void svg_timeline_rows(void **state)
{
	(void)state;
	char *svg = render(draw_timeline, NULL);
	assert_true(strncmp(svg, "<svg class=\"timeline\"", 21) == 0);
	assert_int_equal(count(svg, "class=\"signal\""), 40);
	assert_non_null(strstr(svg, ">rule.14</text>"));
	assert_null(strstr(svg, ">rule.15</text>")); /* 15 rows, then "other" */
	assert_non_null(strstr(svg, ">other</text>"));
	assert_non_null(strstr(svg, "#aa0000")); /* critical */
	free(svg);
}

struct fixture {
	char dir[64], store[96], cfg_path[96], evidence[96];
	struct hh_config cfg;
	struct hh_store *s;
};

static void add(struct hh_store *s, double t, const char *rule, enum hh_severity sev, const char *title,
		const char *ev_what, const char *ev_value)
{
	struct hh_finding *f = hh_finding_new("agent", rule, title, sev, 0.9);
	f->time = t;
	hh_finding_set_str(f, "container.id", "c0ffee01c0ffee01aa");
	hh_finding_set_str(f, "container.name", "web<b>");
	hh_finding_set_str(f, "k8s.ns.name", "shop");
	hh_finding_set_str(f, "k8s.pod.name", "web-1");
	hh_finding_set_str(f, "hostname", "gpu-3");
	hh_finding_add_mitre(f, strncmp(rule, "posture", 7) ? "T1496" : "T1611");
	if (ev_what)
		hh_finding_evidence_str(f, ev_what, ev_value);
	assert_int_equal(hh_store_add(s, f), 0);
	hh_finding_free(f);
}

/* A store as the agent leaves it: posture context, a miner finding, the
 * incident, a snapshot response (with its manifest on disk) and CPU samples:
 * 0.05 cores until 1030, then 0.3 (the quota). */
static void fixture_up(struct fixture *fx)
{
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/hh-inc-fx-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->store, sizeof(fx->store), "%s/s.db", fx->dir);
	snprintf(fx->evidence, sizeof(fx->evidence), "%s/evidence", fx->dir);
	snprintf(fx->cfg_path, sizeof(fx->cfg_path), "%s/c.yaml", fx->dir);
	FILE *fp = fopen(fx->cfg_path, "w");
	fprintf(fp, "response:\n  evidence_dir: %s\nbill:\n  price_per_core_hour: 0.36\n  watts_per_core: 20.0\n"
		    "  nodes: [ { node: \"gpu-*\", price_per_core_hour: 3.6 } ]\n", fx->evidence);
	fclose(fp);
	char err[1024];
	assert_int_equal(hh_config_load(&fx->cfg, fx->cfg_path, err, sizeof(err)), 0);
	fx->s = hh_store_open(fx->store, 0, err, sizeof(err));
	assert_non_null(fx->s);
	add(fx->s, 1000, "posture.privileged", HH_SEV_LOW, "Privileged | container", NULL, NULL);
	add(fx->s, 1030, "miner.process-indicators", HH_SEV_CRITICAL, "Miner indicators", "cmdline", "stratum+tcp://x");
	struct hh_finding *inc = hh_finding_new("agent", "incident.cryptomining", "Cryptomining incident in web",
						HH_SEV_CRITICAL, 0.6);
	inc->time = 1031;
	hh_finding_set_str(inc, "container.id", "c0ffee01c0ffee01aa");
	hh_finding_set_str(inc, "k8s.ns.name", "shop");
	hh_finding_set_str(inc, "k8s.pod.name", "web-1");
	hh_finding_set_str(inc, "hostname", "gpu-3");
	hh_finding_add_mitre(inc, "T1496");
	hh_finding_evidence_num(inc, "incident.score", 60);
	hh_finding_evidence_str(inc, "reason.miner-code", "miner code [miner.process-indicators]: <script>");
	assert_int_equal(hh_store_add(fx->s, inc), 0);
	hh_finding_free(inc);
	char snap[160], mpath[200];
	snprintf(snap, sizeof(snap), "%s/20261122T031031Z-c0ffee01c0ff", fx->evidence);
	mkdir(fx->evidence, 0700);
	mkdir(snap, 0700);
	snprintf(mpath, sizeof(mpath), "%s/manifest.json", snap);
	fp = fopen(mpath, "w");
	fprintf(fp, "{\"created\":\"20261122T031031Z\",\"files\":[{\"file\":\"workload.json\",\"bytes\":12,"
		    "\"sha256\":\"%s\"}]}", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
	fclose(fp);
	add(fx->s, 1032, "response.snapshot", HH_SEV_LOW, "snapshot container c0ffee01c0ff", "evidence directory", snap);
	add(fx->s, 1033, "response.freeze", HH_SEV_LOW, "Would freeze", "evidence directory", "/etc");
	for (int i = 0; i < 30; i++) {
		double t = 1000 + 2.0 * (i + 1);
		struct hh_cpu_point p = { .t = t, .dt = 2, .usage = t <= 1030 ? 0.05 : 0.3, .limit = 0.3,
					  .has_quota = true, .energy_j = -1 };
		assert_int_equal(hh_store_add_cpu(fx->s, "c0ffee01c0ffee01aa", &p), 0);
	}
}

static void fixture_down(struct fixture *fx)
{
	hh_store_close(fx->s);
	hh_config_free(&fx->cfg);
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	assert_int_equal(system(cmd), 0);
}

struct view_args {
	struct hh_incident *inc;
	bool standalone;
};

static void draw_html(FILE *fp, void *ctx)
{
	struct view_args *v = ctx;
	hh_incident_html(fp, v->inc, v->standalone);
}

static void draw_md(FILE *fp, void *ctx) { hh_incident_markdown(fp, ((struct view_args *)ctx)->inc); }

static void incident_from_store(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_up(&fx);
	struct hh_incident inc;
	char err[256];
	assert_int_equal(hh_incident_load(fx.s, &fx.cfg, "nope", &inc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no incident 'nope'"));
	assert_int_equal(hh_incident_load(fx.s, &fx.cfg, "../x", &inc, err, sizeof(err)), -1);
	assert_int_equal(hh_incident_load(fx.s, &fx.cfg, "c0ffee01c0ff", &inc, err, sizeof(err)), 0);
	assert_string_equal(inc.id, "c0ffee01c0ff");
	assert_string_equal(inc.workload, "shop/web-1");
	assert_string_equal(inc.node, "gpu-3");
	assert_int_equal(inc.severity, HH_SEV_CRITICAL);
	assert_float_equal(inc.score, 60, 0);
	assert_float_equal(inc.first_seen, 1000, 0);
	assert_float_equal(inc.last_seen, 1033, 0);
	assert_float_equal(inc.flagged_at, 1030, 0);
	assert_int_equal(inc.signals.n, 5);
	assert_string_equal(inc.signals.items[0]->rule, "posture.privileged"); /* oldest first */
	assert_int_equal(inc.n_points, 30);
	assert_float_equal(inc.baseline, 0.05, 1e-12); /* 15 samples up to 1030 */
	/* samples 1032..1060 after 1030: 15 x 0.3 x 2 = 9 core-s; at 3.6 per core-hour (gpu-*) 0.009; 20 W: 180 J */
	assert_int_equal(inc.bill.samples, 15);
	assert_float_equal(inc.bill.core_seconds, 9, 1e-9);
	assert_float_equal(inc.bill.cost, 0.009, 1e-12);
	assert_float_equal(inc.bill.energy_j, 180, 1e-9);
	assert_int_equal(json_array_size(inc.manifests), 2);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(inc.manifests, 1), "error")),
			       "not under response.evidence_dir"));

	struct view_args v = { &inc, true };
	char *html = render(draw_html, &v);
	assert_non_null(strstr(html, "<svg class=\"cpu-plot\""));
	assert_non_null(strstr(html, "<svg class=\"timeline\""));
	assert_non_null(strstr(html, "<li class=\"reason\"><b>miner-code</b>: miner code [miner.process-indicators]: "
				     "&lt;script&gt;</li>"));
	assert_non_null(strstr(html, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"));
	assert_non_null(strstr(html, "9.0 core-seconds"));
	assert_non_null(strstr(html, "0.0090 USD"));
	assert_non_null(strstr(html, "T1611</code> Escape to Host (1 finding)"));
	assert_non_null(strstr(html, "drop privileged: true"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "href=\"/incidents")); /* standalone: no links back */
	assert_null(strstr(html, "src="));              /* nothing external */
	assert_null(strstr(html, "href=\"http"));
	assert_null(strstr(html, "url("));
	free(html);
	v.standalone = false;
	html = render(draw_html, &v);
	assert_non_null(strstr(html, "href=\"/api/findings?container=c0ffee01c0ffee01aa&amp;limit=5000\""));
	free(html);

	char *md = render(draw_md, &v);
	assert_non_null(strstr(md, "# Incident c0ffee01c0ff: shop/web-1 (critical, score 60)"));
	assert_non_null(strstr(md, "- **miner-code**: miner code \\[miner.process-indicators\\]: \\<script\\>"));
	assert_non_null(strstr(md, "CPU consumed: 9.0 core-seconds"));
	assert_non_null(strstr(md, "Estimated cost: 0.0090 USD at 3.6 USD per core-hour (from bill.nodes\\[0\\]"));
	assert_non_null(strstr(md, "Energy: 180.0 J (0.000050 kWh), model: 20 W per core"));
	assert_non_null(strstr(md, "| workload.json | 12 | 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 |"));
	assert_non_null(strstr(md, "| Privileged \\| container |")); /* a | in a cell is escaped */
	assert_non_null(strstr(md, "- T1496 Resource Hijacking"));
	assert_non_null(strstr(md, "baseline 0.050 cores"));
	free(md);
	hh_incident_free(&inc);
	fixture_down(&fx);
}

static void one_listed(const struct hh_incident *inc, void *ctx)
{
	(void)inc;
	(*(int *)ctx)++;
}

static void incident_list_filters(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_up(&fx);
	struct hh_incident_filter f = { 0 };
	struct hh_incident_list_form form = { 0 };
	char err[256] = "";
	int n = 0;
	assert_int_equal(hh_incident_list(fx.s, &fx.cfg, &f, one_listed, &n), 1);
	assert_int_equal(hh_incident_filter_arg(&f, &form, "namespace", "other", 2000, err, sizeof(err)), 0);
	n = 0;
	assert_int_equal(hh_incident_list(fx.s, &fx.cfg, &f, one_listed, &n), 0);
	f = (struct hh_incident_filter){ 0 };
	assert_int_equal(hh_incident_filter_arg(&f, &form, "rule", "miner.process-indicators", 2000, err, sizeof(err)), 0);
	assert_int_equal(hh_incident_filter_arg(&f, &form, "min_severity", "critical", 2000, err, sizeof(err)), 0);
	assert_int_equal(hh_incident_list(fx.s, &fx.cfg, &f, one_listed, &n), 1);
	assert_int_equal(hh_incident_filter_arg(&f, &form, "since", "500", 2000, err, sizeof(err)), 0);
	assert_float_equal(f.from, 1500, 0);
	assert_int_equal(hh_incident_list(fx.s, &fx.cfg, &f, one_listed, &n), 0); /* last seen 1033 */
	assert_int_equal(hh_incident_filter_arg(&f, &form, "from", "1970-01-01T00:16", 2000, err, sizeof(err)), 0);
	assert_float_equal(f.from, 960, 0);
	assert_int_equal(hh_incident_filter_arg(&f, &form, "to", "1970-01-01T00:16:50Z", 2000, err, sizeof(err)), 0);
	assert_float_equal(f.to, 1010, 0);
	assert_int_equal(hh_incident_list(fx.s, &fx.cfg, &f, one_listed, &n), 1);
	assert_int_equal(hh_incident_filter_arg(&f, &form, "to", "yesterday", 2000, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "to: 'yesterday'"));
	assert_int_equal(hh_incident_filter_arg(&f, &form, "min_severity", "bad", 2000, err, sizeof(err)), -1);
	assert_int_equal(hh_incident_filter_arg(&f, &form, "limit", "3", 2000, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown query parameter 'limit'"));
	fixture_down(&fx);
}

/* A synthetic powercap tree: two packages (one wraps), a subzone not added. */
static void rapl_packages_and_wrap(void **state)
{
	(void)state;
	char dir[] = "/tmp/hh-inc-rapl-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char p[200];
	const char *zones[] = { "intel-rapl:0", "intel-rapl:1", "intel-rapl:0:0" };
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, zones[i]);
		mkdir(p, 0700);
	}
#define PUT(zone, file, text)                                              \
	do {                                                               \
		snprintf(p, sizeof(p), "%s/%s/%s", dir, zone, file);        \
		FILE *fp = fopen(p, "w");                                  \
		fputs(text, fp);                                           \
		fclose(fp);                                                \
	} while (0)
	PUT("intel-rapl:0", "energy_uj", "1000000\n");
	PUT("intel-rapl:0", "max_energy_range_uj", "262143328850\n");
	PUT("intel-rapl:1", "energy_uj", "262143000000\n");
	PUT("intel-rapl:1", "max_energy_range_uj", "262143328850\n");
	PUT("intel-rapl:0:0", "energy_uj", "5\n");
	struct hh_rapl r;
	assert_int_equal(hh_rapl_open(&r, dir), 2);
	assert_true(hh_rapl_delta_j(&r) < 0); /* first read */
	PUT("intel-rapl:0", "energy_uj", "3500000\n");   /* +2.5 J */
	PUT("intel-rapl:1", "energy_uj", "671150\n");    /* wrapped: 328850 + 671150 uj = 1 J */
	assert_float_equal(hh_rapl_delta_j(&r), 3.5, 1e-9);
	PUT("intel-rapl:0", "energy_uj", "garbage\n");
	assert_true(hh_rapl_delta_j(&r) < 0);
	struct hh_rapl none;
	assert_int_equal(hh_rapl_open(&none, "/nonexistent/powercap"), 0);
	assert_true(hh_rapl_delta_j(&none) < 0);
	char cmd[100];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bill_hand_computed),
		cmocka_unit_test(bill_prices_by_node_and_namespace),
		cmocka_unit_test(store_cpu_samples_capped),
		cmocka_unit_test(svg_cpu_plot),
		cmocka_unit_test(svg_timeline_rows),
		cmocka_unit_test(incident_from_store),
		cmocka_unit_test(incident_list_filters),
		cmocka_unit_test(rapl_packages_and_wrap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
