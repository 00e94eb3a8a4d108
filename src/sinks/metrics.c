#include "sinks/metrics.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FAMILIES 64

struct family {
	char name[96];
	char help[160];
	enum hh_metric_type type;
};

struct series {
	unsigned family;
	char labels[384]; /* rendered: key="value",... */
	double value;
};

struct hh_metrics {
	pthread_mutex_t lock;
	struct family families[MAX_FAMILIES];
	unsigned n_families;
	struct series *series;
	size_t n_series;
	double dropped;
};

struct hh_metrics *hh_metrics_new(void)
{
	struct hh_metrics *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->series = calloc(HH_METRICS_MAX_SERIES, sizeof(*m->series));
	if (!m->series) {
		free(m);
		return NULL;
	}
	pthread_mutex_init(&m->lock, NULL);
	return m;
}

void hh_metrics_free(struct hh_metrics *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m->series);
	free(m);
}

void hh_metrics_describe(struct hh_metrics *m, const char *name, enum hh_metric_type type, const char *help)
{
	pthread_mutex_lock(&m->lock);
	bool known = false;
	for (unsigned i = 0; i < m->n_families; i++)
		known |= strcmp(m->families[i].name, name) == 0;
	if (!known && m->n_families < MAX_FAMILIES) {
		struct family *f = &m->families[m->n_families++];
		snprintf(f->name, sizeof(f->name), "%s", name);
		snprintf(f->help, sizeof(f->help), "%s", help);
		f->type = type;
	}
	pthread_mutex_unlock(&m->lock);
}

/* Label values escape backslash, double quote and newline (exposition format). */
static void render_labels(const char *const *labels, char *out, size_t n)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; labels && labels[i] && labels[i + 1]; i += 2) {
		used += (size_t)snprintf(out + used, used < n ? n - used : 0, "%s%s=\"", i ? "," : "", labels[i]);
		for (const char *v = labels[i + 1]; *v && used + 3 < n; v++) {
			if (*v == '\\' || *v == '"')
				out[used++] = '\\', out[used++] = *v;
			else if (*v == '\n')
				out[used++] = '\\', out[used++] = 'n';
			else
				out[used++] = *v;
		}
		if (used + 1 < n)
			out[used++] = '"';
		out[used < n ? used : n - 1] = '\0';
	}
}

static struct series *find_series(struct hh_metrics *m, const char *name, const char *const *labels)
{
	unsigned fam = m->n_families;
	for (unsigned i = 0; i < m->n_families; i++)
		if (strcmp(m->families[i].name, name) == 0)
			fam = i;
	if (fam == m->n_families)
		return NULL;
	char rendered[sizeof(m->series[0].labels)];
	render_labels(labels, rendered, sizeof(rendered));
	for (size_t i = 0; i < m->n_series; i++)
		if (m->series[i].family == fam && strcmp(m->series[i].labels, rendered) == 0)
			return &m->series[i];
	if (m->n_series >= HH_METRICS_MAX_SERIES) {
		m->dropped++;
		return NULL;
	}
	struct series *s = &m->series[m->n_series++];
	s->family = fam;
	memcpy(s->labels, rendered, sizeof(rendered));
	s->value = 0;
	return s;
}

void hh_metrics_add(struct hh_metrics *m, const char *name, const char *const *labels, double delta)
{
	pthread_mutex_lock(&m->lock);
	struct series *s = find_series(m, name, labels);
	if (s)
		s->value += delta;
	pthread_mutex_unlock(&m->lock);
}

void hh_metrics_set(struct hh_metrics *m, const char *name, const char *const *labels, double value)
{
	pthread_mutex_lock(&m->lock);
	struct series *s = find_series(m, name, labels);
	if (s)
		s->value = value;
	pthread_mutex_unlock(&m->lock);
}

void hh_metrics_render(struct hh_metrics *m, FILE *fp)
{
	pthread_mutex_lock(&m->lock);
	for (unsigned f = 0; f < m->n_families; f++) {
		const struct family *fam = &m->families[f];
		fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", fam->name, fam->help, fam->name,
			fam->type == HH_METRIC_COUNTER ? "counter" : "gauge");
		for (size_t i = 0; i < m->n_series; i++) {
			const struct series *s = &m->series[i];
			if (s->family != f)
				continue;
			fprintf(fp, "%s%s%s%s %.17g\n", fam->name, s->labels[0] ? "{" : "", s->labels,
				s->labels[0] ? "}" : "", s->value);
		}
	}
	fprintf(fp, "# HELP hashhound_metrics_dropped_series_total Series refused by the registry cap.\n"
		    "# TYPE hashhound_metrics_dropped_series_total counter\n"
		    "hashhound_metrics_dropped_series_total %.17g\n", m->dropped);
	pthread_mutex_unlock(&m->lock);
}

void hh_metrics_clear(struct hh_metrics *m, const char *name)
{
	pthread_mutex_lock(&m->lock);
	unsigned fam = m->n_families;
	for (unsigned i = 0; i < m->n_families; i++)
		if (strcmp(m->families[i].name, name) == 0)
			fam = i;
	size_t k = 0;
	for (size_t i = 0; i < m->n_series; i++)
		if (m->series[i].family != fam)
			m->series[k++] = m->series[i];
	m->n_series = k;
	pthread_mutex_unlock(&m->lock);
}
