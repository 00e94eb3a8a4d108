/* Prometheus metrics: a bounded registry of counters and gauges, rendered in
 * the text exposition format (served on /metrics by the agent). Thread-safe:
 * the agent updates, the HTTP thread renders. */
#ifndef HH_METRICS_H
#define HH_METRICS_H

#include <stddef.h>
#include <stdio.h>

#define HH_METRICS_MAX_SERIES 4096

enum hh_metric_type { HH_METRIC_COUNTER, HH_METRIC_GAUGE };

struct hh_metrics;

struct hh_metrics *hh_metrics_new(void);
void hh_metrics_free(struct hh_metrics *m);

/* Declares a family (name, type, help). Series of undeclared families are refused. */
void hh_metrics_describe(struct hh_metrics *m, const char *name, enum hh_metric_type type, const char *help);

/* labels: NULL-terminated key, value pairs, e.g. (const char *[]){"rule", r, NULL}.
 * Values are escaped. A new series beyond the cap is dropped and counted in
 * hashhound_metrics_dropped_series_total. */
void hh_metrics_add(struct hh_metrics *m, const char *name, const char *const *labels, double delta);
void hh_metrics_set(struct hh_metrics *m, const char *name, const char *const *labels, double value);

/* Removes every series of a family (a gauge whose label sets come and go,
 * e.g. per container: cleared, then set again each sweep). */
void hh_metrics_clear(struct hh_metrics *m, const char *name);

/* Writes the exposition text. */
void hh_metrics_render(struct hh_metrics *m, FILE *fp);

#endif
