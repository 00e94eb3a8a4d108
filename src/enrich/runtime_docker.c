/* Docker state: /var/lib/docker/containers/<id>/config.v2.json
 *   {"ID": ..., "Name": "/web", "Image": "sha256:...",
 *    "Config": {"Image": "nginx:1.25", "Labels": {...}}}
 * Under dockershim (Kubernetes before 1.24, cri-dockerd after) the labels
 * carry io.kubernetes.pod.name / .namespace / .uid and
 * io.kubernetes.container.name. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "enrich/runtime_state.h"

bool hh_rt_docker_present(const char *host_root)
{
	char p[HH_PATH_LEN];
	struct stat st;
	return hh_rt_path(p, sizeof(p), host_root, "/var/lib/docker/containers") == 0 && stat(p, &st) == 0;
}

static void set_if(char *dst, size_t n, const char *v)
{
	if (v && *v)
		hh_strlcpy(dst, v, n);
}

int hh_rt_docker_lookup(const char *host_root, const char *id, struct hh_workload *out)
{
	if (!hh_rt_id_ok(id))
		return 0;
	char rel[160], p[HH_PATH_LEN];
	snprintf(rel, sizeof(rel), "/var/lib/docker/containers/%s/config.v2.json", id);
	if (hh_rt_path(p, sizeof(p), host_root, rel) < 0)
		return 0;
	json_t *doc = NULL;
	int rc = hh_rt_load_json(p, &doc);
	if (rc <= 0) {
		if (rc < 0)
			hh_strlcpy(out->runtime, "docker", sizeof(out->runtime));
		return rc;
	}
	hh_strlcpy(out->runtime, "docker", sizeof(out->runtime));
	const char *name = json_string_value(json_object_get(doc, "Name"));
	if (name && *name == '/')
		name++;
	set_if(out->container_name, sizeof(out->container_name), name);
	const json_t *cfg = json_object_get(doc, "Config");
	const char *image = json_string_value(json_object_get(cfg, "Image"));
	if (!image || !*image)
		image = json_string_value(json_object_get(doc, "Image"));
	set_if(out->image, sizeof(out->image), image);
	const json_t *labels = json_object_get(cfg, "Labels");
	const char *l;
	if ((l = json_string_value(json_object_get(labels, "io.kubernetes.container.name"))))
		set_if(out->container_name, sizeof(out->container_name), l);
	set_if(out->pod_name, sizeof(out->pod_name),
	       json_string_value(json_object_get(labels, "io.kubernetes.pod.name")));
	set_if(out->pod_namespace, sizeof(out->pod_namespace),
	       json_string_value(json_object_get(labels, "io.kubernetes.pod.namespace")));
	set_if(out->pod_uid, sizeof(out->pod_uid), json_string_value(json_object_get(labels, "io.kubernetes.pod.uid")));
	hh_rt_add_labels(labels, out, true);
	json_decref(doc);
	return 1;
}
