#include "correlation/correlator.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "correlation/verdict.h"

#define MAX_SIGNALS 16

struct signal {
	char rule[96];
	char title[200];
	enum hh_severity severity;
	double confidence, time;
	enum hh_signal_class cls;
	json_t *fields;          /* copy of the finding's fields; owned */
};

struct wl_state {
	struct hh_workload w;
	struct signal sig[MAX_SIGNALS];
	size_t n;
	double touched;
	enum hh_severity emitted_sev;   /* of the last incident emitted */
	unsigned emitted_cls;           /* class bits of the last incident */
	bool emitted;
};

struct hh_correlator {
	const struct hh_config *cfg;
	struct wl_state **wl;
	size_t n, cap;
	struct hh_incident_mark *marks; /* restored, not yet taken up; cap entries */
	size_t n_marks;
};

struct hh_correlator *hh_correlator_new(const struct hh_config *cfg)
{
	struct hh_correlator *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->cfg = cfg;
	long long cap = hh_config_int(cfg, NULL, "correlation.max_workloads", 1024);
	c->cap = cap < 1 ? 1 : cap > 100000 ? 100000 : (size_t)cap;
	c->wl = calloc(c->cap, sizeof(*c->wl));
	if (!c->wl) {
		free(c);
		return NULL;
	}
	return c;
}

static void drop_signal(struct wl_state *s, size_t i)
{
	json_decref(s->sig[i].fields);
	memmove(&s->sig[i], &s->sig[i + 1], sizeof(s->sig[0]) * (s->n - i - 1));
	s->n--;
}

static void drop_wl(struct hh_correlator *c, size_t i)
{
	struct wl_state *s = c->wl[i];
	while (s->n)
		drop_signal(s, s->n - 1);
	free(s);
	c->wl[i] = c->wl[--c->n];
}

void hh_correlator_free(struct hh_correlator *c)
{
	if (!c)
		return;
	while (c->n)
		drop_wl(c, c->n - 1);
	free(c->wl);
	free(c->marks);
	free(c);
}

void hh_correlator_marks(const struct hh_correlator *c, void (*fn)(const struct hh_incident_mark *m, void *ctx),
			 void *ctx)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct wl_state *s = c->wl[i];
		if (!s->emitted)
			continue;
		struct hh_incident_mark m = { .severity = s->emitted_sev, .classes = s->emitted_cls,
					      .time = s->touched };
		hh_strlcpy(m.container_id, s->w.container_id, sizeof(m.container_id));
		fn(&m, ctx);
	}
	for (size_t i = 0; i < c->n_marks; i++)
		fn(&c->marks[i], ctx);
}

void hh_correlator_restore(struct hh_correlator *c, const struct hh_incident_mark *m)
{
	if (!m->container_id[0])
		return;
	if (!c->marks && !(c->marks = calloc(c->cap, sizeof(*c->marks))))
		return;
	size_t i;
	for (i = 0; i < c->n_marks; i++)
		if (strcmp(c->marks[i].container_id, m->container_id) == 0)
			break;
	if (i == c->n_marks) {
		if (c->n_marks == c->cap) { /* full: the oldest mark goes */
			i = 0;
			for (size_t k = 1; k < c->n_marks; k++)
				if (c->marks[k].time < c->marks[i].time)
					i = k;
		} else {
			c->n_marks++;
		}
	}
	c->marks[i] = *m;
}

/* A new workload state takes up its restored mark, if any. */
static void take_mark(struct hh_correlator *c, struct wl_state *s, double now)
{
	for (size_t i = 0; i < c->n_marks; i++) {
		if (strcmp(c->marks[i].container_id, s->w.container_id) != 0)
			continue;
		if (now - c->marks[i].time <= hh_config_num(c->cfg, &s->w, "correlation.window_s", 900)) {
			s->emitted = true;
			s->emitted_sev = c->marks[i].severity;
			s->emitted_cls = c->marks[i].classes;
		}
		c->marks[i] = c->marks[--c->n_marks];
		return;
	}
}

