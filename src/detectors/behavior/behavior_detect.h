/* The behavior detectors as pure functions over one workload's CPU series,
 * so they are testable with synthetic series. Parameters come from the
 * `behavior:` section of the configuration, per workload
 * (hh_behavior_params_load), so a namespace, image or label can be tuned
 * without touching the others. Each detector fills a hit with the numbers
 * that triggered it; behavior.c turns hits into findings (<= medium: batch
 * jobs, builds and encoders plateau too). */
#ifndef HH_BEHAVIOR_DETECT_H
#define HH_BEHAVIOR_DETECT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "detectors/behavior/cpu_series.h"

struct hh_behavior_params {
	double min_coverage;        /* behavior.min_coverage: share of a window the samples must span */
	double min_samples;         /* behavior.min_samples */
	double cooldown_s;          /* behavior.cooldown_s: one finding per rule and workload per cooldown */

	bool sustained_enabled;     /* behavior.sustained.* */
	double sustained_window_s, sustained_min_fraction, sustained_min_usage, sustained_min_share;

	bool plateau_enabled;       /* behavior.plateau.* */
	double plateau_window_s, plateau_quota_fraction, plateau_max_cv, plateau_min_usage;
	double plateau_steady_max_cv, plateau_steady_min_usage;

	bool duty_enabled;          /* behavior.duty.* */
	double duty_window_s, duty_min_swing, duty_min_cycles, duty_min_period_s, duty_max_period_s;
	double duty_max_period_cv, duty_min_autocorr;

	bool regime_enabled;        /* behavior.regime.* */
	double regime_window_s, regime_min_shift, regime_min_ratio, regime_min_before_samples, regime_max_after_cv;
};

/* Built-in defaults (the same values as config/hashhound.yaml). */
void hh_behavior_params_default(struct hh_behavior_params *p);
/* Defaults, then cfg's values for workload w (overrides applied). cfg may be NULL. */
void hh_behavior_params_load(struct hh_behavior_params *p, const struct hh_config *cfg,
			     const struct hh_workload *w);

struct hh_behavior_hit {
	struct hh_cpu_window win;   /* statistics of the window judged */
	double window_s;
	const char *kind;           /* plateau: "quota" or "steady" */
	double share_above;         /* sustained: share of samples above the level */
	/* duty cycling */
	double period_s, period_cv, duty, on_level, off_level, autocorr;
	int cycles;
	/* regime */
	double before_mean, after_mean, exec_time;
	size_t before_n, after_n;
};

/* Each returns true when its condition holds at time now. */
bool hh_detect_sustained(const struct hh_cpu_series *cs, const struct hh_behavior_params *p, double now,
			 struct hh_behavior_hit *hit);
bool hh_detect_plateau(const struct hh_cpu_series *cs, const struct hh_behavior_params *p, double now,
		       struct hh_behavior_hit *hit);
bool hh_detect_duty(const struct hh_cpu_series *cs, const struct hh_behavior_params *p, double now,
		    struct hh_behavior_hit *hit);
/* A level shift at exec_time (a new binary started in the workload).
 * Returns 1 when it holds, 0 when it does not, -1 when it cannot be decided
 * yet (the window after the exec is not over) or ever (too few samples
 * before it: *final set to true then). */
int hh_detect_regime(const struct hh_cpu_series *cs, const struct hh_behavior_params *p, double exec_time,
		     double now, struct hh_behavior_hit *hit, bool *final);

#endif
