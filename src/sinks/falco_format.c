/* Falco's JSON output for our findings (falco_format.h). */
#include "sinks/falco_format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *hh_falco_priority(enum hh_severity s)
{
	switch (s) {
	case HH_SEV_CRITICAL: return "Critical";
	case HH_SEV_HIGH: return "Error";
	case HH_SEV_MEDIUM: return "Warning";
	case HH_SEV_LOW: return "Notice";
	default: return "Informational";
	}
}

/* Falco's sources: syscall events and Kubernetes audit; ours keep their name. */
static const char *falco_source(const char *src)
{
	if (!strcmp(src, "agent") || !strcmp(src, "drill"))
		return "syscall";
	if (!strcmp(src, "audit"))
		return "k8s_audit";
	return src;
}

/* RFC 3339 with nanoseconds, as Falco writes "time". */
static void falco_time(double t, char *buf, size_t n)
{
	time_t secs = (time_t)t;
	long ns = (long)((t - (double)secs) * 1e9);
	if (ns < 0)
		ns = 0;
	if (ns > 999999999)
		ns = 999999999;
	struct tm tm;
	gmtime_r(&secs, &tm);
	char base[24];
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, n, "%s.%09ldZ", base, ns);
}

/* The rule engine's rendered output, else the title: Falco users read
 * "output" first. */
static const char *rendered_output(const struct hh_finding *f)
{
	size_t i;
	json_t *e;
	json_array_foreach(f->evidence, i, e) {
		const char *what = json_string_value(json_object_get(e, "what"));
		const char *value = json_string_value(json_object_get(e, "value"));
		if (what && value && !strcmp(what, "output"))
			return value;
	}
	return f->title ? f->title : f->rule;
}

json_t *hh_finding_to_falco_json(const struct hh_finding *f)
{
	char ts[48], host[256] = "";
	falco_time(f->time, ts, sizeof(ts));
	const char *h = json_string_value(json_object_get(f->fields, "hostname"));
	if (h)
		snprintf(host, sizeof(host), "%s", h);
	else if (gethostname(host, sizeof(host) - 1) < 0)
		snprintf(host, sizeof(host), "unknown");

	/* output_fields: our fields (Falco names already), flattened to
	 * scalars, plus evt.time in nanoseconds and our own rule id and
	 * confidence; never empty (falcosidekick refuses an empty one). */
	json_t *of = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(f->fields, k, v) {
		if (json_is_object(v) || json_is_array(v)) {
			char *s = json_dumps(v, JSON_COMPACT);
			json_object_set_new(of, k, s ? json_string(s) : json_null());
			free(s);
		} else {
			json_object_set(of, k, v);
		}
	}
	json_object_set_new(of, "evt.time", json_integer((json_int_t)(f->time * 1e9)));
	json_object_set_new(of, "hashhound.rule", json_string(f->rule));
	json_object_set_new(of, "hashhound.severity", json_string(hh_severity_name(f->severity)));
	json_object_set_new(of, "hashhound.confidence", json_real(f->confidence));

	json_t *tags = json_array();
	json_array_append_new(tags, json_string("hashhound"));
	for (size_t i = 0; i < f->n_mitre; i++)
		json_array_append_new(tags, json_string(f->mitre[i]));

	char out[4096];
	snprintf(out, sizeof(out), "%s: %s %s", ts, hh_falco_priority(f->severity), rendered_output(f));

	json_t *j = json_object();
	json_object_set_new(j, "hostname", json_string(host));
	json_object_set_new(j, "output", json_string(out));
	json_object_set_new(j, "priority", json_string(hh_falco_priority(f->severity)));
	json_object_set_new(j, "rule", json_string(f->title && *f->title ? f->title : f->rule));
	json_object_set_new(j, "source", json_string(falco_source(f->source)));
	json_object_set_new(j, "tags", tags);
	json_object_set_new(j, "time", json_string(ts));
	json_object_set_new(j, "output_fields", of);
	return j;
}