static long find_wl(const struct hh_correlator *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->wl[i]->w.container_id, id) == 0)
			return (long)i;
	return -1;
}

static void expire_wl(struct hh_correlator *c, struct wl_state *s, double now)
{
	double window = hh_config_num(c->cfg, &s->w, "correlation.window_s", 900);
	size_t before = s->n;
	for (size_t i = 0; i < s->n;) {
		if (now - s->sig[i].time > window)
			drop_signal(s, i);
		else
			i++;
	}
	if (before && s->n == 0) /* (a new state keeps a restored mark) */
		s->emitted = false, s->emitted_cls = 0, s->emitted_sev = HH_SEV_INFO;
}

void hh_correlator_expire(struct hh_correlator *c, double now)
{
	double window = hh_config_num(c->cfg, NULL, "correlation.window_s", 900);
	for (size_t i = 0; i < c->n_marks;) {
		if (now - c->marks[i].time > window)
			c->marks[i] = c->marks[--c->n_marks];
		else
			i++;
	}
	for (size_t i = 0; i < c->n;) {
		expire_wl(c, c->wl[i], now);
		if (c->wl[i]->n == 0)
			drop_wl(c, i);
		else
			i++;
	}
}

void hh_correlator_forget(struct hh_correlator *c, const char *container_id)
{
	long i = find_wl(c, container_id);
	if (i < 0)
		return;
	/* a finding that arrives after the container is gone (a late sensor
	 * event, a last poll of a dying process) must not start a second,
	 * smaller incident: its incident stays known as a mark for the window */
	const struct wl_state *s = c->wl[i];
	if (s->emitted) {
		struct hh_incident_mark m = { .severity = s->emitted_sev, .classes = s->emitted_cls,
					      .time = s->touched };
		hh_strlcpy(m.container_id, s->w.container_id, sizeof(m.container_id));
		hh_correlator_restore(c, &m);
	}
	drop_wl(c, (size_t)i);
}

size_t hh_correlator_count(const struct hh_correlator *c) { return c->n; }

static struct wl_state *get_wl(struct hh_correlator *c, const struct hh_workload *w, double now)
{
	long i = find_wl(c, w->container_id);
	struct wl_state *s;
	if (i >= 0) {
		s = c->wl[i];
	} else {
		if (c->n == c->cap) { /* evict the least recently updated */
			size_t victim = 0;
			for (size_t k = 1; k < c->n; k++)
				if (c->wl[k]->touched < c->wl[victim]->touched)
					victim = k;
			drop_wl(c, victim);
		}
		s = calloc(1, sizeof(*s));
		if (!s)
			return NULL;
		c->wl[c->n++] = s;
		s->w = *w;
		if (c->n_marks)
			take_mark(c, s, now);
	}
	s->w = *w;
	s->touched = now;
	return s;
}

/* "reason.<class>" value: plain words, then the finding that says it. */
static void add_reason(struct hh_finding *inc, const struct signal *g)
{
	const struct hh_signal_class_info *info = hh_signal_class_info(g->cls);
	char what[64], value[600];
	snprintf(what, sizeof(what), "reason.%s", info->name);
	snprintf(value, sizeof(value), "%s [%s, %s, %.2f]: %s", info->words, g->rule, hh_severity_name(g->severity),
		 g->confidence, g->title);
	hh_finding_evidence_str(inc, what, value);
}

