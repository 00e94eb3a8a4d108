/* The incident in Markdown (sinks/incident_view.h): the facts of the HTML
 * report, with the CPU series as a table of numbers (at most 40 rows). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sinks/incident_view.h"

/* Text for a table cell or a list item: one line, | and markup characters escaped. */
static void md(FILE *fp, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n' || c == '\r' || c == '\t')
			fputc(' ', fp);
		else if (c < 0x20)
			fputc('?', fp);
		else if (strchr("|\\`*_[]<>#", c))
			fprintf(fp, "\\%c", c);
		else
			fputc(c, fp);
	}
}

static void reason_item(const char *cls, const char *text, void *ctx)
{
	FILE *fp = ctx;
	fprintf(fp, "- **");
	md(fp, cls);
	fprintf(fp, "**: ");
	md(fp, text);
	fputc('\n', fp);
}

static const char *fld(const struct hh_finding *f, const char *name)
{
	const char *v = json_string_value(json_object_get(f->fields, name));
	return v && v[0] ? v : "-";
}

void hh_incident_markdown(FILE *fp, const struct hh_incident *inc)
{
	const struct hh_finding *f = inc->latest;
	char a[40], b[40];
	fprintf(fp, "# Incident %s: ", inc->id);
	md(fp, inc->workload);
	fprintf(fp, " (%s, score %.0f)\n\n", hh_severity_name(inc->severity), inc->score);
	md(fp, f->title);
	fprintf(fp, "\n\n## Summary\n\n| | |\n|---|---|\n| workload | ");
	md(fp, inc->workload);
	fprintf(fp, " |\n| namespace | ");
	md(fp, inc->ns[0] ? inc->ns : "-");
	fprintf(fp, " |\n| container | ");
	md(fp, inc->container_id);
	fprintf(fp, " |\n| container name | ");
	md(fp, fld(f, "container.name"));
	fprintf(fp, " |\n| image | ");
	md(fp, fld(f, "container.image"));
	fprintf(fp, " |\n| node | ");
	md(fp, inc->node[0] ? inc->node : "-");
	hh_incident_time(inc->first_seen, a, sizeof(a));
	hh_incident_time(inc->last_seen, b, sizeof(b));
	fprintf(fp, " |\n| first seen | %s |\n| last seen | %s |\n| findings | %zu |\n| verdict | ", a, b,
		inc->signals_total);
	md(fp, json_string_value(hh_incident_evidence(f, "incident.verdict")));
	fprintf(fp, " |\n\n## Why\n\n");
	if (!hh_incident_reasons(inc, reason_item, fp))
		fprintf(fp, "- no reasons recorded\n");

	const struct hh_bill *bl = &inc->bill;
	hh_incident_time(bl->from, a, sizeof(a));
	fprintf(fp, "\n## The bill\n\n- CPU consumed: %.1f core-seconds (%.4f core-hours) since %s, %zu samples\n"
		    "- Estimated cost: %.4f ",
		bl->core_seconds, bl->core_seconds / 3600, a, bl->samples, bl->cost);
	md(fp, bl->rates.currency);
	fprintf(fp, " at %g ", bl->rates.price_per_core_hour);
	md(fp, bl->rates.currency);
	fprintf(fp, " per core-hour (from ");
	md(fp, bl->rates.price_from);
	fprintf(fp, ")\n- Energy: %.1f J (%.6f kWh), ", bl->energy_j, hh_bill_kwh(bl->energy_j));
	md(fp, bl->energy_source);

	fprintf(fp, "\n\n## Timeline\n\n| time (UTC) | severity | rule | title |\n|---|---|---|---|\n");
	for (size_t i = 0; i < inc->signals.n; i++) {
		const struct hh_finding *g = inc->signals.items[i];
		hh_incident_time(g->time, a, sizeof(a));
		fprintf(fp, "| %s | %s | ", a, hh_severity_name(g->severity));
		md(fp, g->rule);
		fprintf(fp, " | ");
		md(fp, g->title);
		fprintf(fp, " |\n");
	}

	fprintf(fp, "\n## CPU of the container\n\n");
	if (!inc->n_points) {
		fprintf(fp, "No CPU samples in the store for this container.\n");
	} else {
		const struct hh_cpu_point *last = &inc->points[inc->n_points - 1];
		fprintf(fp, "%zu samples; limit %.2f cores (%s); ", inc->n_points, last->limit,
			last->has_quota ? "cgroup quota" : "no quota; node CPUs");
		if (isfinite(inc->baseline))
			fprintf(fp, "baseline %.3f cores (median before the first finding at medium or above).\n\n",
				inc->baseline);
		else
			fprintf(fp, "no baseline (fewer than 3 samples before the first finding at medium or above).\n\n");
		fprintf(fp, "| time (UTC) | CPU (cores) | limit (cores) |\n|---|---|---|\n");
		size_t step = inc->n_points > 40 ? (inc->n_points + 39) / 40 : 1;
		for (size_t i = 0; i < inc->n_points; i += step) {
			double sum = 0;
			size_t k, cnt = 0;
			for (k = i; k < inc->n_points && k < i + step; k++, cnt++)
				sum += inc->points[k].usage;
			hh_incident_time(inc->points[k - 1].t, a, sizeof(a));
			fprintf(fp, "| %s | %.3f | %.2f |\n", a, sum / (double)cnt, inc->points[k - 1].limit);
		}
	}

	fprintf(fp, "\n## Response taken\n\n");
	size_t n = 0;
	for (size_t i = 0; i < inc->signals.n; i++) {
		const struct hh_finding *g = inc->signals.items[i];
		if (strncmp(g->rule, "response.", 9) != 0)
			continue;
		hh_incident_time(g->time, a, sizeof(a));
		fprintf(fp, "- %s: ", a);
		md(fp, g->title);
		fprintf(fp, " (dry run: ");
		md(fp, json_string_value(hh_incident_evidence(g, "dry run")));
		fprintf(fp, "; ");
		md(fp, json_string_value(hh_incident_evidence(g, "detail")));
		fprintf(fp, ")\n");
		n++;
	}
	if (!n)
		fprintf(fp, "None recorded.\n");

	fprintf(fp, "\n## Evidence manifest\n\n");
	size_t i;
	json_t *m;
	json_array_foreach(inc->manifests, i, m) {
		fprintf(fp, "Snapshot `");
		md(fp, json_string_value(json_object_get(m, "dir")));
		fprintf(fp, "`\n\n");
		const char *err = json_string_value(json_object_get(m, "error"));
		if (err) {
			fprintf(fp, "manifest not shown: ");
			md(fp, err);
			fprintf(fp, "\n\n");
			continue;
		}
		fprintf(fp, "| file | bytes | SHA-256 |\n|---|---|---|\n");
		size_t k;
		json_t *e;
		json_array_foreach(json_object_get(m, "files"), k, e) {
			fprintf(fp, "| ");
			md(fp, json_string_value(json_object_get(e, "file")));
			fprintf(fp, " | %lld | ", (long long)json_integer_value(json_object_get(e, "bytes")));
			md(fp, json_string_value(json_object_get(e, "sha256")));
			fprintf(fp, " |\n");
		}
		fputc('\n', fp);
	}
	if (!json_array_size(inc->manifests))
		fprintf(fp, "No evidence snapshot recorded.\n\n");

	fprintf(fp, "## MITRE ATT&CK\n\n");
	char seen[64][16];
	size_t ns = 0;
	for (size_t x = 0; x < inc->signals.n; x++)
		for (size_t y = 0; y < inc->signals.items[x]->n_mitre; y++) {
			const char *t = inc->signals.items[x]->mitre[y];
			size_t j;
			for (j = 0; j < ns; j++)
				if (strcmp(seen[j], t) == 0)
					break;
			if (j < ns || ns == 64)
				continue;
			memcpy(seen[ns++], t, sizeof(seen[0]));
			fprintf(fp, "- ");
			md(fp, t);
			fprintf(fp, " ");
			md(fp, hh_mitre_name(t) ? hh_mitre_name(t) : "");
			fputc('\n', fp);
		}
	fprintf(fp, "\n## Posture to fix\n\n");
	n = 0;
	for (size_t x = 0; x < inc->signals.n; x++) {
		const struct hh_finding *g = inc->signals.items[x];
		if (strncmp(g->rule, "posture.", 8) != 0 && strncmp(g->rule, "context.", 8) != 0)
			continue;
		fprintf(fp, "- ");
		md(fp, g->rule);
		fprintf(fp, ": ");
		md(fp, g->title);
		if (hh_posture_fix(g->rule)) {
			fprintf(fp, "; fix: **");
			md(fp, hh_posture_fix(g->rule));
			fprintf(fp, "**");
		}
		fputc('\n', fp);
		n++;
	}
	if (!n)
		fprintf(fp, "No posture finding for this workload in the store.\n");
}
