/* `hashhound scan IMAGE_REF`: a target that is not a path but an image
 * reference is taken from a local store, read in place (containers-storage,
 * cstorage.h; containerd, containerd.h; Docker, docker.h; in that order) or,
 * when it is in none, pulled from its registry (registry.h), into temporary OCI
 * layouts that are scanned like any other target and removed afterwards.
 * Findings of a multi-platform pull carry image.platform. */
#ifndef HH_SCAN_REF_H
#define HH_SCAN_REF_H

#include <stdbool.h>
#include <stddef.h>

#include "detectors/content/content_scan.h"
#include "detectors/content/image_scan.h"

struct hh_ref_opts {
	const char *platform;      /* --platform, NULL: every platform */
	bool local, remote;        /* --image-src: where to look (both by default) */
	bool insecure;             /* --insecure: plain HTTP / no TLS checks for any registry */
	const char *storage_root;  /* scan.containers_storage (NULL: the default root) */
	const char *containerd_root; /* scan.containerd_root (NULL: /var/lib/containerd) */
	const char *containerd_ns; /* scan.containerd_namespace (NULL: k8s.io, moby, default, the rest) */
	const char *docker_root;   /* scan.docker_root (NULL: /var/lib/docker) */
};

typedef void (*hh_ref_result_fn)(void *user, const char *label, struct hh_scan_result *res);

/* Returns -1 when target is an existing path, a missing file named like an
 * archive or document (".tar", ".json", ...), or not a reference (the caller
 * scans it as a path). Otherwise scans the image (on_result once per scanned
 * platform, which takes the findings) and returns the number of input errors
 * (pull or export problems, digest mismatches, scan input errors). */
long hh_scan_ref(const char *target, struct hh_content *content, const struct hh_scan_limits *lim,
		 const struct hh_ref_opts *o, hh_ref_result_fn on_result, void *user);

#endif
