/* The incident page (HTML): dashboard and post-incident report. */
#include "sinks/incident_view.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sinks/markup.h"
#include "sinks/svg_plot.h"

void hh_incident_time(double t, char *buf, size_t n)
{
	if (!(t >= 0 && t < 1e11)) {
		snprintf(buf, n, "?");
		return;
	}
	time_t s = (time_t)floor(t);
	struct tm tm;
	gmtime_r(&s, &tm);
	strftime(buf, n, "%Y-%m-%d %H:%M:%SZ", &tm);
}

size_t hh_incident_reasons(const struct hh_incident *inc, void (*fn)(const char *cls, const char *text, void *ctx),
			   void *ctx)
{
	size_t n = 0, i;
	json_t *e;
	json_array_foreach(inc->latest->evidence, i, e) {
		const char *w = json_string_value(json_object_get(e, "what"));
		const char *v = json_string_value(json_object_get(e, "value"));
		if (w && v && strncmp(w, "reason.", 7) == 0) {
			fn(w + 7, v, ctx);
			n++;
		}
	}
	return n;
}

static const char *fld(const struct hh_finding *f, const char *name)
{
	const char *v = json_string_value(json_object_get(f->fields, name));
	return v ? v : "";
}

static void esc(FILE *fp, const char *s) { hh_markup_escaped(fp, s); }

static void row(FILE *fp, const char *k, const char *v)
{
	fprintf(fp, "<tr><th>%s</th><td>", k);
	esc(fp, v && v[0] ? v : "-");
	fprintf(fp, "</td></tr>\n");
}

static void reason_li(const char *cls, const char *text, void *ctx)
{
	FILE *fp = ctx;
	fprintf(fp, "<li class=\"reason\"><b>");
	esc(fp, cls);
	fprintf(fp, "</b>: ");
	esc(fp, text);
	fprintf(fp, "</li>\n");
}

static void value_text(FILE *fp, const json_t *v)
{
	if (json_is_string(v)) {
		esc(fp, json_string_value(v));
	} else {
		char *t = json_dumps(v, JSON_ENCODE_ANY | HH_JSON_COMPACT);
		esc(fp, t);
		free(t);
	}
}

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d1f21;background:#f6f7f9}"
	"header{background:#1d1f21;color:#fff;padding:10px 20px}header a{color:#9cf}"
	"main{padding:12px 20px}section{background:#fff;border:1px solid #e3e5e8;margin:0 0 14px;padding:8px 14px}"
	"h1{font-size:20px;margin:4px 0}h2{font-size:16px;margin:6px 0}"
	"table{border-collapse:collapse}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;"
	"vertical-align:top}.sev{font-weight:600;text-transform:uppercase;font-size:12px}"
	".critical{color:#a00}.high{color:#d35400}.medium{color:#b7950b}.low{color:#2471a3}.info{color:#666}"
	"code,.sha256{font-family:ui-monospace,monospace;font-size:12px}.ev{color:#555;font-size:12px}"
	"svg{max-width:100%;height:auto;background:#fff}.legend span{margin-right:16px}";

static void head(FILE *fp, const struct hh_incident *inc, bool standalone)
{
	fprintf(fp, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>hashhound incident %s",
		inc->id);
	fprintf(fp, "</title>\n<style>%s</style></head><body>\n<header><b>hashhound</b> &middot; %s", style,
		standalone ? "post-incident report" : "<a href=\"/incidents\">incidents</a> &middot; "
						      "<a href=\"/\">findings</a>");
	fprintf(fp, "</header>\n<main>\n<h1 id=\"title\">Incident %s: ", inc->id);
	esc(fp, inc->workload);
	fprintf(fp, " <span class=\"sev %s\">%s</span> score %.0f</h1>\n<p>", hh_severity_name(inc->severity),
		hh_severity_name(inc->severity), inc->score);
	esc(fp, inc->latest->title);
	fprintf(fp, "</p>\n");
}

