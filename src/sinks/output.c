#include "sinks/output.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/escape.h"
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
	double opened;               /* hh_now() at open, for the JUnit time */
	const struct hh_junit_subject *subjects;
	size_t n_subjects;
};

/* Every format name; aliases are not listed in help. */
static const struct {
	const char *name;
	enum hh_format fmt;
	bool alias;
} format_names[] = {
	{ "json", HH_FMT_JSON, false },   { "jsonl", HH_FMT_JSON, true }, { "table", HH_FMT_TABLE, false },
	{ "sarif", HH_FMT_SARIF, false }, { "junit", HH_FMT_JUNIT, false }, { "html", HH_FMT_HTML, false },
	{ "falco", HH_FMT_FALCO, false },
};

bool hh_format_parse(const char *name, enum hh_format *out)
{
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (name && strcmp(name, format_names[i].name) == 0) {
			*out = format_names[i].fmt;
			return true;
		}
	}
	return false;
}

void hh_format_names(unsigned mask, char *buf, size_t len)
{
	size_t used = 0;
	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]) && used < len; i++) {
		if (format_names[i].alias || !(mask & HH_FMT_BIT(format_names[i].fmt)))
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", format_names[i].name);
	}
}

struct hh_output *hh_output_open(enum hh_format fmt, FILE *fp, const char *tool_command)
{
	struct hh_output *out = calloc(1, sizeof(*out));
	if (!out)
		return NULL;
	out->fmt = fmt;
	out->fp = fp;
	out->opened = hh_now();
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

static const char *field(const struct hh_finding *f, const char *key)
{
	const char *v = json_string_value(json_object_get(f->fields, key));
	return v && v[0] ? v : NULL;
}

/* The most telling place a finding points at, for the table's WHERE column,
 * whole (never cut): a Kubernetes object as namespace/kind/name, a file as
 * path:line, a pod's container as namespace/Pod/name (container), else the
 * container, the peer, the executable or the layer. */
void hh_output_where(const struct hh_finding *f, char *buf, size_t len)
{
	const char *ns = field(f, "k8s.ns.name"), *kind = field(f, "k8s.kind"), *name = field(f, "k8s.name");
	const char *pod = field(f, "k8s.pod.name"), *ctr = field(f, "container.name"), *path = field(f, "file.path");
	json_t *line = json_object_get(f->fields, "file.line");
	if (kind && name) {
		snprintf(buf, len, "%s%s%s/%s", ns ? ns : "", ns ? "/" : "", kind, name);
	} else if (path) {
		if (json_is_integer(line) && json_integer_value(line) > 0)
			snprintf(buf, len, "%s:%lld", path, (long long)json_integer_value(line));
		else if (json_is_string(line) && json_string_length(line))
			snprintf(buf, len, "%s:%s", path, json_string_value(line));
		else
			snprintf(buf, len, "%s", path);
	} else if (pod) {
		snprintf(buf, len, "%s%sPod/%s%s%s%s", ns ? ns : "", ns ? "/" : "", pod, ctr ? " (" : "", ctr ? ctr : "",
			 ctr ? ")" : "");
	} else {
		static const char *const keys[] = { "container.name", "container.id", "fd.sip", "proc.exepath",
						    "image.layer" };
		const char *v = NULL;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && !v; i++)
			v = field(f, keys[i]);
		snprintf(buf, len, "%s", v ? v : "-");
		if (v && v == field(f, "fd.sip")) {
			json_t *port = json_object_get(f->fields, "fd.sport");
			if (json_is_integer(port))
				snprintf(buf, len, "%s:%lld", v, (long long)json_integer_value(port));
		}
	}
}

/* A number for people: integers whole, others with a few significant
 * digits (22547.3 -> 22547, 0.0166667 -> 0.0167, 2.50 -> 2.5). */
void hh_output_round(double x, char *buf, size_t len)
{
	double a = fabs(x);
	if (x == floor(x) && a < 1e15)
		snprintf(buf, len, "%.0f", x);
	else if (a >= 1000)
		snprintf(buf, len, "%.0f", x);
	else if (a >= 1)
		snprintf(buf, len, "%.2f", x);
	else
		snprintf(buf, len, "%.3g", x);
	if (strchr(buf, '.') && !strchr(buf, 'e')) {
		char *end = buf + strlen(buf) - 1;
		while (*end == '0')
			*end-- = '\0';
		if (*end == '.')
			*end = '\0';
	}
}

static void emit_table_row(struct hh_output *out, const struct hh_finding *f)
{
	if (out->n_emitted == 0)
		fprintf(out->fp, "%-19s  %-8s  %-34s  %-40s  %s\n", "TIME (UTC)", "SEVERITY", "RULE", "WHERE", "TITLE");
	char when[32] = "-", where[1024];
	char where_s[1024], title_s[1024], what_s[256]; /* hostile names: no terminal escapes, CR or LF */
	time_t t = (time_t)f->time;
	struct tm tm;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	hh_output_where(f, where, sizeof(where));
	fprintf(out->fp, "%-19s  %-8s  %-34s  %-40s  %s\n", when, hh_severity_name(f->severity), f->rule,
		hh_escape_terminal(where, where_s, sizeof(where_s)), hh_escape_terminal(f->title, title_s, sizeof(title_s)));
	size_t i;
	json_t *e;
	json_array_foreach(f->evidence, i, e) {
		json_t *what = json_object_get(e, "what"), *value = json_object_get(e, "value");
		char num[64];
		char *v = NULL;
		if (json_is_number(value))
			hh_output_round(json_number_value(value), num, sizeof(num));
		else
			v = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(4));
		fprintf(out->fp, "    - %s: %s\n",
			hh_escape_terminal(json_string_value(what) ? json_string_value(what) : "", what_s, sizeof(what_s)),
			json_is_number(value) ? num : v ? v : "");
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

void hh_output_set_subjects(struct hh_output *out, const struct hh_junit_subject *s, size_t n)
{
	if (!out)
		return;
	out->subjects = s;
	out->n_subjects = n;
}

void hh_output_close(struct hh_output *out)
{
	if (!out)
		return;
	if (out->fmt == HH_FMT_SARIF)
		hh_sarif_write(out->fp, out->command, &out->buffered);
	else if (out->fmt == HH_FMT_JUNIT)
		hh_junit_write(out->fp, out->command, &out->buffered, out->subjects, out->n_subjects,
			       hh_now() - out->opened);
	else if (out->fmt == HH_FMT_HTML)
		hh_html_report_write(out->fp, out->command, &out->buffered);
	else if (out->fmt == HH_FMT_TABLE && out->n_emitted == 0)
		fprintf(out->fp, "no findings\n");
	fflush(out->fp);
	hh_findings_clear(&out->buffered);
	free(out);
}
