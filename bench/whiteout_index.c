/* bench/whiteout_index.c: the hidden-in-layers index alone, at the issue 17
 * size: N candidates (default 80000) in layer 0, then a whiteout for each in
 * layer 1. Prints the seconds taken.
 *   cc -O2 -D_GNU_SOURCE -Isrc -o build/bench-whiteouts bench/whiteout_index.c build/libhashhound.a
 *   build/bench-whiteouts [N] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sources/image/whiteout.h"

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 80000;
	struct hh_hidden h;
	hh_hidden_init(&h);
	char p[64];
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "opt/d%03d/run%06d.sh", i % 500, i);
		hh_hidden_add(&h, p, 0);
	}
	for (int i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "opt/d%03d/run%06d.sh", i % 500, i);
		hh_hidden_on_whiteout(&h, 1, p);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	size_t hidden = 0;
	for (size_t i = 0; i < h.n; i++)
		hidden += h.c[i].hidden_layer == 1;
	printf("%d candidates, %d whiteouts: %.3f s, %zu hidden\n", n, n,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, hidden);
	hh_hidden_free(&h);
	return 0;
}