static void summary(FILE *fp, const struct hh_incident *inc, bool standalone)
{
	const struct hh_finding *f = inc->latest;
	char a[40], b[40], buf[64];
	fprintf(fp, "<section id=\"summary\"><h2>Summary</h2><table>\n");
	row(fp, "workload", inc->workload);
	row(fp, "namespace", inc->ns);
	row(fp, "container", inc->container_id);
	row(fp, "container name", fld(f, "container.name"));
	row(fp, "image", fld(f, "container.image"));
	row(fp, "node", inc->node);
	hh_incident_time(inc->first_seen, a, sizeof(a));
	hh_incident_time(inc->last_seen, b, sizeof(b));
	row(fp, "first seen", a);
	row(fp, "last seen", b);
	snprintf(buf, sizeof(buf), "%zu (%zu shown)", inc->signals_total, inc->signals.n);
	row(fp, "findings", buf);
	const json_t *verdict = hh_incident_evidence(f, "incident.verdict");
	row(fp, "verdict", json_string_value(verdict));
	fprintf(fp, "</table>\n");
	if (!standalone)
		fprintf(fp, "<p>Evidence: <a class=\"evidence-link\" href=\"/api/findings?container=%s&amp;limit=5000\">"
			    "every finding of this container (JSON)</a> &middot; <a href=\"/incidents/%s/report.html\">"
			    "post-incident report (HTML)</a> &middot; <a href=\"/incidents/%s/report.md\">(Markdown)</a></p>\n",
			inc->container_id, inc->id, inc->id);
	fprintf(fp, "</section>\n");
}

static void bill(FILE *fp, const struct hh_incident *inc)
{
	const struct hh_bill *b = &inc->bill;
	char from[40];
	hh_incident_time(b->from, from, sizeof(from));
	fprintf(fp, "<section id=\"bill\"><h2>The bill</h2><table>\n"
		    "<tr><th>CPU consumed</th><td class=\"core-seconds\">%.1f core-seconds (%.4f core-hours) since %s, "
		    "%zu samples</td></tr>\n",
		b->core_seconds, b->core_seconds / 3600, from, b->samples);
	fprintf(fp, "<tr><th>estimated cost</th><td class=\"cost\">%.4f ", b->cost);
	esc(fp, b->rates.currency);
	fprintf(fp, "</td></tr>\n<tr><th>price</th><td>%g ", b->rates.price_per_core_hour);
	esc(fp, b->rates.currency);
	fprintf(fp, " per core-hour (from ");
	esc(fp, b->rates.price_from);
	fprintf(fp, ")</td></tr>\n<tr><th>energy</th><td class=\"energy\">%.1f J (%.6f kWh), ", b->energy_j,
		hh_bill_kwh(b->energy_j));
	esc(fp, b->energy_source);
	fprintf(fp, "</td></tr>\n</table></section>\n");
}

static size_t marks_of(const struct hh_incident *inc, struct hh_plot_mark *m, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < inc->signals.n && n < cap; i++) {
		const struct hh_finding *f = inc->signals.items[i];
		m[n++] = (struct hh_plot_mark){ f->time, f->severity, f->rule };
	}
	return n;
}

static void plots(FILE *fp, const struct hh_incident *inc)
{
	struct hh_plot_mark *m = calloc(inc->signals.n ? inc->signals.n : 1, sizeof(*m));
	size_t nm = m ? marks_of(inc, m, inc->signals.n) : 0;
	double t0 = inc->first_seen, t1 = inc->last_seen;
	if (inc->n_points) {
		double p0 = inc->points[0].t - inc->points[0].dt, p1 = inc->points[inc->n_points - 1].t;
		t0 = p0 < t0 ? p0 : t0;
		t1 = p1 > t1 ? p1 : t1;
	}
	if (!(t1 > t0))
		t1 = t0 + 1;
	fprintf(fp, "<section id=\"timeline\"><h2>Timeline</h2>\n");
	hh_svg_timeline(fp, m, nm, t0, t1);
	fprintf(fp, "</section>\n<section id=\"cpu\"><h2>CPU of the container</h2>\n");
	if (inc->n_points) {
		hh_svg_cpu_plot(fp, inc->points, inc->n_points, inc->baseline, m, nm, t0, t1);
		const struct hh_cpu_point *last = &inc->points[inc->n_points - 1];
		fprintf(fp, "<p class=\"legend\"><span>&#9473; CPU used (%zu samples, last %.3f cores)</span>"
			    "<span style=\"color:#a00\">- - limit: %s %.2f cores</span>",
			inc->n_points, last->usage, last->has_quota ? "cgroup quota" : "no quota; node CPUs", last->limit);
		if (isfinite(inc->baseline))
			fprintf(fp, "<span style=\"color:#2471a3\">&middot;&middot;&middot; baseline %.3f cores "
				    "(median before the first finding at medium or above)</span>", inc->baseline);
		else
			fprintf(fp, "<span>no baseline: fewer than 3 samples before the first finding at medium or above</span>");
		fprintf(fp, "<span>vertical lines: findings, coloured by severity</span></p>\n");
	} else {
		fprintf(fp, "<p class=\"no-samples\">No CPU samples in the store for this container (the agent keeps "
			    "them for flagged containers when it has a store).</p>\n");
	}
	fprintf(fp, "</section>\n");
	free(m);
}

