#include "detectors/behavior/behavior_detect.h"

#include <math.h>
#include <string.h>

void hh_behavior_params_default(struct hh_behavior_params *p)
{
	memset(p, 0, sizeof(*p));
	p->min_coverage = 0.8;
	p->min_samples = 6;
	p->cooldown_s = 600;
	p->sustained_enabled = true;
	p->sustained_window_s = 60;
	p->sustained_min_fraction = 0.8;
	p->sustained_min_usage = 0.1;
	p->sustained_min_share = 0.9;
	p->plateau_enabled = true;
	p->plateau_window_s = 30;
	p->plateau_quota_fraction = 0.85;
	p->plateau_max_cv = 0.10;
	p->plateau_min_usage = 0.1;
	p->plateau_steady_max_cv = 0.05;
	p->plateau_steady_min_usage = 0.25;
	p->duty_enabled = true;
	p->duty_window_s = 180;
	p->duty_min_swing = 0.15;
	p->duty_min_cycles = 3;
	p->duty_min_period_s = 4;
	p->duty_max_period_s = 120;
	p->duty_max_period_cv = 0.25;
	p->duty_min_autocorr = 0.5;
	p->regime_enabled = true;
	p->regime_window_s = 30;
	p->regime_min_shift = 0.25;
	p->regime_min_ratio = 2.0;
	p->regime_min_before_samples = 3;
	p->regime_max_after_cv = 0.5;
}

void hh_behavior_params_load(struct hh_behavior_params *p, const struct hh_config *cfg,
			     const struct hh_workload *w)
{
	hh_behavior_params_default(p);
	if (!cfg)
		return;
#define NUM(field, key) p->field = hh_config_num(cfg, w, "behavior." key, p->field)
#define BOOL(field, key) p->field = hh_config_bool(cfg, w, "behavior." key, p->field)
	NUM(min_coverage, "min_coverage");
	NUM(min_samples, "min_samples");
	NUM(cooldown_s, "cooldown_s");
	BOOL(sustained_enabled, "sustained.enabled");
	NUM(sustained_window_s, "sustained.window_s");
	NUM(sustained_min_fraction, "sustained.min_fraction");
	NUM(sustained_min_usage, "sustained.min_usage");
	NUM(sustained_min_share, "sustained.min_share");
	BOOL(plateau_enabled, "plateau.enabled");
	NUM(plateau_window_s, "plateau.window_s");
	NUM(plateau_quota_fraction, "plateau.quota_fraction");
	NUM(plateau_max_cv, "plateau.max_cv");
	NUM(plateau_min_usage, "plateau.min_usage");
	NUM(plateau_steady_max_cv, "plateau.steady_max_cv");
	NUM(plateau_steady_min_usage, "plateau.steady_min_usage");
	BOOL(duty_enabled, "duty.enabled");
	NUM(duty_window_s, "duty.window_s");
	NUM(duty_min_swing, "duty.min_swing");
	NUM(duty_min_cycles, "duty.min_cycles");
	NUM(duty_min_period_s, "duty.min_period_s");
	NUM(duty_max_period_s, "duty.max_period_s");
	NUM(duty_max_period_cv, "duty.max_period_cv");
	NUM(duty_min_autocorr, "duty.min_autocorr");
	BOOL(regime_enabled, "regime.enabled");
	NUM(regime_window_s, "regime.window_s");
	NUM(regime_min_shift, "regime.min_shift");
	NUM(regime_min_ratio, "regime.min_ratio");
	NUM(regime_min_before_samples, "regime.min_before_samples");
	NUM(regime_max_after_cv, "regime.max_after_cv");
#undef NUM
#undef BOOL
}

/* Stats over [now - window, now], and whether the samples cover enough of it
 * to judge (a container seen for 4 s is not a plateau yet). */
static bool window_ready(const struct hh_cpu_series *cs, const struct hh_behavior_params *p, double now,
			 double window, struct hh_cpu_window *w)
{
	if (!(window > 0))
		return false;
	hh_cpu_window_stats(cs, now - window, now, w);
	if (w->n < 2 || (double)w->n < p->min_samples)
		return false;
	/* The first sample stands for the interval before it, hence + one interval. */
	double interval = (w->t_last - w->t_first) / (double)(w->n - 1);
	return (w->t_last - w->t_first) + interval >= p->min_coverage * window;
}

bool hh_detect_sustained(const struct hh_cpu_series *cs, const struct hh_behavior_params *p, double now,
			 struct hh_behavior_hit *hit)
{
	memset(hit, 0, sizeof(*hit));
	if (!p->sustained_enabled || !window_ready(cs, p, now, p->sustained_window_s, &hit->win))
		return false;
	hit->window_s = p->sustained_window_s;
	if (hit->win.mean < p->sustained_min_usage || hit->win.frac_mean < p->sustained_min_fraction)
		return false;
	size_t above = 0;
	for (size_t i = 0; i < cs->n; i++) {
		const struct hh_cpu_sample *s = hh_cpu_series_at(cs, i);
		if (s->t >= now - p->sustained_window_s && s->t <= now && s->limit > 0 &&
		    s->usage / s->limit >= p->sustained_min_fraction)
			above++;
	}
	hit->share_above = (double)above / (double)hit->win.n;
	return hit->share_above >= p->sustained_min_share;
}

