#include "core/finding.h"
#include "core/node.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "detectors/indicators/wallet.h"

static const char *const severity_names[] = { "info", "low", "medium", "high", "critical" };

const char *hh_severity_name(enum hh_severity s)
{
	return (s >= HH_SEV_INFO && s <= HH_SEV_CRITICAL) ? severity_names[s] : "info";
}

bool hh_severity_parse(const char *name, enum hh_severity *out)
{
	for (int i = HH_SEV_INFO; i <= HH_SEV_CRITICAL; i++) {
		if (name && strcasecmp(name, severity_names[i]) == 0) {
			*out = (enum hh_severity)i;
			return true;
		}
	}
	return false;
}

double hh_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double hh_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void hh_format_time(double t, char *buf, size_t n)
{
	time_t secs = (time_t)t;
	int ms = (int)((t - (double)secs) * 1000.0);
	if (ms < 0)
		ms = 0;
	if (ms > 999)
		ms = 999;
	struct tm tm;
	gmtime_r(&secs, &tm);
	char base[24];
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, n, "%s.%03dZ", base, ms);
}

/* A random (version 4) UUID: unique without coordination between nodes or
 * restarts. getrandom never blocks here; before the kernel's pool is ready
 * (early boot) the clock and a counter stand in, still unique per process. */
static void new_id(char out[HH_FINDING_ID_LEN])
{
	unsigned char b[16];
	if (getrandom(b, sizeof(b), GRND_NONBLOCK) != (ssize_t)sizeof(b)) {
		static _Atomic unsigned long counter;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		unsigned long long v[2] = { (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec,
					    ((unsigned long long)getpid() << 32) ^ ++counter };
		memcpy(b, v, sizeof(b));
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, HH_FINDING_ID_LEN, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

struct hh_finding *hh_finding_new(const char *source, const char *rule, const char *title,
				  enum hh_severity severity, double confidence)
{
	struct hh_finding *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	new_id(f->id);
	f->time = hh_now();
	snprintf(f->source, sizeof(f->source), "%s", source ? source : "");
	snprintf(f->rule, sizeof(f->rule), "%s", rule ? rule : "");
	f->title = strdup(title ? title : "");
	f->severity = severity;
	f->confidence = confidence < 0 ? 0 : confidence > 1 ? 1 : confidence;
	f->fields = json_object();
	f->evidence = json_array();
	if (!f->title || !f->fields || !f->evidence) {
		hh_finding_free(f);
		return NULL;
	}
	hh_node_stamp(f->fields); /* the node it was observed on */
	return f;
}

void hh_finding_free(struct hh_finding *f)
{
	if (!f)
		return;
	free(f->title);
	json_decref(f->fields);
	json_decref(f->evidence);
	free(f);
}

struct hh_finding *hh_finding_clone(const struct hh_finding *f)
{
	json_t *j = hh_finding_to_json(f);
	struct hh_finding *c = hh_finding_from_json(j);
	json_decref(j);
	return c;
}

void hh_finding_add_mitre(struct hh_finding *f, const char *technique)
{
	for (size_t i = 0; i < f->n_mitre; i++)
		if (strcmp(f->mitre[i], technique) == 0)
			return;
	if (f->n_mitre < HH_MAX_MITRE)
		snprintf(f->mitre[f->n_mitre++], sizeof(f->mitre[0]), "%s", technique);
}

/* Field values are kept as UTF-8: raw bytes from hostile processes are
 * escaped so json_string() never rejects them and nothing is silently lost. */
static json_t *safe_string(const char *value)
{
	json_t *s = json_string(value);
	if (s)
		return s;
	size_t len = strlen(value);
	char *esc = malloc(len * 4 + 1);
	if (!esc)
		return json_string("");
	char *o = esc;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if (*p < 0x80)
			*o++ = (char)*p;
		else
			o += sprintf(o, "\\x%02x", *p);
	}
	*o = '\0';
	s = json_string(esc);
	free(esc);
	return s;
}

/* Findings never carry a full wallet address (it identifies a person):
 * checksum-valid addresses in a field are replaced by their masked form.
 * Evidence snapshots (response/) keep the raw values for investigators. */
static char *mask_wallets(const char *value)
{
	size_t len = strlen(value);
	struct hh_wallet_match m[16];
	size_t n = len >= 26 ? hh_wallet_scan(value, len, m, 16) : 0;
	if (n == 0)
		return NULL;
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	size_t o = 0, from = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(out + o, value + from, m[i].offset - from);
		o += m[i].offset - from;
		char masked[32];
		hh_wallet_mask(value + m[i].offset, m[i].len, masked, sizeof(masked));
		size_t ml = strlen(masked); /* shorter than any address it masks */
		memcpy(out + o, masked, ml);
		o += ml;
		from = m[i].offset + m[i].len;
	}
	memcpy(out + o, value + from, len - from);
	out[o + len - from] = '\0';
	return out;
}

void hh_finding_set_str(struct hh_finding *f, const char *field, const char *value)
{
	if (!value)
		return;
	char *masked = mask_wallets(value);
	json_object_set_new(f->fields, field, safe_string(masked ? masked : value));
	free(masked);
}

void hh_finding_set_int(struct hh_finding *f, const char *field, long long value)
{
	json_object_set_new(f->fields, field, json_integer(value));
}

void hh_finding_set_real(struct hh_finding *f, const char *field, double value)
{
	json_object_set_new(f->fields, field, json_real(value));
}

void hh_finding_set_workload(struct hh_finding *f, const struct hh_workload *w)
{
	if (!w)
		return;
	struct { const char *name; const char *value; } map[] = {
		{ "container.id", w->container_id },
		{ "container.name", w->container_name },
		{ "container.image", w->image },
		{ "container.runtime", w->runtime },
		{ "k8s.pod.name", w->pod_name },
		{ "k8s.ns.name", w->pod_namespace },
		{ "k8s.pod.uid", w->pod_uid },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].value[0])
			hh_finding_set_str(f, map[i].name, map[i].value);
	if (w->image[0]) {
		char repo[HH_IMAGE_LEN];
		hh_image_repository(w->image, repo, sizeof(repo));
		hh_finding_set_str(f, "container.image.repository", repo);
	}
}