struct hh_finding *hh_correlator_add(struct hh_correlator *c, const struct hh_workload *w,
				     const struct hh_finding *f, double now)
{
	enum hh_signal_class cls = hh_signal_class_of(f);
	if (cls == HH_CLS_NONE || !w || !w->container_id[0])
		return NULL;
	struct wl_state *s = get_wl(c, w, now);
	if (!s)
		return NULL;
	expire_wl(c, s, now);
	/* One signal per rule: the latest, keeping the highest severity seen. */
	size_t i;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->sig[i].rule, f->rule) == 0)
			break;
	if (i == s->n) {
		if (s->n == MAX_SIGNALS) { /* the oldest goes */
			size_t old = 0;
			for (size_t k = 1; k < s->n; k++)
				if (s->sig[k].time < s->sig[old].time)
					old = k;
			drop_signal(s, old);
		}
		i = s->n++;
		memset(&s->sig[i], 0, sizeof(s->sig[i]));
	} else if (f->severity < s->sig[i].severity) {
		s->sig[i].time = now;
		return NULL;
	}
	struct signal *g = &s->sig[i];
	hh_strlcpy(g->rule, f->rule, sizeof(g->rule));
	hh_strlcpy(g->title, f->title ? f->title : "", sizeof(g->title));
	g->severity = f->severity;
	g->confidence = f->confidence;
	g->time = now;
	g->cls = cls;
	json_decref(g->fields);
	g->fields = f->fields ? json_deep_copy(f->fields) : NULL;

	/* Judge the set. */
	struct hh_signal_summary sum[MAX_SIGNALS];
	for (size_t k = 0; k < s->n; k++)
		sum[k] = (struct hh_signal_summary){ s->sig[k].cls, s->sig[k].severity, s->sig[k].confidence };
	struct hh_verdict v;
	hh_verdict_judge(sum, s->n, c->cfg, &s->w, &v);
	if (!v.forms)
		return NULL;
	if (s->emitted && v.severity <= s->emitted_sev && (v.classes & ~s->emitted_cls) == 0)
		return NULL;

	/* The process named: that of the strongest signal (mining itself first). */
	const struct signal *lead = NULL;
	int lead_rank = -1;
	for (size_t k = 0; k < s->n; k++) {
		int rank = (int)hh_signal_strength_of(s->sig[k].cls, s->sig[k].severity) * 8 + (int)s->sig[k].severity;
		if (json_object_get(s->sig[k].fields, "proc.pid"))
			rank += 64;
		if (rank > lead_rank)
			lead_rank = rank, lead = &s->sig[k];
	}
	char classes[200] = "";
	for (int k = 0; k < HH_CLS_COUNT; k++)
		if (v.classes & (1u << k)) {
			size_t l = strlen(classes);
			snprintf(classes + l, sizeof(classes) - l, "%s%s", l ? "+" : "",
				 hh_signal_class_name((enum hh_signal_class)k));
		}
	char title[400];
	snprintf(title, sizeof(title), "Cryptomining incident in %s: %s (score %.0f)",
		 s->w.container_name[0] ? s->w.container_name : s->w.container_id, classes, v.score);
	struct hh_finding *inc = hh_finding_new("agent", "incident.cryptomining", title, v.severity,
						fmin(0.99, v.score / 100));
	if (!inc)
		return NULL;
	hh_finding_add_mitre(inc, "T1496");
	hh_finding_set_workload(inc, &s->w);
	const char *key;
	json_t *val;
	if (lead)
		json_object_foreach(lead->fields, key, val)
			if (!json_object_get(inc->fields, key))
				json_object_set(inc->fields, key, val);
	hh_finding_evidence_num(inc, "incident.score", round(v.score));
	hh_finding_evidence_str(inc, "incident.classes", classes);
	hh_finding_evidence_str(inc, "incident.verdict", v.why);
	/* decisive first, context last */
	for (int st = HH_STR_DECISIVE; st >= HH_STR_CONTEXT; st--)
		for (size_t k = 0; k < s->n; k++)
			if ((int)hh_signal_strength_of(s->sig[k].cls, s->sig[k].severity) == st)
				add_reason(inc, &s->sig[k]);
	s->emitted = true;
	s->emitted_sev = v.severity;
	s->emitted_cls = v.classes;
	return inc;
}