bool hh_detect_plateau(const struct hh_cpu_series *cs, const struct hh_behavior_params *p, double now,
		       struct hh_behavior_hit *hit)
{
	memset(hit, 0, sizeof(*hit));
	if (!p->plateau_enabled || !window_ready(cs, p, now, p->plateau_window_s, &hit->win))
		return false;
	hit->window_s = p->plateau_window_s;
	const struct hh_cpu_window *w = &hit->win;
	if (w->has_quota && w->frac_mean >= p->plateau_quota_fraction && w->cv <= p->plateau_max_cv &&
	    w->mean >= p->plateau_min_usage) {
		hit->kind = "quota";
		return true;
	}
	if (w->cv <= p->plateau_steady_max_cv && w->mean >= p->plateau_steady_min_usage) {
		hit->kind = "steady";
		return true;
	}
	return false;
}

#define DUTY_MAX 4096

bool hh_detect_duty(const struct hh_cpu_series *cs, const struct hh_behavior_params *p, double now,
		    struct hh_behavior_hit *hit)
{
	memset(hit, 0, sizeof(*hit));
	if (!p->duty_enabled || !window_ready(cs, p, now, p->duty_window_s, &hit->win))
		return false;
	hit->window_s = p->duty_window_s;
	static _Thread_local double x[DUTY_MAX], t[DUTY_MAX];
	size_t n = hh_cpu_series_values(cs, now - p->duty_window_s, now, x, t, DUTY_MAX);
	if (n < 12)
		return false;
	double lo = hit->win.min, hi = hit->win.max;
	if (hi - lo < p->duty_min_swing)
		return false;
	double mid = (lo + hi) / 2, dt = (t[n - 1] - t[0]) / (double)(n - 1);
	if (!(dt > 0))
		return false;
	/* Runs of on/off samples; the first and last runs are cut by the window. */
	double on_starts[DUTY_MAX / 2], on_lens[DUTY_MAX / 2];
	size_t n_on = 0, runs = 0, off_runs = 0;
	double on_sum = 0, off_sum = 0;
	size_t on_cnt = 0, off_cnt = 0;
	size_t i = 0;
	while (i < n) {
		bool on = x[i] > mid;
		size_t j = i;
		while (j < n && (x[j] > mid) == on)
			j++;
		bool whole = i > 0 && j < n;
		if (whole) {
			if (on) {
				on_starts[n_on] = t[i];
				on_lens[n_on] = (double)(j - i) * dt;
				n_on++;
			} else {
				off_runs++;
			}
		}
		for (size_t k = i; k < j; k++) {
			if (on) {
				on_sum += x[k];
				on_cnt++;
			} else {
				off_sum += x[k];
				off_cnt++;
			}
		}
		runs++;
		i = j;
	}
	hit->cycles = (int)n_on;
	if ((double)n_on < p->duty_min_cycles || (double)off_runs + 1 < p->duty_min_cycles || n_on < 3)
		return false;
	double psum = 0, psq = 0, lsum = 0;
	for (size_t k = 1; k < n_on; k++) {
		double d = on_starts[k] - on_starts[k - 1];
		psum += d;
		psq += d * d;
	}
	for (size_t k = 0; k < n_on; k++)
		lsum += on_lens[k];
	double np = (double)(n_on - 1);
	double pmean = psum / np, pvar = psq / np - pmean * pmean;
	hit->period_s = pmean;
	hit->period_cv = pmean > 0 ? sqrt(pvar > 0 ? pvar : 0) / pmean : 1;
	hit->duty = pmean > 0 ? (lsum / (double)n_on) / pmean : 0;
	hit->on_level = on_cnt ? on_sum / (double)on_cnt : 0;
	hit->off_level = off_cnt ? off_sum / (double)off_cnt : 0;
	size_t lag = (size_t)lround(pmean / dt);
	hit->autocorr = hh_autocorr(x, n, lag);
	return pmean >= p->duty_min_period_s && pmean <= p->duty_max_period_s &&
	       hit->period_cv <= p->duty_max_period_cv && hit->autocorr >= p->duty_min_autocorr;
}

int hh_detect_regime(const struct hh_cpu_series *cs, const struct hh_behavior_params *p, double exec_time,
		     double now, struct hh_behavior_hit *hit, bool *final)
{
	memset(hit, 0, sizeof(*hit));
	*final = false;
	if (!p->regime_enabled) {
		*final = true;
		return 0;
	}
	double W = p->regime_window_s;
	hit->window_s = W;
	hit->exec_time = exec_time;
	struct hh_cpu_window before, after;
	hh_cpu_window_stats(cs, exec_time - W, exec_time, &before);
	if ((double)before.n < p->regime_min_before_samples) {
		*final = true; /* nothing to compare with: the exec started the workload */
		return -1;
	}
	if (now < exec_time + W)
		return -1;
	*final = true;
	hh_cpu_window_stats(cs, exec_time + 1e-6, exec_time + W, &after);
	if ((double)after.n < p->regime_min_before_samples)
		return 0;
	hit->win = after;
	hit->before_mean = before.mean;
	hit->after_mean = after.mean;
	hit->before_n = before.n;
	hit->after_n = after.n;
	/* A new regime is a new steady level right after the exec: a rise that
	 * comes half a window later belongs to something else. */
	return after.mean - before.mean >= p->regime_min_shift &&
	       after.mean >= p->regime_min_ratio * before.mean && after.cv <= p->regime_max_after_cv;
}
