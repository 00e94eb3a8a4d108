/* Intel set from the configuration (network.intel.*) plus extra files. */
#include <stdio.h>

#include "core/config.h"
#include "core/log.h"
#include "enrich/intel/intel.h"

void hh_intel_log_stats(const char *name, const struct hh_intel_load_stats *st)
{
	size_t shown = st->bad < 3 ? st->bad : 3;
	for (size_t i = 0; i < shown; i++)
		hh_warn("intel: %s", st->first_bad[i]);
	if (st->bad > shown)
		hh_warn("intel: %s: %zu malformed entries in all", name, st->bad);
	hh_debug("intel: %s: %zu added, %zu duplicates, %zu skipped, %zu malformed", name, st->added,
		 st->duplicates, st->skipped, st->bad);
}

static int load_one(struct hh_intel *in, const char *path, char *err, size_t errlen)
{
	struct hh_intel_load_stats st;
	if (hh_intel_load_file(in, path, &st, err, errlen) < 0)
		return -1;
	hh_intel_log_stats(path, &st);
	return 0;
}

struct hh_intel *hh_intel_from_config(const struct hh_config *cfg, int use_builtin, const char *const *extra,
				      size_t n_extra, char *err, size_t errlen)
{
	struct hh_intel *in = hh_intel_new();
	if (!in) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	bool builtin = use_builtin >= 0 ? use_builtin != 0
					: (cfg ? hh_config_bool(cfg, NULL, "network.intel.builtin", true) : true);
	if (builtin) {
		struct hh_intel_load_stats st;
		hh_intel_load_builtin(in, &st);
		hh_intel_log_stats("built-in", &st);
	}
	const json_t *files = cfg ? hh_config_get(cfg, NULL, "network.intel.files") : NULL;
	size_t i;
	const json_t *v;
	json_array_foreach(files, i, v) {
		if (!json_is_string(v))
			continue;
		if (load_one(in, json_string_value(v), err, errlen) < 0) {
			hh_intel_free(in);
			return NULL;
		}
	}
	for (size_t k = 0; k < n_extra; k++) {
		if (load_one(in, extra[k], err, errlen) < 0) {
			hh_intel_free(in);
			return NULL;
		}
	}
	return in;
}
