/* containerd state: the OCI bundle of each running task,
 *   /run/containerd/io.containerd.runtime.v2.task/<namespace>/<id>/config.json
 *   /run/containerd/io.containerd.runtime.v1.linux/<namespace>/<id>/config.json (old shim)
 * The CRI plugin (namespace k8s.io) annotates it with io.kubernetes.cri.*;
 * Docker 20+ runs its containers in namespace "moby" (then Docker's own
 * state has the better names: the caller tries Docker first for those). */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "enrich/runtime_state.h"

#define MAX_NAMESPACES 64

static const char *const task_dirs[] = {
	"/run/containerd/io.containerd.runtime.v2.task",
	"/run/containerd/io.containerd.runtime.v1.linux",
};

bool hh_rt_containerd_present(const char *host_root)
{
	for (size_t i = 0; i < sizeof(task_dirs) / sizeof(task_dirs[0]); i++) {
		char p[HH_PATH_LEN];
		struct stat st;
		if (hh_rt_path(p, sizeof(p), host_root, task_dirs[i]) == 0 && stat(p, &st) == 0)
			return true;
	}
	return false;
}

int hh_rt_containerd_bundle(const char *host_root, const char *id, json_t **doc, char *ns, size_t ns_cap)
{
	*doc = NULL;
	if (!hh_rt_id_ok(id))
		return 0;
	for (size_t t = 0; t < sizeof(task_dirs) / sizeof(task_dirs[0]); t++) {
		char base[HH_PATH_LEN];
		if (hh_rt_path(base, sizeof(base), host_root, task_dirs[t]) < 0)
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
			int rc = hh_rt_load_json(p, doc);
			if (rc == 0)
				continue;
			hh_strlcpy(ns, de->d_name, ns_cap);
			closedir(d);
			return rc;
		}
		closedir(d);
	}
	return 0;
}

int hh_rt_containerd_lookup(const char *host_root, const char *id, struct hh_workload *out)
{
	json_t *doc = NULL;
	char ns[256];
	int rc = hh_rt_containerd_bundle(host_root, id, &doc, ns, sizeof(ns));
	if (rc == 0)
		return 0;
	if (rc < 0) {
		hh_strlcpy(out->runtime, "containerd", sizeof(out->runtime));
		return -1;
	}
	char hint[16];
	hh_oci_apply_annotations(json_object_get(doc, "annotations"), out, hint, sizeof(hint));
	json_decref(doc);
	hh_strlcpy(out->runtime, strcmp(ns, "moby") == 0 ? "docker" : "containerd", sizeof(out->runtime));
	if (!out->pod_namespace[0] && strcmp(ns, "k8s.io") != 0 && strcmp(ns, "moby") != 0)
		hh_workload_add_label(out, "containerd.namespace", ns);
	return 1;
}
