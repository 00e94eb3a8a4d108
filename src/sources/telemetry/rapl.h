/* The node's CPU package energy from RAPL (Linux powercap, intel-rapl):
 * the energy_uj counters of the top-level zones intel-rapl:N (one per
 * package; their subzones intel-rapl:N:M are parts of it and not added),
 * each wrapping at its max_energy_range_uj. Reading energy_uj needs root on
 * current kernels; where no zone is readable RAPL is simply not used. */
#ifndef HH_RAPL_H
#define HH_RAPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HH_RAPL_MAX_ZONES 16

struct hh_rapl {
	size_t n;                               /* readable package zones */
	char path[HH_RAPL_MAX_ZONES][320];      /* .../intel-rapl:N/energy_uj */
	uint64_t range[HH_RAPL_MAX_ZONES];      /* max_energy_range_uj (0: unknown) */
	uint64_t last[HH_RAPL_MAX_ZONES];
	bool primed;
};

/* Finds the package zones under powercap_root ("/sys/class/powercap").
 * Returns how many are readable (0: RAPL not available here). */
size_t hh_rapl_open(struct hh_rapl *r, const char *powercap_root);
/* Joules used by all packages since the previous call; -1 at the first call,
 * when a zone cannot be read, or without zones. */
double hh_rapl_delta_j(struct hh_rapl *r);

#endif
