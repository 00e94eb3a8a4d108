/* Shared pieces of the runtime state readers: bounded JSON loading with
 * errors naming the file, the OCI annotation vocabulary of CRI runtimes,
 * and path safety for ids taken from cgroup paths. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fileio.h"
#include "core/log.h"
#include "enrich/runtime_state.h"

bool hh_rt_id_ok(const char *id)
{
	return hh_path_token_ok(id, HH_ID_LEN);
}

int hh_rt_path(char *out, size_t n, const char *host_root, const char *rel)
{
	if (!host_root || !*host_root || strcmp(host_root, "/") == 0) {
		if (strlen(rel) >= n)
			return -1;
		strcpy(out, rel);
		return 0;
	}
	return hh_path_join(out, n, host_root, rel);
}

static int parse_buf(const char *buf, size_t len, const char *what, json_t **out, char *err, size_t errlen)
{
	json_error_t je;
	json_t *doc = json_loadb(buf, len, 0, &je);
	if (!doc) {
		snprintf(err, errlen, "%s:%d:%d: malformed JSON: %s", what, je.line, je.column, je.text);
		return -1;
	}
	if (!json_is_object(doc)) {
		snprintf(err, errlen, "%s: expected a JSON object at the top", what);
		json_decref(doc);
		return -1;
	}
	*out = doc;
	return 0;
}

int hh_rt_load_json(const char *path, json_t **out)
{
	*out = NULL;
	struct hh_buf b;
	char err[512];
	struct stat st;
	if (stat(path, &st) != 0 && (errno == ENOENT || errno == ENOTDIR))
		return 0;
	if (hh_read_file(path, HH_RT_JSON_MAX, &b, err, sizeof(err)) < 0) {
		hh_warn("runtime state: %s", err);
		return -1;
	}
	int rc = parse_buf(b.data, b.len, path, out, err, sizeof(err));
	hh_buf_free(&b);
	if (rc < 0) {
		hh_warn("runtime state: %s", err);
		return -1;
	}
	return 1;
}

void hh_rt_json_cache_free(struct hh_rt_json_cache *c)
{
	json_decref(c->doc);
	memset(c, 0, sizeof(*c));
}

const json_t *hh_rt_json_cached(struct hh_rt_json_cache *c, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		hh_rt_json_cache_free(c);
		return NULL;
	}
	if ((c->doc || c->warned) && st.st_mtim.tv_sec == c->mtime.tv_sec && st.st_mtim.tv_nsec == c->mtime.tv_nsec &&
	    st.st_size == c->size)
		return c->doc;
	hh_rt_json_cache_free(c);
	c->mtime = st.st_mtim;
	c->size = st.st_size;
	struct hh_buf b;
	char err[512];
	if (hh_read_file(path, HH_RT_INDEX_MAX, &b, err, sizeof(err)) < 0) {
		hh_warn("runtime state: %s", err);
		c->warned = true;
		return NULL;
	}
	json_error_t je;
	c->doc = json_loadb(b.data, b.len, 0, &je);
	hh_buf_free(&b);
	if (!c->doc) {
		hh_warn("runtime state: %s:%d:%d: malformed JSON: %s", path, je.line, je.column, je.text);
		c->warned = true;
	}
	return c->doc;
}

static const char *ann(const json_t *a, const char *key)
{
	return json_string_value(json_object_get(a, key));
}

static void set_if(char *dst, size_t n, const char *v)
{
	if (v && *v)
		hh_strlcpy(dst, v, n);
}

void hh_rt_add_labels(const json_t *obj, struct hh_workload *out, bool skip_kubernetes)
{
	if (!json_is_object(obj))
		return;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v) {
		if (!json_is_string(v))
			continue;
		if (skip_kubernetes && strncmp(k, "io.kubernetes.", 14) == 0)
			continue;
		if (hh_workload_label(out, k))
			continue;
		hh_workload_add_label(out, k, json_string_value(v));
	}
}

void hh_oci_apply_annotations(const json_t *a, struct hh_workload *out, char *hint, size_t n)
{
	if (hint && n)
		hint[0] = '\0';
	if (!json_is_object(a))
		return;
	/* containerd CRI plugin */
	if (ann(a, "io.kubernetes.cri.container-type") || ann(a, "io.kubernetes.cri.sandbox-name")) {
		set_if(out->container_name, sizeof(out->container_name), ann(a, "io.kubernetes.cri.container-name"));
		set_if(out->pod_name, sizeof(out->pod_name), ann(a, "io.kubernetes.cri.sandbox-name"));
		set_if(out->pod_namespace, sizeof(out->pod_namespace), ann(a, "io.kubernetes.cri.sandbox-namespace"));
		set_if(out->pod_uid, sizeof(out->pod_uid), ann(a, "io.kubernetes.cri.sandbox-uid"));
		set_if(out->image, sizeof(out->image), ann(a, "io.kubernetes.cri.image-name"));
		if (hint)
			hh_strlcpy(hint, "containerd", n);
	}
	/* CRI-O (podman also writes a few io.kubernetes.cri-o.* keys, but not these) */
	if (ann(a, "io.kubernetes.cri-o.ContainerType") || ann(a, "io.kubernetes.cri-o.ImageName") ||
	    ann(a, "io.kubernetes.pod.name")) {
		set_if(out->container_name, sizeof(out->container_name), ann(a, "io.kubernetes.container.name"));
		set_if(out->pod_name, sizeof(out->pod_name), ann(a, "io.kubernetes.pod.name"));
		set_if(out->pod_namespace, sizeof(out->pod_namespace), ann(a, "io.kubernetes.pod.namespace"));
		set_if(out->pod_uid, sizeof(out->pod_uid), ann(a, "io.kubernetes.pod.uid"));
		set_if(out->image, sizeof(out->image), ann(a, "io.kubernetes.cri-o.ImageName"));
		const char *labels = ann(a, "io.kubernetes.cri-o.Labels");
		if (labels) {
			json_error_t je;
			json_t *l = json_loadb(labels, strlen(labels), 0, &je);
			if (l)
				hh_rt_add_labels(l, out, true);
			else
				hh_debug("runtime state: io.kubernetes.cri-o.Labels: malformed JSON: %s", je.text);
			json_decref(l);
		}
		if (hint && ann(a, "io.kubernetes.cri-o.ContainerType"))
			hh_strlcpy(hint, "cri-o", n);
	}
	/* nerdctl (plain containerd) */
	set_if(out->container_name, sizeof(out->container_name), ann(a, "nerdctl/name"));
	if (hint && ann(a, "nerdctl/name") && !hint[0])
		hh_strlcpy(hint, "containerd", n);
	const char *mgr = ann(a, "io.container.manager");
	if (hint && mgr && strcmp(mgr, "libpod") == 0)
		hh_strlcpy(hint, "podman", n);
}

int hh_oci_config_parse(const char *buf, size_t len, const char *what, struct hh_workload *out, char *hint, size_t n,
			char *err, size_t errlen)
{
	json_t *doc;
	if (parse_buf(buf, len, what, &doc, err, errlen) < 0)
		return -1;
	json_t *a = json_object_get(doc, "annotations");
	if (a && !json_is_object(a)) {
		snprintf(err, errlen, "%s: \"annotations\" is not an object", what);
		json_decref(doc);
		return -1;
	}
	hh_oci_apply_annotations(a, out, hint, n);
	json_decref(doc);
	return 0;
}