static void add_evidence(struct hh_finding *f, const char *what, json_t *value)
{
	json_t *e = json_object();
	json_object_set_new(e, "what", json_string(what));
	json_object_set_new(e, "value", value);
	json_array_append_new(f->evidence, e);
}

void hh_finding_evidence_str(struct hh_finding *f, const char *what, const char *value)
{
	char *masked = value ? mask_wallets(value) : NULL;
	add_evidence(f, what, safe_string(masked ? masked : value ? value : ""));
	free(masked);
}

void hh_finding_evidence_num(struct hh_finding *f, const char *what, double value)
{
	/* Counts and sizes print as integers; measurements keep their fraction. */
	if (value == (double)(long long)value && value > -9e15 && value < 9e15)
		add_evidence(f, what, json_integer((json_int_t)value));
	else
		add_evidence(f, what, json_real(value));
}

void hh_finding_set_severity(struct hh_finding *f, enum hh_severity sev, const char *why)
{
	if (!f)
		return;
	char buf[512];
	size_t n = json_array_size(f->evidence);
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(f->evidence, i);
		const char *what = json_string_value(json_object_get(e, "what"));
		const char *old = json_string_value(json_object_get(e, "value"));
		if (!what || strcmp(what, "severity") != 0 || !old)
			continue;
		if (sev != f->severity)
			snprintf(buf, sizeof(buf), "%s; %s to %s: %s", old, sev < f->severity ? "lowered" : "raised",
				 hh_severity_name(sev), why ? why : "");
		else
			snprintf(buf, sizeof(buf), "%s; %s", old, why ? why : "");
		json_object_set_new(e, "value", safe_string(buf));
		f->severity = sev;
		return;
	}
	if (sev != f->severity)
		snprintf(buf, sizeof(buf), "%s to %s: %s", sev < f->severity ? "lowered" : "raised", hh_severity_name(sev),
			 why ? why : "");
	else
		snprintf(buf, sizeof(buf), "%s", why ? why : "");
	f->severity = sev;
	add_evidence(f, "severity", safe_string(buf));
}