static void signals_table(FILE *fp, const struct hh_incident *inc)
{
	fprintf(fp, "<section id=\"signals\"><h2>Every finding of this container</h2><table>\n"
		    "<tr><th>time (UTC)</th><th>severity</th><th>rule</th><th>title and evidence</th></tr>\n");
	for (size_t i = 0; i < inc->signals.n; i++) {
		const struct hh_finding *f = inc->signals.items[i];
		char ts[40];
		hh_incident_time(f->time, ts, sizeof(ts));
		fprintf(fp, "<tr class=\"signal-row\"><td>%s</td><td class=\"sev %s\">%s</td><td><code>", ts,
			hh_severity_name(f->severity), hh_severity_name(f->severity));
		esc(fp, f->rule);
		fprintf(fp, "</code></td><td>");
		esc(fp, f->title);
		fprintf(fp, "<div class=\"ev\">");
		size_t k;
		json_t *e;
		json_array_foreach(f->evidence, k, e) {
			if (k >= 12) {
				fprintf(fp, "&hellip;");
				break;
			}
			esc(fp, json_string_value(json_object_get(e, "what")));
			fprintf(fp, ": ");
			value_text(fp, json_object_get(e, "value"));
			fprintf(fp, "; ");
		}
		fprintf(fp, "</div></td></tr>\n");
	}
	fprintf(fp, "</table></section>\n");
}

static void response(FILE *fp, const struct hh_incident *inc)
{
	fprintf(fp, "<section id=\"response\"><h2>Response taken</h2>\n");
	size_t n = 0;
	for (size_t i = 0; i < inc->signals.n; i++) {
		const struct hh_finding *f = inc->signals.items[i];
		if (strncmp(f->rule, "response.", 9) != 0)
			continue;
		char ts[40];
		hh_incident_time(f->time, ts, sizeof(ts));
		fprintf(fp, "%s<li class=\"action\">%s: ", n++ ? "" : "<ul>", ts);
		esc(fp, f->title);
		fprintf(fp, " (dry run: ");
		esc(fp, json_string_value(hh_incident_evidence(f, "dry run")));
		fprintf(fp, "; ");
		esc(fp, json_string_value(hh_incident_evidence(f, "detail")));
		fprintf(fp, ")</li>\n");
	}
	fprintf(fp, n ? "</ul>\n" : "<p>None recorded (response.auto off, or no response yet).</p>\n");
	fprintf(fp, "</section>\n<section id=\"evidence\"><h2>Evidence manifest</h2>\n");
	size_t i;
	json_t *m;
	json_array_foreach(inc->manifests, i, m) {
		fprintf(fp, "<p>Snapshot <code>");
		esc(fp, json_string_value(json_object_get(m, "dir")));
		fprintf(fp, "</code>");
		if (json_object_get(m, "created")) {
			fprintf(fp, ", created ");
			esc(fp, json_string_value(json_object_get(m, "created")));
		}
		fprintf(fp, "</p>\n");
		const char *err = json_string_value(json_object_get(m, "error"));
		if (err) {
			fprintf(fp, "<p class=\"manifest-error\">manifest not shown: ");
			esc(fp, err);
			fprintf(fp, "</p>\n");
			continue;
		}
		fprintf(fp, "<table class=\"manifest\"><tr><th>file</th><th>bytes</th><th>SHA-256</th></tr>\n");
		size_t k;
		json_t *f;
		json_array_foreach(json_object_get(m, "files"), k, f) {
			fprintf(fp, "<tr><td><code>");
			esc(fp, json_string_value(json_object_get(f, "file")));
			fprintf(fp, "</code></td><td>%lld</td><td class=\"sha256\">",
				(long long)json_integer_value(json_object_get(f, "bytes")));
			esc(fp, json_string_value(json_object_get(f, "sha256")));
			fprintf(fp, "</td></tr>\n");
		}
		fprintf(fp, "</table>\n");
	}
	if (!json_array_size(inc->manifests))
		fprintf(fp, "<p>No evidence snapshot recorded.</p>\n");
	fprintf(fp, "</section>\n");
}

