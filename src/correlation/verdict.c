#include "correlation/verdict.h"

#include <stdio.h>
#include <string.h>

/* Appends the names of the classes in bits to buf, joined by " + ". */
static void class_list(unsigned bits, char *buf, size_t cap)
{
	buf[0] = '\0';
	for (int k = 0; k < HH_CLS_COUNT; k++)
		if (bits & (1u << k)) {
			size_t l = strlen(buf);
			snprintf(buf + l, cap - l, "%s%s", l ? " + " : "", hh_signal_class_name((enum hh_signal_class)k));
		}
}

void hh_verdict_judge(const struct hh_signal_summary *sig, size_t n, const struct hh_config *cfg,
		      const struct hh_workload *w, struct hh_verdict *out)
{
	memset(out, 0, sizeof(*out));
	double best_conf[HH_CLS_COUNT] = { 0 };
	unsigned layers = 0, decisive_layers = 0, strong_layers = 0; /* strong includes decisive */
	unsigned decisive_cls = 0, strong_cls = 0;
	for (size_t i = 0; i < n; i++) {
		enum hh_signal_class c = sig[i].cls;
		if (c >= HH_CLS_COUNT)
			continue;
		const struct hh_signal_class_info *info = hh_signal_class_info(c);
		out->classes |= 1u << c;
		if (sig[i].confidence > best_conf[c])
			best_conf[c] = sig[i].confidence;
		/* informational posture (no CPU limit, root user ...) is listed
		 * but forms no incident: nearly every container has some */
		if (!(c == HH_CLS_POSTURE && sig[i].severity < HH_SEV_LOW))
			layers |= 1u << info->layer;
		enum hh_signal_strength st = hh_signal_strength_of(c, sig[i].severity);
		if (st == HH_STR_DECISIVE) {
			decisive_layers |= 1u << info->layer;
			decisive_cls |= 1u << c;
		}
		if (st >= HH_STR_STRONG) {
			strong_layers |= 1u << info->layer;
			strong_cls |= 1u << c;
		}
	}
	int n_layers = __builtin_popcount(layers), n_strong = __builtin_popcount(strong_layers);
	char dl[160], sl[160], all[200];
	class_list(decisive_cls, dl, sizeof(dl));
	class_list(strong_cls, sl, sizeof(sl));
	class_list(out->classes, all, sizeof(all));
	if (decisive_layers && n_strong >= 2) {
		out->severity = HH_SEV_CRITICAL;
		snprintf(out->why, sizeof(out->why),
			 "critical: a signal that speaks of mining itself (%s) confirmed by independent "
			 "evidence from another layer (%s)", dl, sl);
	} else if (decisive_layers) {
		out->severity = HH_SEV_HIGH;
		snprintf(out->why, sizeof(out->why),
			 "high: a signal that speaks of mining itself (%s); no independent confirmation yet", dl);
	} else if (n_strong >= 2) {
		out->severity = HH_SEV_HIGH;
		snprintf(out->why, sizeof(out->why),
			 "high: two strong mining-shaped signals from independent layers (%s)", sl);
	} else if (n_layers >= 2) {
		out->severity = HH_SEV_MEDIUM;
		snprintf(out->why, sizeof(out->why),
			 "medium: %s agree, but nothing speaks of mining itself and there are not two "
			 "independent strong signals; legitimate software can look like this", all);
	} else {
		return; /* one layer, nothing decisive: the finding speaks for itself */
	}
	out->forms = true;
	for (int k = 0; k < HH_CLS_COUNT; k++) {
		if (!(out->classes & (1u << k)))
			continue;
		const struct hh_signal_class_info *info = hh_signal_class_info((enum hh_signal_class)k);
		char key[80];
		snprintf(key, sizeof(key), "correlation.weight.%s", info->name);
		out->score += hh_config_num(cfg, w, key, info->weight) * (0.5 + 0.5 * best_conf[k]);
	}
	if (out->score > 100)
		out->score = 100;
}
