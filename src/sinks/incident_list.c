/* The dashboard's incident list (sinks/incident_view.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sinks/incident_view.h"
#include "sinks/markup.h"

static int parse_utc(const char *s, double *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *rest = strptime(s, "%Y-%m-%dT%H:%M", &tm);
	if (!rest)
		return -1;
	if (*rest == ':') {
		char *end;
		long sec = strtol(rest + 1, &end, 10);
		if (end == rest + 1 || sec < 0 || sec > 60)
			return -1;
		tm.tm_sec = (int)sec;
		rest = end;
	}
	if (*rest == 'Z')
		rest++;
	if (*rest)
		return -1;
	*out = (double)timegm(&tm);
	return 0;
}

int hh_incident_filter_arg(struct hh_incident_filter *f, struct hh_incident_list_form *form, const char *key,
			   const char *value, double now, char *err, size_t errlen)
{
	if (!value || !value[0])
		return 0;
	if (!strcmp(key, "min_severity")) {
		if (!hh_severity_parse(value, &f->min_severity)) {
			snprintf(err, errlen, "min_severity: '%.40s' is not info, low, medium, high or critical", value);
			return -1;
		}
		form->min_severity = value;
	} else if (!strcmp(key, "namespace")) {
		f->ns = form->ns = value;
	} else if (!strcmp(key, "rule")) {
		f->rule = form->rule = value;
	} else if (!strcmp(key, "since")) {
		char *end;
		double s = strtod(value, &end);
		if (end == value || *end || !(s >= 0) || s > 1e12) {
			snprintf(err, errlen, "since: '%.40s' is not a number of seconds >= 0", value);
			return -1;
		}
		f->from = now - s;
	} else if (!strcmp(key, "from") || !strcmp(key, "to")) {
		double t;
		if (parse_utc(value, &t) < 0) {
			snprintf(err, errlen, "%s: '%.40s' is not a UTC time YYYY-MM-DDTHH:MM[:SS][Z]", key, value);
			return -1;
		}
		if (key[0] == 'f')
			f->from = t, form->from = value;
		else
			f->to = t, form->to = value;
	} else {
		snprintf(err, errlen, "unknown query parameter '%.40s' (min_severity, namespace, rule, since, from, to)",
			 key);
		return -1;
	}
	return 0;
}

struct list_ctx {
	FILE *fp;
	size_t n;
	double cost, core_seconds;
	char currency[16];
	bool mixed_currency;
};

static void esc(FILE *fp, const char *s) { hh_markup_escaped(fp, s); }

/* The list shows each class once; the incident page has every reason. */
struct reason_chips {
	FILE *fp;
	char seen[16][32];
	size_t n;
};

static void reason_short(const char *cls, const char *text, void *ctx)
{
	(void)text;
	struct reason_chips *r = ctx;
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->seen[i], cls) == 0)
			return;
	if (r->n < sizeof(r->seen) / sizeof(r->seen[0]))
		hh_strlcpy(r->seen[r->n++], cls, sizeof(r->seen[0]));
	fprintf(r->fp, "<span class=\"reason\">");
	esc(r->fp, cls);
	fprintf(r->fp, "</span> ");
}

static void one(const struct hh_incident *inc, void *ctx)
{
	struct list_ctx *c = ctx;
	FILE *fp = c->fp;
	char a[40], b[40];
	hh_incident_time(inc->first_seen, a, sizeof(a));
	hh_incident_time(inc->last_seen, b, sizeof(b));
	fprintf(fp, "<tr class=\"incident\"><td><a href=\"/incidents/%s\">%s</a></td><td>%.0f</td>"
		    "<td class=\"sev %s\">%s</td><td>",
		inc->id, inc->id, inc->score, hh_severity_name(inc->severity), hh_severity_name(inc->severity));
	esc(fp, inc->workload);
	fprintf(fp, "</td><td>");
	esc(fp, inc->ns[0] ? inc->ns : "-");
	fprintf(fp, "</td><td>%s</td><td>%s</td><td>", a, b);
	struct reason_chips chips = { .fp = fp };
	hh_incident_reasons(inc, reason_short, &chips);
	fprintf(fp, "</td><td class=\"cost\">%.1f core-s, %.4f ", inc->bill.core_seconds, inc->bill.cost);
	esc(fp, inc->bill.rates.currency);
	fprintf(fp, "</td></tr>\n");
	if (c->n++ == 0)
		snprintf(c->currency, sizeof(c->currency), "%s", inc->bill.rates.currency);
	else if (strcmp(c->currency, inc->bill.rates.currency) != 0)
		c->mixed_currency = true;
	c->cost += inc->bill.cost;
	c->core_seconds += inc->bill.core_seconds;
}

