/* A bounded ring of CPU samples for one workload, and the statistics the
 * behavior detectors need over a time window of it (mean, coefficient of
 * variation, autocorrelation). Samples are derived (rates), not counters:
 * see behavior.h for how cumulative cgroup counters become samples. */
#ifndef HH_CPU_SERIES_H
#define HH_CPU_SERIES_H

#include <stdbool.h>
#include <stddef.h>

struct hh_cpu_sample {
	double t;          /* end of the interval, seconds since the epoch */
	double usage;      /* CPU cores used on average over the interval (0.3 = 30% of one CPU) */
	double limit;      /* cores available: quota/period, or node CPUs when unlimited */
	bool has_quota;    /* limit comes from a cgroup CPU quota */
	double throttled;  /* throttled periods / periods over the interval, 0..1 */
};

struct hh_cpu_series {
	struct hh_cpu_sample *s;   /* ring storage, cap entries; owned */
	size_t cap, head, n;       /* head: next write position */
};

/* cap is clamped to [8, 65536]. Returns -1 on allocation failure. */
int hh_cpu_series_init(struct hh_cpu_series *cs, size_t cap);
void hh_cpu_series_free(struct hh_cpu_series *cs);
void hh_cpu_series_clear(struct hh_cpu_series *cs);
/* Appends (oldest dropped when full). Samples must come in time order; an
 * older or non-finite sample is ignored (returns false). */
bool hh_cpu_series_push(struct hh_cpu_series *cs, const struct hh_cpu_sample *s);
/* i-th sample, 0 = oldest. */
const struct hh_cpu_sample *hh_cpu_series_at(const struct hh_cpu_series *cs, size_t i);
const struct hh_cpu_sample *hh_cpu_series_last(const struct hh_cpu_series *cs);

/* Statistics over the samples with from <= t <= to. */
struct hh_cpu_window {
	size_t n;
	double t_first, t_last;    /* times of the first and last samples in the window */
	double mean, sd, cv;       /* of usage; cv = sd / mean (0 when mean is 0) */
	double min, max;
	double limit;              /* limit of the last sample */
	bool has_quota;            /* of the last sample */
	double throttled_mean;
	double frac_mean;          /* mean of usage / limit */
};
void hh_cpu_window_stats(const struct hh_cpu_series *cs, double from, double to, struct hh_cpu_window *out);

/* Copies the usage values with from <= t <= to into out (at most max), oldest
 * first; times into t_out when not NULL. Returns the count. */
size_t hh_cpu_series_values(const struct hh_cpu_series *cs, double from, double to, double *out,
			    double *t_out, size_t max);

/* Autocorrelation of x at lag (centered, normalized by the variance); 0 when
 * the series is constant or too short. */
double hh_autocorr(const double *x, size_t n, size_t lag);

#endif
