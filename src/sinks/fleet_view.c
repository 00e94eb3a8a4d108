/* The fleet view (fleet_view.h). */
#include "sinks/fleet_view.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sinks/http_incidents.h"
#include "sinks/markup.h"

bool hh_fleet_view_path(const char *url)
{
	return strcmp(url, "/fleet") == 0 || strcmp(url, "/api/fleet/campaigns") == 0;
}

struct campaigns {
	struct hh_finding *c[HH_FLEET_VIEW_MAX];
	size_t n;
};

static const char *field_str(const struct hh_finding *f, const char *name)
{
	const char *v = json_string_value(json_object_get(f->fields, name));
	return v ? v : "";
}

static long long nodes_of(const struct hh_finding *f)
{
	return json_integer_value(json_object_get(f->fields, "campaign.nodes"));
}

/* Newest first from the store: the first report of an id is its latest. */
static void collect(const struct hh_finding *f, void *ctx)
{
	struct campaigns *cs = ctx;
	const char *id = field_str(f, "campaign.id");
	if (cs->n == HH_FLEET_VIEW_MAX || !*id)
		return;
	for (size_t i = 0; i < cs->n; i++)
		if (!strcmp(field_str(cs->c[i], "campaign.id"), id))
			return;
	struct hh_finding *copy = hh_finding_clone(f);
	if (copy)
		cs->c[cs->n++] = copy;
}

static int by_nodes(const void *a, const void *b)
{
	const struct hh_finding *x = *(struct hh_finding *const *)a, *y = *(struct hh_finding *const *)b;
	long long nx = nodes_of(x), ny = nodes_of(y);
	if (nx != ny)
		return nx > ny ? -1 : 1;
	return x->time > y->time ? -1 : x->time < y->time ? 1 : 0;
}

static int load(struct hh_store *store, struct campaigns *cs)
{
	cs->n = 0;
	/* Re-reports of one campaign count against the limit: ask for more. */
	struct hh_store_query q = { .rule = "fleet.campaign", .limit = 8 * HH_FLEET_VIEW_MAX };
	if (hh_store_query(store, &q, collect, cs) < 0)
		return -1;
	qsort(cs->c, cs->n, sizeof(cs->c[0]), by_nodes);
	return (int)cs->n;
}

static void unload(struct campaigns *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		hh_finding_free(cs->c[i]);
	cs->n = 0;
}

static void cell(FILE *fp, const char *s)
{
	fputs("<td>", fp);
	hh_markup_escaped(fp, s);
	fputs("</td>", fp);
}

int hh_fleet_view_html(FILE *fp, struct hh_store *store)
{
	static struct campaigns cs; /* too big for a request thread's stack */
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&mu);
	int n = load(store, &cs);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hashhound: fleet campaigns</title>\n"
	      "<style>body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}"
	      "td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}"
	      ".high,.critical{color:#b00020;font-weight:bold}.medium{color:#a05a00}"
	      "code{word-break:break-all}</style></head><body>\n"
	      "<p><a href=\"/\">dashboard</a> · <a href=\"/api/fleet/campaigns\">JSON</a></p>\n"
	      "<h1>Fleet campaigns</h1>\n",
	      fp);
	if (n < 0) {
		fputs("<p>The store could not be read.</p>\n", fp);
	} else if (n == 0) {
		fputs("<p>No campaign: no campaign key (executable hash, pool, wallet, image, dropper URL) "
		      "has been seen on several nodes. Campaigns come from <code>hashhound fleet run</code>; "
		      "serve its store (<code>hashhound serve --store fleet.db</code>).</p>\n",
		      fp);
	} else {
		fprintf(fp, "<p>%d campaign%s, most nodes first.</p>\n", n, n == 1 ? "" : "s");
		fputs("<table><thead><tr><th>severity</th><th>kind</th><th>key</th><th>nodes</th>"
		      "<th>node: workload: rule (severity)</th><th>last grew</th></tr></thead><tbody>\n",
		      fp);
		for (int i = 0; i < n; i++) {
			const struct hh_finding *c = cs.c[i];
			const char *sev = hh_severity_name(c->severity);
			char when[64];
			hh_format_time(c->time, when, sizeof(when));
			fprintf(fp, "<tr><td class=\"%s\">%s</td>", sev, sev);
			cell(fp, field_str(c, "campaign.kind"));
			fputs("<td><code>", fp);
			hh_markup_escaped(fp, field_str(c, "campaign.key"));
			fprintf(fp, "</code></td><td>%lld</td><td>", nodes_of(c));
			size_t k;
			json_t *e;
			json_array_foreach(c->evidence, k, e) {
				const char *what = json_string_value(json_object_get(e, "what"));
				const char *value = json_string_value(json_object_get(e, "value"));
				if (!what || strncmp(what, "node ", 5) || !value)
					continue;
				hh_markup_escaped(fp, what + 5);
				fputs(": ", fp);
				hh_markup_escaped(fp, value);
				fputs("<br>", fp);
			}
			fputs("</td>", fp);
			cell(fp, when);
			fputs("</tr>\n", fp);
		}
		fputs("</tbody></table>\n", fp);
	}
	fputs("</body></html>\n", fp);
	unload(&cs);
	pthread_mutex_unlock(&mu);
	return n;
}

int hh_fleet_view_json(FILE *fp, struct hh_store *store)
{
	static struct campaigns cs;
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&mu);
	int n = load(store, &cs);
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, hh_finding_to_json(cs.c[i]));
	char *text = json_dumps(arr, HH_JSON_COMPACT);
	json_decref(arr);
	fprintf(fp, "%s\n", text ? text : "[]");
	free(text);
	unload(&cs);
	pthread_mutex_unlock(&mu);
	return n;
}

enum MHD_Result hh_fleet_view(struct MHD_Connection *conn, const char *url, struct hh_store *store)
{
	char *body = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&body, &len);
	if (!fp)
		return MHD_NO;
	bool json = strcmp(url, "/api/fleet/campaigns") == 0;
	int n = json ? hh_fleet_view_json(fp, store) : hh_fleet_view_html(fp, store);
	fclose(fp);
	return hh_http_send_page(conn, n < 0 ? 500 : 200, json ? "application/json" : "text/html; charset=utf-8", body, len);
}