void hh_finding_evidencef(struct hh_finding *f, const char *what, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	hh_finding_evidence_str(f, what, buf);
}

json_t *hh_finding_to_json(const struct hh_finding *f)
{
	char ts[40];
	hh_format_time(f->time, ts, sizeof(ts));
	json_t *mitre = json_array();
	for (size_t i = 0; i < f->n_mitre; i++)
		json_array_append_new(mitre, json_string(f->mitre[i]));
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:f, s:o, s:O, s:O}",
			 "id", f->id, "time", ts, "source", f->source, "rule", f->rule,
			 "title", safe_string(f->title), "severity", hh_severity_name(f->severity),
			 "confidence", f->confidence, "mitre", mitre,
			 "fields", f->fields, "evidence", f->evidence);
}

static double parse_rfc3339(const char *s)
{
	struct tm tm = { 0 };
	const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest)
		return 0;
	double frac = 0;
	if (*rest == '.')
		frac = strtod(rest, NULL);
	return (double)timegm(&tm) + frac;
}

struct hh_finding *hh_finding_from_json(const json_t *obj)
{
	const char *id = NULL, *ts = NULL, *source = NULL, *rule = NULL, *title = NULL, *sev = NULL;
	double conf = 0;
	json_t *mitre = NULL, *fields = NULL, *evidence = NULL;
	if (!json_is_object(obj) ||
	    json_unpack((json_t *)obj, "{s?s, s:s, s:s, s:s, s:s, s:s, s?F, s?o, s?o, s?o}",
			"id", &id, "time", &ts, "source", &source, "rule", &rule, "title", &title,
			"severity", &sev, "confidence", &conf, "mitre", &mitre,
			"fields", &fields, "evidence", &evidence) != 0)
		return NULL;
	enum hh_severity severity;
	if (!hh_severity_parse(sev, &severity))
		return NULL;
	struct hh_finding *f = hh_finding_new(source, rule, title, severity, conf);
	if (!f)
		return NULL;
	f->time = parse_rfc3339(ts);
	/* Kept when it looks like one of ours (a finding written before ids
	 * existed gets a new one). */
	if (id && strlen(id) == HH_FINDING_ID_LEN - 1 && strspn(id, "0123456789abcdef-") == HH_FINDING_ID_LEN - 1)
		memcpy(f->id, id, HH_FINDING_ID_LEN);
	size_t i;
	json_t *v;
	json_array_foreach(mitre, i, v)
		if (json_is_string(v))
			hh_finding_add_mitre(f, json_string_value(v));
	json_object_clear(f->fields); /* an imported finding names its own node, not ours */
	if (json_is_object(fields))
		json_object_update(f->fields, fields);
	if (json_is_array(evidence))
		json_array_extend(f->evidence, evidence);
	return f;
}

void hh_findings_push(struct hh_findings *list, struct hh_finding *f)
{
	if (!f)
		return;
	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 16;
		struct hh_finding **items = realloc(list->items, cap * sizeof(*items));
		if (!items) {
			hh_finding_free(f);
			return;
		}
		list->items = items;
		list->cap = cap;
	}
	list->items[list->n++] = f;
}

void hh_findings_clear(struct hh_findings *list)
{
	for (size_t i = 0; i < list->n; i++)
		hh_finding_free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->n = list->cap = 0;
}

enum hh_severity hh_findings_max_severity(const struct hh_findings *list)
{
	enum hh_severity max = HH_SEV_INFO;
	for (size_t i = 0; i < list->n; i++)
		if (list->items[i]->severity > max)
			max = list->items[i]->severity;
	return max;
}
