#include "enrich/oci_spec.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "core/workload.h"
#include "enrich/runtime_state.h"

#define MAX_NAMESPACES 64

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
	static const char *const tasks[] = { "/run/containerd/io.containerd.runtime.v2.task",
					     "/run/containerd/io.containerd.runtime.v1.linux" };
	for (size_t t = 0; t < sizeof(tasks) / sizeof(tasks[0]); t++) {
		char base[HH_PATH_LEN];
		if (hh_rt_path(base, sizeof(base), host_root, tasks[t]) < 0)
			continue;
		DIR *d = opendir(base);
		if (!d)
			continue;
		struct dirent *de;
		int seen = 0;
		while ((de = readdir(d)) != NULL && seen < MAX_NAMESPACES) {
			if (de->d_name[0] == '.')
				continue;
			seen++;
			char p[HH_PATH_LEN * 2];
			snprintf(p, sizeof(p), "%s/%s/%s/config.json", base, de->d_name, id);
			json_t *doc = NULL;
			if (hh_rt_load_json(p, &doc) == 1) {
				closedir(d);
				return doc;
			}
		}
		closedir(d);
	}
	return NULL;
}
