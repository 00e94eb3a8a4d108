#include "sources/telemetry/rapl.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_u64(const char *path, uint64_t *out)
{
	FILE *fp = fopen(path, "re");
	if (!fp)
		return -1;
	char buf[64];
	int rc = -1;
	if (fgets(buf, sizeof(buf), fp)) {
		char *end;
		unsigned long long v = strtoull(buf, &end, 10);
		if (end != buf && (*end == '\n' || *end == 0)) {
			*out = v;
			rc = 0;
		}
	}
	fclose(fp);
	return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(a, b); }

size_t hh_rapl_open(struct hh_rapl *r, const char *powercap_root)
{
	memset(r, 0, sizeof(*r));
	DIR *d = opendir(powercap_root);
	if (!d)
		return 0;
	struct dirent *de;
	while ((de = readdir(d)) && r->n < HH_RAPL_MAX_ZONES) {
		/* intel-rapl:N only, not intel-rapl:N:M */
		const char *p = de->d_name;
		if (strncmp(p, "intel-rapl:", 11) != 0 || !p[11] || strchr(p + 11, ':') || strlen(p) > 40)
			continue;
		char path[320], range[320];
		uint64_t v;
		snprintf(path, sizeof(path), "%s/%s/energy_uj", powercap_root, p);
		snprintf(range, sizeof(range), "%s/%s/max_energy_range_uj", powercap_root, p);
		if (read_u64(path, &v) < 0)
			continue;
		memcpy(r->path[r->n], path, sizeof(path));
		if (read_u64(range, &r->range[r->n]) < 0)
			r->range[r->n] = 0;
		r->n++;
	}
	closedir(d);
	/* same order every time (readdir's is arbitrary): keep range with path */
	if (r->n > 1) {
		struct z {
			char path[320];
			uint64_t range;
		} z[HH_RAPL_MAX_ZONES];
		for (size_t i = 0; i < r->n; i++) {
			memcpy(z[i].path, r->path[i], sizeof(z[i].path));
			z[i].range = r->range[i];
		}
		qsort(z, r->n, sizeof(z[0]), cmp_str);
		for (size_t i = 0; i < r->n; i++) {
			memcpy(r->path[i], z[i].path, sizeof(z[i].path));
			r->range[i] = z[i].range;
		}
	}
	return r->n;
}

double hh_rapl_delta_j(struct hh_rapl *r)
{
	if (!r->n)
		return -1;
	uint64_t now[HH_RAPL_MAX_ZONES];
	for (size_t i = 0; i < r->n; i++)
		if (read_u64(r->path[i], &now[i]) < 0) {
			r->primed = false;
			return -1;
		}
	double uj = 0;
	bool ok = r->primed;
	for (size_t i = 0; i < r->n && ok; i++) {
		if (now[i] >= r->last[i])
			uj += (double)(now[i] - r->last[i]);
		else if (r->range[i] && r->last[i] <= r->range[i])
			uj += (double)(r->range[i] - r->last[i] + now[i]); /* wrapped once */
		else
			ok = false;
	}
	memcpy(r->last, now, sizeof(now[0]) * r->n);
	r->primed = true;
	return ok ? uj / 1e6 : -1;
}
