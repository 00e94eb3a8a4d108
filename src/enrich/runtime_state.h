/* Readers of container runtime state on disk (internal to enrich/).
 * Each lookup returns 1 when its runtime knows the container (out filled),
 * 0 when it does not (quietly: the runtime may be absent), -1 when its state
 * names the container but is unreadable or malformed (one log line naming
 * the file was written; out holds what could be read). */
#ifndef HH_RUNTIME_STATE_H
#define HH_RUNTIME_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/workload.h"

#define HH_RT_JSON_MAX (16u << 20)      /* one state file */
#define HH_RT_INDEX_MAX (64u << 20)     /* containers.json / images.json */

/* A JSON file kept parsed while its mtime and size stay the same
 * (containers-storage indexes are read once per change, not per lookup). */
struct hh_rt_json_cache {
	json_t *doc;
	struct timespec mtime;
	off_t size;
	bool warned;
};
void hh_rt_json_cache_free(struct hh_rt_json_cache *c);
/* Returns the parsed document (owned by the cache) or NULL (missing: quiet;
 * malformed: one log line per change of the file). */
const json_t *hh_rt_json_cached(struct hh_rt_json_cache *c, const char *path);

/* Reads and parses a JSON state file. Returns 1 parsed (*out owned by the
 * caller), 0 missing, -1 unreadable or malformed (logged: file, line, column). */
int hh_rt_load_json(const char *path, json_t **out);

/* Applies what an OCI runtime spec's annotations say about the workload:
 * CRI (containerd io.kubernetes.cri.*), CRI-O (io.kubernetes.pod.*,
 * io.kubernetes.container.name, io.kubernetes.cri-o.ImageName / Labels),
 * nerdctl (nerdctl/name). Sets runtime_hint ("containerd", "cri-o",
 * "podman" or "") from the annotation families present. */
void hh_oci_apply_annotations(const json_t *annotations, struct hh_workload *out, char *runtime_hint, size_t n);

/* Parses an OCI config.json held in memory (what names it in errors) and
 * applies its annotations. Returns 0, or -1 with err set. */
int hh_oci_config_parse(const char *buf, size_t len, const char *what, struct hh_workload *out,
			char *runtime_hint, size_t n, char *err, size_t errlen);

/* Adds labels from a JSON object of strings (non-string values skipped). */
void hh_rt_add_labels(const json_t *obj, struct hh_workload *out, bool skip_kubernetes);

/* True when id is safe as one path element (no '/', not "." or "..", 1..64 chars of [A-Za-z0-9_.-]). */
bool hh_rt_id_ok(const char *id);

/* host_root + rel ("/" root gives rel itself). Returns -1 when it does not fit. */
int hh_rt_path(char *out, size_t n, const char *host_root, const char *rel);

struct hh_rt_storage;   /* containers-storage (podman, CRI-O) */
struct hh_rt_storage *hh_rt_storage_new(const char *host_root);
void hh_rt_storage_free(struct hh_rt_storage *s);
bool hh_rt_storage_present(const struct hh_rt_storage *s);
int hh_rt_storage_lookup(struct hh_rt_storage *s, const char *id, struct hh_workload *out);

int hh_rt_containerd_lookup(const char *host_root, const char *id, struct hh_workload *out);
/* Finds and loads the OCI bundle config.json of containerd task id (any
 * namespace, at most 64 looked at). Returns 1 with *doc (caller owns) and its
 * namespace in ns, 0 when there is none, -1 when it exists but is unreadable. */
int hh_rt_containerd_bundle(const char *host_root, const char *id, json_t **doc, char *ns, size_t ns_cap);
bool hh_rt_containerd_present(const char *host_root);

int hh_rt_docker_lookup(const char *host_root, const char *id, struct hh_workload *out);
bool hh_rt_docker_present(const char *host_root);

#endif
