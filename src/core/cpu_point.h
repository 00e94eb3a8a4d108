/* One CPU sample of a container as the agent keeps it for incidents: what the
 * store persists (sinks/store.h, cpu_samples), the bill integrates
 * (correlation/bill.h) and the incident plot draws (sinks/svg_plot.h). */
#ifndef HH_CPU_POINT_H
#define HH_CPU_POINT_H

#include <stdbool.h>

struct hh_cpu_point {
	double t;         /* end of the interval, seconds since the epoch */
	double dt;        /* length of the interval, seconds (> 0) */
	double usage;     /* CPU cores used on average over the interval */
	double limit;     /* cores available: quota/period, or the node's CPUs without a quota */
	bool has_quota;   /* limit comes from a cgroup CPU quota */
	double energy_j;  /* joules of the node's RAPL package energy attributed to the
			     container over the interval (its share of the node's busy CPU
			     time), or < 0 when not measured */
};

#endif
