#include "correlation/bill.h"

#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void hh_bill_rates(const struct hh_config *cfg, const struct hh_workload *w, const char *node,
		   struct hh_bill_rates *out)
{
	memset(out, 0, sizeof(*out));
	out->price_per_core_hour = hh_config_num(cfg, NULL, "bill.price_per_core_hour", 0.04);
	snprintf(out->price_from, sizeof(out->price_from), "bill.price_per_core_hour");
	const json_t *nodes = hh_config_get(cfg, NULL, "bill.nodes");
	size_t i;
	const json_t *e;
	if (node && node[0] && json_is_array(nodes))
		json_array_foreach((json_t *)nodes, i, e) {
			const char *glob = json_string_value(json_object_get(e, "node"));
			const json_t *price = json_object_get(e, "price_per_core_hour");
			if (glob && json_is_number(price) && fnmatch(glob, node, 0) == 0) {
				out->price_per_core_hour = json_number_value(price);
				snprintf(out->price_from, sizeof(out->price_from), "bill.nodes[%zu] (node %.64s)", i, glob);
				break;
			}
		}
	if (w && hh_config_get(cfg, w, "bill.price_per_core_hour") != hh_config_get(cfg, NULL, "bill.price_per_core_hour")) {
		out->price_per_core_hour = hh_config_num(cfg, w, "bill.price_per_core_hour", out->price_per_core_hour);
		snprintf(out->price_from, sizeof(out->price_from), "an override for this workload (namespace %.64s)",
			 w->pod_namespace[0] ? w->pod_namespace : "-");
	}
	snprintf(out->currency, sizeof(out->currency), "%s", hh_config_str(cfg, w, "bill.currency", "USD"));
	out->watts_per_core = hh_config_num(cfg, w, "bill.watts_per_core", 10);
}

void hh_bill_compute(const struct hh_cpu_point *p, size_t n, double from, const struct hh_bill_rates *rates,
		     struct hh_bill *out)
{
	memset(out, 0, sizeof(*out));
	out->rates = *rates;
	out->from = from;
	out->to = from;
	bool all_measured = true;
	double measured_j = 0;
	for (size_t i = 0; i < n; i++) {
		const struct hh_cpu_point *s = &p[i];
		if (!(s->dt > 0) || !isfinite(s->usage) || s->usage < 0 || s->t <= from)
			continue;
		double start = s->t - s->dt;
		double part = start >= from ? 1.0 : (s->t - from) / s->dt;
		out->samples++;
		out->core_seconds += s->usage * s->dt * part;
		if (s->energy_j >= 0)
			measured_j += s->energy_j * part;
		else
			all_measured = false;
		if (s->t > out->to)
			out->to = s->t;
	}
	out->cost = out->core_seconds / 3600.0 * rates->price_per_core_hour;
	out->energy_measured = out->samples > 0 && all_measured;
	if (out->energy_measured) {
		out->energy_j = measured_j;
		snprintf(out->energy_source, sizeof(out->energy_source),
			 "RAPL (intel-rapl package energy, by CPU share)");
	} else {
		out->energy_j = out->core_seconds * rates->watts_per_core;
		snprintf(out->energy_source, sizeof(out->energy_source), "model: %g W per core", rates->watts_per_core);
	}
}
