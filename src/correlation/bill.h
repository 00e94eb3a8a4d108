/* The bill of an incident (docs/outputs.md, "The bill"): the CPU core-seconds
 * a flagged container consumed from the incident's first signal on, what
 * they cost at a price per core-hour and the energy they took, measured
 * (RAPL package energy attributed by CPU share, when every sample has it)
 * or modelled (watts per core).
 *
 * Prices come from the configuration: bill.price_per_core_hour, replaced by
 * the first bill.nodes entry whose node glob matches the node's name, and by
 * a workload override (overrides: match namespace/image/... set
 * bill.price_per_core_hour), which wins over both. */
#ifndef HH_BILL_H
#define HH_BILL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/cpu_point.h"
#include "core/workload.h"

struct hh_bill_rates {
	double price_per_core_hour;
	char currency[16];
	double watts_per_core;
	char price_from[160];   /* which setting gave the price, in words */
};

/* node: the node's name (k8s.node.name, else hostname); NULL or "" unknown. */
void hh_bill_rates(const struct hh_config *cfg, const struct hh_workload *w, const char *node,
		   struct hh_bill_rates *out);

struct hh_bill {
	double from, to;         /* the span billed */
	size_t samples;          /* samples that overlap it */
	double core_seconds;
	double cost;             /* core_seconds / 3600 * price_per_core_hour */
	double energy_j;
	bool energy_measured;    /* RAPL for every sample counted; else the watts-per-core model */
	char energy_source[96];  /* "RAPL (intel-rapl package energy, by CPU share)" or "model: W W per core" */
	struct hh_bill_rates rates;
};

/* Integrates samples p[0..n) (oldest first) over t >= from: each sample
 * covers (t - dt, t]; one that straddles from counts for its part after it. */
void hh_bill_compute(const struct hh_cpu_point *p, size_t n, double from, const struct hh_bill_rates *rates,
		     struct hh_bill *out);

/* kWh from joules. */
static inline double hh_bill_kwh(double joules) { return joules / 3.6e6; }

#endif
