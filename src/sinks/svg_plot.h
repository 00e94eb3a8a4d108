/* Plots drawn server-side as inline SVG (no script, no external resource):
 * the dashboard's incident page and the post-incident report use them.
 *
 * The CPU plot: a container's CPU use (cores) over [t0, t1] as a line
 * (class "usage", averaged per pixel column when there are more samples
 * than columns), its limit (class "quota": the cgroup quota, or the node's
 * CPUs when it has none), its baseline (class "baseline", when finite) and
 * one vertical line per finding (class "mark", coloured by severity, with a
 * <title> naming the rule). The timeline: one row per rule (at most
 * HH_SVG_TIMELINE_ROWS; the rest share a row "other"), a dot per finding
 * (class "signal") on the same time axis. Both have a <title> and UTC time
 * ticks; text is escaped. */
#ifndef HH_SVG_PLOT_H
#define HH_SVG_PLOT_H

#include <stddef.h>
#include <stdio.h>

#include "core/cpu_point.h"
#include "core/finding.h"

#define HH_SVG_WIDTH 900
#define HH_SVG_TIMELINE_ROWS 16

struct hh_plot_mark {
	double t;
	enum hh_severity severity;
	const char *label;   /* the rule id */
};

void hh_svg_cpu_plot(FILE *fp, const struct hh_cpu_point *p, size_t n, double baseline,
		     const struct hh_plot_mark *marks, size_t n_marks, double t0, double t1);
void hh_svg_timeline(FILE *fp, const struct hh_plot_mark *marks, size_t n, double t0, double t1);

/* The colour of a severity (#rrggbb), shared by the pages. */
const char *hh_svg_severity_color(enum hh_severity s);

#endif
