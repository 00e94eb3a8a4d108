/* The correlator's judgement of one workload's signals: whether they form an
 * incident, its severity, its score and why, in plain words.
 *
 *   critical  a decisive signal (one that speaks of mining itself) plus
 *             another decisive or strong signal from an independent layer
 *   high      a decisive signal, or two strong signals from independent layers
 *   medium    any other set that forms an incident
 *   none      a single layer without a decisive signal (behavior alone, the
 *             rounding churn alone, a pool-port connect alone ...)
 * An incident forms with a decisive signal or with signals from two layers
 * (posture at low or above counts as a layer here: "CPU plateau in a
 * privileged pod" is a medium incident; informational posture such as "no
 * CPU limit" is listed among the reasons but forms nothing). Behavior, exec drift, pool ports and posture are weak or
 * context: together they stay medium.
 * Score: the sum over the classes present of correlation.weight.<class>
 * (signal_class.c) times (0.5 + 0.5 x the best confidence in the class),
 * capped at 100. It orders incidents; the severity comes from the rules above. */
#ifndef HH_VERDICT_H
#define HH_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/workload.h"
#include "correlation/signal_class.h"

struct hh_signal_summary {
	enum hh_signal_class cls;
	enum hh_severity severity;
	double confidence;
};

struct hh_verdict {
	bool forms;
	enum hh_severity severity;
	double score;
	unsigned classes;      /* bit per enum hh_signal_class present */
	char why[640];         /* the severity's reason in plain words */
};

/* cfg and w may be NULL (default weights). */
void hh_verdict_judge(const struct hh_signal_summary *sig, size_t n, const struct hh_config *cfg,
		      const struct hh_workload *w, struct hh_verdict *out);

#endif
