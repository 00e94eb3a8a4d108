/* Fuzzes what the incident views read from a store that may come from
 * anywhere (`serve --store COPY.db`): input lines are findings (JSON; the
 * first becomes the incident), "cpu T DT USAGE LIMIT ENERGY" samples, and
 * "q KEY=VALUE" list filters. The incident is billed and rendered as the
 * dashboard page, the standalone report and Markdown. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinks/incident_view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	struct hh_incident inc;
	memset(&inc, 0, sizeof(inc));
	inc.baseline = NAN;
	inc.manifests = json_array();
	inc.points = calloc(64, sizeof(*inc.points));
	struct hh_incident_filter f = { 0 };
	struct hh_incident_list_form form = { 0 };
	char err[256];
	for (char *save = NULL, *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "q ", 2)) {
			char *eq = strchr(line + 2, '=');
			if (eq)
				*eq++ = '\0';
			hh_incident_filter_arg(&f, &form, line + 2, eq, 1e9, err, sizeof(err));
		} else if (!strncmp(line, "cpu ", 4) && inc.points && inc.n_points < 64) {
			struct hh_cpu_point *p = &inc.points[inc.n_points];
			int has_quota = 0;
			if (sscanf(line + 4, "%lf %lf %lf %lf %lf %d", &p->t, &p->dt, &p->usage, &p->limit, &p->energy_j,
				   &has_quota) == 6 && isfinite(p->t) && isfinite(p->usage) && isfinite(p->limit)) {
				p->has_quota = has_quota != 0;
				inc.n_points++;
			}
		} else if (!strncmp(line, "manifest ", 9)) {
			json_error_t e;
			json_t *m = json_loads(line + 9, 0, &e);
			if (json_is_object(m) && json_array_size(inc.manifests) < 4)
				json_array_append(inc.manifests, m);
			json_decref(m);
		} else {
			json_error_t e;
			json_t *j = json_loads(line, 0, &e);
			struct hh_finding *fd = hh_finding_from_json(j);
			json_decref(j);
			if (!fd)
				continue;
			if (!inc.latest)
				inc.latest = hh_finding_clone(fd);
			if (inc.signals.n < 64)
				hh_findings_push(&inc.signals, fd);
			else
				hh_finding_free(fd);
		}
	}
	if (inc.latest) {
		snprintf(inc.id, sizeof(inc.id), "fuzz");
		inc.first_seen = inc.latest->time;
		inc.last_seen = inc.latest->time + 10;
		struct hh_bill_rates r = { .price_per_core_hour = 0.04, .watts_per_core = 10, .currency = "USD" };
		hh_bill_compute(inc.points, inc.n_points, inc.first_seen, &r, &inc.bill);
		FILE *out = fopen("/dev/null", "w");
		if (out) {
			hh_incident_html(out, &inc, false);
			hh_incident_html(out, &inc, true);
			hh_incident_markdown(out, &inc);
			fclose(out);
		}
	}
	hh_incident_free(&inc);
	free(s);
	return 0;
}
