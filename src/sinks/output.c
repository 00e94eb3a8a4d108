#include "sinks/output.h"

#include <stdlib.h>
#include <string.h>

#include "sinks/falco_format.h"
#include "sinks/sarif.h"
#include "sinks/html_report.h"
#include "sinks/junit.h"

struct hh_output {
	enum hh_format fmt;
	FILE *fp;
	char command[32];
	size_t n_emitted;
	struct hh_findings buffered; /* SARIF, JUnit and HTML only */
};

bool hh_format_parse(const char *name, enum hh_format *out)
{
	static const struct { const char *name; enum hh_format fmt; } names[] = {
		{ "json", HH_FMT_JSON }, { "jsonl", HH_FMT_JSON }, { "table", HH_FMT_TABLE },
		{ "sarif", HH_FMT_SARIF }, { "junit", HH_FMT_JUNIT }, { "html", HH_FMT_HTML },
		{ "falco", HH_FMT_FALCO },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (name && strcmp(name, names[i].name) == 0) {
			*out = names[i].fmt;
			return true;
		}
	}
	return false;
}

struct hh_output *hh_output_open(enum hh_format fmt, FILE *fp, const char *tool_command)
{
	struct hh_output *out = calloc(1, sizeof(*out));
	if (!out)
		return NULL;
	out->fmt = fmt;
	out->fp = fp;
	snprintf(out->command, sizeof(out->command), "%s", tool_command ? tool_command : "");
	return out;
}

static void json_line(FILE *fp, json_t *j)
{
	char *s = json_dumps(j, HH_JSON_COMPACT | JSON_ENSURE_ASCII);
	if (s) {
		fputs(s, fp);
		fputc('\n', fp);
		free(s);
	}
	json_decref(j);
	fflush(fp);
}

void hh_output_json_line(FILE *fp, const struct hh_finding *f)
{
	json_line(fp, hh_finding_to_json(f));
}

/* The most telling place a finding points at, for the table's last column. */
static const char *finding_where(const struct hh_finding *f)
{
	static const char *const keys[] = { "container.name", "container.id", "file.path",
					    "k8s.name", "fd.sip", "proc.exepath", "image.layer" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(f->fields, keys[i]);
		if (json_is_string(v) && json_string_length(v))
			return json_string_value(v);
	}
	return "-";
}

static void emit_table_row(struct hh_output *out, const struct hh_finding *f)
{
	if (out->n_emitted == 0)
		fprintf(out->fp, "%-8s  %-34s  %-40s  %s\n", "SEVERITY", "RULE", "WHERE", "TITLE");
	fprintf(out->fp, "%-8s  %-34s  %-40.40s  %s\n", hh_severity_name(f->severity), f->rule,
		finding_where(f), f->title);
	size_t i;
	json_t *e;
	json_array_foreach(f->evidence, i, e) {
		json_t *what = json_object_get(e, "what"), *value = json_object_get(e, "value");
		char *v = json_dumps(value, JSON_ENCODE_ANY | HH_JSON_COMPACT);
		fprintf(out->fp, "          - %s: %s\n", json_string_value(what) ? json_string_value(what) : "",
			v ? v : "");
		free(v);
	}
	fflush(out->fp);
}

void hh_output_emit(struct hh_output *out, const struct hh_finding *f)
{
	switch (out->fmt) {
	case HH_FMT_JSON:
		hh_output_json_line(out->fp, f);
		break;
	case HH_FMT_TABLE:
		emit_table_row(out, f);
		break;
	case HH_FMT_FALCO:
		json_line(out->fp, hh_finding_to_falco_json(f));
		break;
	case HH_FMT_SARIF:
	case HH_FMT_JUNIT:
	case HH_FMT_HTML:
		hh_findings_push(&out->buffered, hh_finding_clone(f));
		break;
	}
	out->n_emitted++;
}

void hh_output_close(struct hh_output *out)
{
	if (!out)
		return;
	if (out->fmt == HH_FMT_SARIF)
		hh_sarif_write(out->fp, out->command, &out->buffered);
	else if (out->fmt == HH_FMT_JUNIT)
		hh_junit_write(out->fp, out->command, &out->buffered);
	else if (out->fmt == HH_FMT_HTML)
		hh_html_report_write(out->fp, out->command, &out->buffered);
	else if (out->fmt == HH_FMT_TABLE && out->n_emitted == 0)
		fprintf(out->fp, "no findings\n");
	fflush(out->fp);
	hh_findings_clear(&out->buffered);
	free(out);
}