static void input(FILE *fp, const char *label, const char *name, const char *type, const char *value)
{
	fprintf(fp, "<label>%s <input name=\"%s\" type=\"%s\" value=\"", label, name, type);
	esc(fp, value ? value : "");
	fprintf(fp, "\"></label>\n");
}

void hh_incident_list_html(FILE *fp, struct hh_store *s, const struct hh_config *cfg,
			   const struct hh_incident_filter *f, const struct hh_incident_list_form *form)
{
	fprintf(fp, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<title>hashhound incidents</title>\n<style>body{font:14px/1.4 system-ui,sans-serif;margin:0;"
		    "color:#1d1f21;background:#f6f7f9}header{background:#1d1f21;color:#fff;padding:10px 20px}"
		    "header a{color:#9cf}main{padding:12px 20px}table{border-collapse:collapse;width:100%%;"
		    "background:#fff}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e5e8;"
		    "vertical-align:top}th{background:#eceef1}.sev{font-weight:600;text-transform:uppercase;"
		    "font-size:12px}.critical{color:#a00}.high{color:#d35400}.medium{color:#b7950b}.low{color:#2471a3}"
		    ".info{color:#666}form{margin-bottom:12px;display:flex;gap:10px;flex-wrap:wrap}.reason{background:"
		    "#eceef1;border-radius:3px;padding:0 4px;font-size:12px}.error{color:#a00}</style></head><body>\n"
		    "<header><b>hashhound</b> &middot; incidents &middot; <a href=\"/\">findings</a> &middot; <a href=\"/fleet\">fleet</a> "
		    "</header>\n<main>\n<form method=\"get\" action=\"/incidents\">\n"
		    "<label>minimum severity <select name=\"min_severity\">");
	const char *sel = form->min_severity ? form->min_severity : "info";
	for (int v = 0; v < 5; v++) {
		const char *n = hh_severity_name((enum hh_severity)v);
		fprintf(fp, "<option%s>%s</option>", strcmp(n, sel) == 0 ? " selected" : "", n);
	}
	fprintf(fp, "</select></label>\n");
	input(fp, "namespace", "namespace", "text", form->ns);
	input(fp, "rule", "rule", "text", form->rule);
	input(fp, "from (UTC)", "from", "datetime-local", form->from);
	input(fp, "to (UTC)", "to", "datetime-local", form->to);
	fprintf(fp, "<button type=\"submit\">filter</button></form>\n");
	if (form->error) {
		fprintf(fp, "<p class=\"error\">");
		esc(fp, form->error);
		fprintf(fp, "</p>\n");
	}
	fprintf(fp, "<table><thead><tr><th>incident</th><th>score</th><th>severity</th><th>workload</th>"
		    "<th>namespace</th><th>first seen (UTC)</th><th>last seen (UTC)</th><th>reasons</th>"
		    "<th>CPU and cost</th></tr></thead>\n<tbody>\n");
	struct list_ctx c = { .fp = fp };
	int n = form->error ? 0 : hh_incident_list(s, cfg, f, one, &c);
	fprintf(fp, "</tbody></table>\n");
	if (n < 0)
		fprintf(fp, "<p class=\"error\">The store could not be read.</p>\n");
	else if (n == 0)
		fprintf(fp, "<p id=\"empty\">No incident matches.</p>\n");
	fprintf(fp, "<p id=\"total\">Running cost of the %zu incident%s shown: <b class=\"running-cost\">%.4f ", c.n,
		c.n == 1 ? "" : "s", c.cost);
	esc(fp, c.n ? c.currency : hh_config_str(cfg, NULL, "bill.currency", "USD"));
	fprintf(fp, "</b>%s for %.1f CPU core-seconds (prices: bill.* in the configuration).</p>\n"
		    "</main></body></html>\n", c.mixed_currency ? " (mixed currencies)" : "", c.core_seconds);
}
