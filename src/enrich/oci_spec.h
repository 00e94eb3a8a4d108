/* The OCI runtime spec (config.json) of a running container, wherever its
 * runtime keeps it:
 *   /run/containers/storage/overlay-containers/<id>/userdata/config.json     (CRI-O)
 *   /var/lib/containers/storage/overlay-containers/<id>/userdata/config.json (Podman)
 *   /run/containerd/io.containerd.runtime.v2.task/<ns>/<id>/config.json      (containerd, Docker: ns moby)
 *   /run/containerd/io.containerd.runtime.v1.linux/<ns>/<id>/config.json     (old shim)
 * under host_root ("" or "/" for this host). */
#ifndef HH_OCI_SPEC_H
#define HH_OCI_SPEC_H

#include <jansson.h>

/* Returns the parsed spec (caller owns it), or NULL when no runtime has one
 * for id (or it is malformed: logged once by the loader, naming the file). */
json_t *hh_oci_spec_load(const char *host_root, const char *container_id);

#endif
