/* containers-storage state, shared by Podman and CRI-O:
 *   <runroot>/overlay-containers/<id>/userdata/config.json    (CRI-O, volatile)
 *   <graphroot>/overlay-containers/<id>/userdata/config.json  (Podman)
 *   <graphroot>/overlay-containers/containers.json            names, image id, metadata
 *   <graphroot>/overlay-images/images.json                    image names
 * with runroot /run/containers/storage and graphroot /var/lib/containers/storage
 * (the defaults of storage.conf). Which runtime made a container is told by
 * its annotations: CRI-O writes io.kubernetes.cri-o.ContainerType, Podman
 * io.container.manager=libpod. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "enrich/runtime_state.h"

struct hh_rt_storage {
	char graph[HH_PATH_LEN];
	char run[HH_PATH_LEN];
	struct hh_rt_json_cache containers, images;
};

struct hh_rt_storage *hh_rt_storage_new(const char *host_root)
{
	struct hh_rt_storage *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if (hh_rt_path(s->graph, sizeof(s->graph), host_root, "/var/lib/containers/storage") < 0 ||
	    hh_rt_path(s->run, sizeof(s->run), host_root, "/run/containers/storage") < 0) {
		free(s);
		return NULL;
	}
	return s;
}

void hh_rt_storage_free(struct hh_rt_storage *s)
{
	if (!s)
		return;
	hh_rt_json_cache_free(&s->containers);
	hh_rt_json_cache_free(&s->images);
	free(s);
}

bool hh_rt_storage_present(const struct hh_rt_storage *s)
{
	char p[HH_PATH_LEN + 32];
	struct stat st;
	snprintf(p, sizeof(p), "%s/overlay-containers", s->graph);
	if (stat(p, &st) == 0)
		return true;
	snprintf(p, sizeof(p), "%s/overlay-containers", s->run);
	return stat(p, &st) == 0;
}

/* Loads <base>/overlay-containers/<id>/userdata/config.json from runroot, then graphroot. */
static int load_config(struct hh_rt_storage *s, const char *id, json_t **doc)
{
	const char *bases[2] = { s->run, s->graph };
	int worst = 0;
	for (int i = 0; i < 2; i++) {
		char p[HH_PATH_LEN + 128];
		snprintf(p, sizeof(p), "%s/overlay-containers/%s/userdata/config.json", bases[i], id);
		int rc = hh_rt_load_json(p, doc);
		if (rc == 1)
			return 1;
		if (rc < 0)
			worst = -1;
	}
	return worst;
}

static const json_t *find_by_id(const json_t *arr, const char *id)
{
	if (!json_is_array(arr))
		return NULL;
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e) {
		const char *eid = json_string_value(json_object_get(e, "id"));
		if (eid && strcmp(eid, id) == 0)
			return e;
	}
	return NULL;
}

/* Pod labels: CRI-O records them on the sandbox (infra) container. */
static void sandbox_labels(struct hh_rt_storage *s, const json_t *ann, struct hh_workload *out)
{
	const char *sb = json_string_value(json_object_get(ann, "io.kubernetes.cri-o.SandboxID"));
	if (!sb || !hh_rt_id_ok(sb))
		return;
	json_t *doc = NULL;
	if (load_config(s, sb, &doc) != 1)
		return;
	const char *labels =
		json_string_value(json_object_get(json_object_get(doc, "annotations"), "io.kubernetes.cri-o.Labels"));
	if (labels) {
		json_t *l = json_loads(labels, 0, NULL);
		hh_rt_add_labels(l, out, true);
		json_decref(l);
	}
	json_decref(doc);
}

int hh_rt_storage_lookup(struct hh_rt_storage *s, const char *id, struct hh_workload *out)
{
	if (!hh_rt_id_ok(id))
		return 0;
	json_t *doc = NULL;
	int rc = load_config(s, id, &doc);
	char hint[16] = "";
	bool found = false;
	if (rc == 1) {
		found = true;
		const json_t *ann = json_object_get(doc, "annotations");
		hh_oci_apply_annotations(ann, out, hint, sizeof(hint));
		if (strcmp(hint, "cri-o") == 0)
			sandbox_labels(s, ann, out);
		json_decref(doc);
	}
	/* containers.json: the name and image Podman gave the container */
	char p[HH_PATH_LEN + 64];
	snprintf(p, sizeof(p), "%s/overlay-containers/containers.json", s->graph);
	const json_t *e = find_by_id(hh_rt_json_cached(&s->containers, p), id);
	if (e) {
		found = true;
		const json_t *names = json_object_get(e, "names");
		if (!out->container_name[0] && json_is_string(json_array_get(names, 0)))
			hh_strlcpy(out->container_name, json_string_value(json_array_get(names, 0)),
				   sizeof(out->container_name));
		const char *meta = json_string_value(json_object_get(e, "metadata"));
		if (meta && !out->image[0]) {
			json_t *m = json_loads(meta, 0, NULL);
			const char *in = json_string_value(json_object_get(m, "image-name"));
			if (in && *in)
				hh_strlcpy(out->image, in, sizeof(out->image));
			json_decref(m);
		}
		const char *image_id = json_string_value(json_object_get(e, "image"));
		if (image_id && *image_id && !out->image[0]) {
			snprintf(p, sizeof(p), "%s/overlay-images/images.json", s->graph);
			const json_t *img = find_by_id(hh_rt_json_cached(&s->images, p), image_id);
			const json_t *in = json_array_get(json_object_get(img, "names"), 0);
			if (json_is_string(in))
				hh_strlcpy(out->image, json_string_value(in), sizeof(out->image));
			else
				snprintf(out->image, sizeof(out->image), "sha256:%.64s", image_id);
		}
	}
	if (!found)
		return rc < 0 ? -1 : 0;
	hh_strlcpy(out->runtime, hint[0] ? hint : "podman", sizeof(out->runtime));
	return rc < 0 ? -1 : 1;
}
