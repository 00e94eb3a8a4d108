#include "detectors/behavior/cpu_series.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int hh_cpu_series_init(struct hh_cpu_series *cs, size_t cap)
{
	memset(cs, 0, sizeof(*cs));
	if (cap < 8)
		cap = 8;
	if (cap > 65536)
		cap = 65536;
	cs->s = calloc(cap, sizeof(*cs->s));
	if (!cs->s)
		return -1;
	cs->cap = cap;
	return 0;
}

void hh_cpu_series_free(struct hh_cpu_series *cs)
{
	free(cs->s);
	memset(cs, 0, sizeof(*cs));
}

void hh_cpu_series_clear(struct hh_cpu_series *cs)
{
	cs->head = cs->n = 0;
}

const struct hh_cpu_sample *hh_cpu_series_at(const struct hh_cpu_series *cs, size_t i)
{
	if (i >= cs->n)
		return NULL;
	size_t oldest = (cs->head + cs->cap - cs->n) % cs->cap;
	return &cs->s[(oldest + i) % cs->cap];
}

const struct hh_cpu_sample *hh_cpu_series_last(const struct hh_cpu_series *cs)
{
	return cs->n ? hh_cpu_series_at(cs, cs->n - 1) : NULL;
}

bool hh_cpu_series_push(struct hh_cpu_series *cs, const struct hh_cpu_sample *s)
{
	if (!cs->s || !isfinite(s->t) || !isfinite(s->usage) || !isfinite(s->limit) ||
	    !isfinite(s->throttled) || s->usage < 0)
		return false;
	const struct hh_cpu_sample *last = hh_cpu_series_last(cs);
	if (last && s->t <= last->t)
		return false;
	cs->s[cs->head] = *s;
	cs->head = (cs->head + 1) % cs->cap;
	if (cs->n < cs->cap)
		cs->n++;
	return true;
}

void hh_cpu_window_stats(const struct hh_cpu_series *cs, double from, double to, struct hh_cpu_window *out)
{
	memset(out, 0, sizeof(*out));
	double sum = 0, sumsq = 0, thr = 0, frac = 0;
	for (size_t i = 0; i < cs->n; i++) {
		const struct hh_cpu_sample *s = hh_cpu_series_at(cs, i);
		if (s->t < from || s->t > to)
			continue;
		if (out->n == 0) {
			out->t_first = s->t;
			out->min = out->max = s->usage;
		}
		out->n++;
		out->t_last = s->t;
		sum += s->usage;
		sumsq += s->usage * s->usage;
		thr += s->throttled;
		frac += s->limit > 0 ? s->usage / s->limit : 0;
		if (s->usage < out->min)
			out->min = s->usage;
		if (s->usage > out->max)
			out->max = s->usage;
		out->limit = s->limit;
		out->has_quota = s->has_quota;
	}
	if (!out->n)
		return;
	double n = (double)out->n;
	out->mean = sum / n;
	double var = sumsq / n - out->mean * out->mean;
	out->sd = var > 0 ? sqrt(var) : 0;
	out->cv = out->mean > 0 ? out->sd / out->mean : 0;
	out->throttled_mean = thr / n;
	out->frac_mean = frac / n;
}

size_t hh_cpu_series_values(const struct hh_cpu_series *cs, double from, double to, double *out,
			    double *t_out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < cs->n && k < max; i++) {
		const struct hh_cpu_sample *s = hh_cpu_series_at(cs, i);
		if (s->t < from || s->t > to)
			continue;
		if (t_out)
			t_out[k] = s->t;
		out[k++] = s->usage;
	}
	return k;
}

double hh_autocorr(const double *x, size_t n, size_t lag)
{
	if (n < 2 || lag == 0 || lag >= n)
		return 0;
	double mean = 0;
	for (size_t i = 0; i < n; i++)
		mean += x[i];
	mean /= (double)n;
	double var = 0, cov = 0;
	for (size_t i = 0; i < n; i++)
		var += (x[i] - mean) * (x[i] - mean);
	if (var <= 1e-12)
		return 0;
	for (size_t i = 0; i + lag < n; i++)
		cov += (x[i] - mean) * (x[i + lag] - mean);
	/* Per-pair normalization so a long lag is not penalized for having fewer pairs. */
	double r = (cov / (double)(n - lag)) / (var / (double)n);
	return r > 1 ? 1 : r < -1 ? -1 : r;
}
