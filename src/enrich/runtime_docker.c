/* Docker state: /var/lib/docker/containers/<id>/config.v2.json
 *   {"ID": ..., "Name": "/web", "Image": "sha256:...",
 *    "Config": {"Image": "nginx:1.25", "Labels": {...}}}
 * Under dockershim (Kubernetes before 1.24, cri-dockerd after) the labels
 * carry io.kubernetes.pod.name / .namespace / .uid and
 * io.kubernetes.container.name; the pod's own labels are on its sandbox
 * (pause) container, named by io.kubernetes.sandbox.id. */
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

static int load_config(const char *host_root, const char *id, json_t **doc)
{
	char rel[160], p[HH_PATH_LEN];
	snprintf(rel, sizeof(rel), "/var/lib/docker/containers/%s/config.v2.json", id);
	if (hh_rt_path(p, sizeof(p), host_root, rel) < 0)
		return 0;
	return hh_rt_load_json(p, doc);
}

/* Labels that are Kubernetes bookkeeping, not the workload's own. */
static bool bookkeeping(const char *k)
{
	return strncmp(k, "io.kubernetes.", 14) == 0 || strncmp(k, "annotation.", 11) == 0;
}

static void add_labels(const json_t *labels, struct hh_workload *out)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)labels, k, v) {
		if (json_is_string(v) && !bookkeeping(k) && !hh_workload_label(out, k))
			hh_workload_add_label(out, k, json_string_value(v));
	}
}

int hh_rt_docker_lookup(const char *host_root, const char *id, struct hh_workload *out)
{
	if (!hh_rt_id_ok(id))
		return 0;
	json_t *doc = NULL;
	int rc = load_config(host_root, id, &doc);
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
	const char *sb = json_string_value(json_object_get(labels, "io.kubernetes.sandbox.id"));
	json_t *sdoc = NULL;
	if (sb && hh_rt_id_ok(sb) && strcmp(sb, id) != 0 && load_config(host_root, sb, &sdoc) == 1)
		add_labels(json_object_get(json_object_get(sdoc, "Config"), "Labels"), out); /* pod labels first */
	json_decref(sdoc);
	add_labels(labels, out);
	json_decref(doc);
	return 1;
}