static void mitre_and_posture(FILE *fp, const struct hh_incident *inc)
{
	fprintf(fp, "<section id=\"mitre\"><h2>MITRE ATT&amp;CK</h2><ul>\n");
	char seen[64][16];
	size_t ns = 0;
	for (size_t i = 0; i < inc->signals.n; i++) {
		const struct hh_finding *f = inc->signals.items[i];
		for (size_t k = 0; k < f->n_mitre; k++) {
			size_t j;
			for (j = 0; j < ns; j++)
				if (strcmp(seen[j], f->mitre[k]) == 0)
					break;
			if (j < ns || ns == 64)
				continue;
			memcpy(seen[ns++], f->mitre[k], sizeof(seen[0]));
			size_t count = 0;
			for (size_t x = 0; x < inc->signals.n; x++)
				for (size_t y = 0; y < inc->signals.items[x]->n_mitre; y++)
					count += strcmp(inc->signals.items[x]->mitre[y], f->mitre[k]) == 0;
			const char *name = hh_mitre_name(f->mitre[k]);
			fprintf(fp, "<li class=\"technique\"><code>");
			esc(fp, f->mitre[k]);
			fprintf(fp, "</code> ");
			esc(fp, name ? name : "");
			fprintf(fp, " (%zu finding%s)</li>\n", count, count == 1 ? "" : "s");
		}
	}
	fprintf(fp, "</ul></section>\n<section id=\"posture\"><h2>Posture to fix</h2>\n");
	size_t n = 0;
	for (size_t i = 0; i < inc->signals.n; i++) {
		const struct hh_finding *f = inc->signals.items[i];
		if (strncmp(f->rule, "posture.", 8) != 0 && strncmp(f->rule, "context.", 8) != 0)
			continue;
		const char *fix = hh_posture_fix(f->rule);
		fprintf(fp, "%s<li class=\"fix\"><code>", n++ ? "" : "<ul>");
		esc(fp, f->rule);
		fprintf(fp, "</code> ");
		esc(fp, f->title);
		if (fix) {
			fprintf(fp, ": <b>");
			esc(fp, fix);
			fprintf(fp, "</b>");
		}
		fprintf(fp, "</li>\n");
	}
	fprintf(fp, n ? "</ul>\n" : "<p>No posture finding for this workload in the store.</p>\n");
	fprintf(fp, "</section>\n");
}

void hh_incident_html(FILE *fp, const struct hh_incident *inc, bool standalone)
{
	head(fp, inc, standalone);
	summary(fp, inc, standalone);
	fprintf(fp, "<section id=\"reasons\"><h2>Why</h2><ul class=\"reasons\">\n");
	if (!hh_incident_reasons(inc, reason_li, fp))
		fprintf(fp, "<li>no reasons recorded</li>\n");
	fprintf(fp, "</ul></section>\n");
	bill(fp, inc);
	plots(fp, inc);
	response(fp, inc);
	mitre_and_posture(fp, inc);
	signals_table(fp, inc);
	char now[40];
	hh_incident_time(hh_now(), now, sizeof(now));
	fprintf(fp, "<p class=\"ev\">hashhound %s, written %s</p>\n</main></body></html>\n", HH_VERSION, now);
}
