/* Posture checking of Kubernetes objects and node configs: the engine behind
 * `hashhound check` and the pod-spec judge of `hashhound audit-log`.
 *
 * A context carries the configuration (allowlists, exceptions) and a sink
 * callback. Each check builds findings with the control metadata, the object
 * identity (k8s.kind, k8s.name, k8s.ns.name, container.name), the location
 * (file.path, file.line when the object came from a file) and evidence with
 * the YAML path of the offending value. Findings matching an exception are
 * not emitted: they are counted and handed to on_suppressed (may be NULL). */
#ifndef HH_POSTURE_H
#define HH_POSTURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/finding.h"
#include "core/workload.h"
#include "core/yaml_doc.h"
#include "detectors/posture/controls.h"

#define HH_POSTURE_MAX_EXCEPTIONS 1024
#define HH_POSTURE_MAX_REGISTRIES 128

struct hh_posture_exception {
	char control[96];      /* control id or glob ("posture.*") */
	char ns[128];          /* glob, "" = any */
	char kind[64];         /* glob, "" = any */
	char name[254];        /* glob, "" = any */
	char container[128];   /* glob, "" = any */
	char reason[256];      /* required */
};

typedef void (*hh_posture_sink)(void *user, struct hh_finding *f); /* sink takes ownership */

struct hh_posture_ctx {
	const struct hh_config *cfg;
	struct hh_posture_exception *exceptions;   /* owned */
	size_t n_exceptions;
	char (*registries)[256];                   /* trusted registry prefixes; owned */
	size_t n_registries;
	hh_posture_sink on_finding;
	hh_posture_sink on_suppressed;             /* NULL: suppressed findings are freed */
	void *user;
	const char *source;                        /* "check" (default) or "audit" */
	/* When set, only controls it accepts are evaluated into findings (the
	 * audit rules need a few; skipping the rest keeps event judging cheap). */
	bool (*want)(const char *control_id);
	size_t n_emitted, n_suppressed;
	size_t n_objects;                          /* Kubernetes objects judged */
};

/* Reads posture.registry_allowlist and posture.exceptions from cfg.
 * Returns 0, or -1 with err naming the bad exception (e.g. no reason). */
int hh_posture_init(struct hh_posture_ctx *ctx, const struct hh_config *cfg, char *err, size_t errlen);
void hh_posture_free(struct hh_posture_ctx *ctx);

/* Where an object came from: file and loaded docs (for line numbers); both may be NULL. */
struct hh_posture_origin {
	const char *file;
	const struct hh_yaml_docs *docs;
	unsigned doc_line;          /* fallback line of the document */
};

/* Judges one Kubernetes object (List kinds recurse, depth-bounded). Returns
 * 1 when it was a Kubernetes object, 0 when obj has no kind (not one). */
int hh_posture_check_object(struct hh_posture_ctx *ctx, const json_t *obj,
			    const struct hh_posture_origin *origin);

/* Node configs. Each returns the number of settings judged. */
int hh_posture_check_kubelet(struct hh_posture_ctx *ctx, const json_t *cfg,
			     const struct hh_posture_origin *origin);
/* Docker daemon.json as parsed JSON. */
int hh_posture_check_docker(struct hh_posture_ctx *ctx, const json_t *daemon,
			    const struct hh_posture_origin *origin);
/* containerd config.toml text (a TOML subset: see node_config.c). */
int hh_posture_check_containerd(struct hh_posture_ctx *ctx, const char *text, size_t len,
				const char *file);

/* True when a hostPath is, or is an ancestor of, or lies under, a sensitive
 * host path; *matched gets the sensitive path it reaches. */
bool hh_posture_hostpath_sensitive(const char *path, const char **matched);
/* True when path is, or is an ancestor of, a container runtime socket. */
bool hh_posture_hostpath_socket(const char *path, const char **matched);

/* Miner indicators in one string (stratum URL, checksum-valid wallet, miner
 * name, pool domain from the built-in intel; see miner_hint.c). Returns a
 * short description of what matched (wallets masked), or NULL. */
const char *hh_posture_miner_hint(const char *s, char *buf, size_t n);

/* A running container's OCI runtime spec (config.json) as the Pod it amounts
 * to (oci_posture.c says what is read), for the same controls. NULL when
 * spec is not an object. w names it (may be NULL). */
json_t *hh_posture_pod_from_oci(const json_t *spec, const struct hh_workload *w);
/* True when the spec makes a privileged container. */
bool hh_posture_oci_privileged(const json_t *spec);
/* Judges the Pod of hh_posture_pod_from_oci. Returns 0, or -1 for a spec that is not an object. */
int hh_posture_check_oci(struct hh_posture_ctx *ctx, const json_t *spec, const struct hh_workload *w);

/* Emits f through ctx: applies exceptions (by control, namespace, kind,
 * name, container taken from f's fields). Takes ownership. */
void hh_posture_emit(struct hh_posture_ctx *ctx, struct hh_finding *f);

#endif
