#include "enrich/oci_spec.h"

#include <stdio.h>
#include <string.h>

#include "core/workload.h"
#include "enrich/runtime_state.h"

json_t *hh_oci_spec_load(const char *host_root, const char *id)
{
	if (!hh_rt_id_ok(id))
		return NULL;
	static const char *const storage[] = { "/run/containers/storage", "/var/lib/containers/storage" };
	for (size_t i = 0; i < sizeof(storage) / sizeof(storage[0]); i++) {
		char base[HH_PATH_LEN], p[HH_PATH_LEN + 160];
		if (hh_rt_path(base, sizeof(base), host_root, storage[i]) < 0)
			continue;
		snprintf(p, sizeof(p), "%s/overlay-containers/%s/userdata/config.json", base, id);
		json_t *doc = NULL;
		if (hh_rt_load_json(p, &doc) == 1)
			return doc;
	}
	json_t *doc = NULL;
	char ns[256];
	if (hh_rt_containerd_bundle(host_root, id, &doc, ns, sizeof(ns)) == 1)
		return doc;
	return NULL;
}
