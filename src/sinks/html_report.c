#include "sinks/html_report.h"

#include <stdlib.h>

#include "sinks/markup.h"

static const char *field(const struct hh_finding *f, const char *name)
{
	const char *v = json_string_value(json_object_get(f->fields, name));
	return v ? v : "";
}

void hh_html_report_write(FILE *fp, const char *command, const struct hh_findings *list)
{
	size_t by_sev[5] = { 0 };
	for (size_t i = 0; i < list->n; i++)
		by_sev[list->items[i]->severity]++;
	fprintf(fp, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		    "<title>hashhound %s report</title>\n<style>body{font:14px system-ui,sans-serif;margin:20px}"
		    "table{border-collapse:collapse;width:100%%}td,th{border-bottom:1px solid #ddd;padding:5px;"
		    "text-align:left;vertical-align:top}.critical{color:#a00}.high{color:#d35400}"
		    ".medium{color:#b7950b}code{font-size:12px}</style></head><body>\n", command);
	fprintf(fp, "<h1>hashhound %s report</h1>\n<p>%zu findings: %zu critical, %zu high, %zu medium, "
		    "%zu low, %zu info.</p>\n", command, list->n, by_sev[4], by_sev[3], by_sev[2], by_sev[1], by_sev[0]);
	fprintf(fp, "<table><tr><th>time</th><th>severity</th><th>rule</th><th>where</th>"
		    "<th>title</th><th>evidence</th></tr>\n");
	for (size_t i = 0; i < list->n; i++) {
		const struct hh_finding *f = list->items[i];
		char ts[40];
		hh_format_time(f->time, ts, sizeof(ts));
		fprintf(fp, "<tr><td>%s</td><td class=\"%s\">%s</td><td>", ts, hh_severity_name(f->severity),
			hh_severity_name(f->severity));
		hh_markup_escaped(fp, f->rule);
		fprintf(fp, "</td><td>");
		const char *where[] = { "container.name", "container.id", "container.image", "k8s.ns.name",
					"k8s.pod.name", "k8s.name", "file.path", "fd.sip" };
		for (size_t k = 0; k < sizeof(where) / sizeof(where[0]); k++) {
			if (!field(f, where[k])[0])
				continue;
			fprintf(fp, "%s: ", where[k]);
			hh_markup_escaped(fp, field(f, where[k]));
			fprintf(fp, "<br>");
		}
		fprintf(fp, "</td><td>");
		hh_markup_escaped(fp, f->title);
		fprintf(fp, "</td><td>");
		size_t k;
		json_t *e;
		json_array_foreach(f->evidence, k, e) {
			char *v = json_dumps(json_object_get(e, "value"), JSON_ENCODE_ANY | HH_JSON_COMPACT);
			fprintf(fp, "<code>");
			hh_markup_escaped(fp, json_string_value(json_object_get(e, "what")));
			fprintf(fp, ": ");
			hh_markup_escaped(fp, v);
			fprintf(fp, "</code><br>");
			free(v);
		}
		fprintf(fp, "</td></tr>\n");
	}
	fprintf(fp, "</table></body></html>\n");
}
