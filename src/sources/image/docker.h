/* Images by name from Docker's graph-driver store (Docker 20.10, the Debian
 * docker.io package), read in place: no daemon call, no `docker save`.
 *  - ROOT/image/DRIVER/repositories.json maps names to image ids;
 *  - ROOT/image/DRIVER/imagedb/content/sha256/ID is the image config, whose
 *    digest is the id and whose rootfs.diff_ids list the layers;
 *  - each layer's chain id (diff_id of the first; sha256 of "PARENT DIFFID"
 *    after it) names ROOT/image/DRIVER/layerdb/sha256/CHAINID/ with cache-id
 *    (the layer's directory in the driver) and tar-split.json.gz;
 *  - the files are in ROOT/overlay2/CACHEID/diff (overlay2,
 *    fuse-overlayfs: ROOT/fuse-overlayfs/CACHEID/diff) or ROOT/vfs/dir/CACHEID
 *    (vfs); other drivers are refused with a message.
 * Each layer's tar stream is rebuilt from its tar-split (tarsplit.h) and its
 * SHA-256 checked against the diff_id; the config against the id. A mismatch
 * is an input error (counted and logged; scanned as it is on disk). The
 * result is a temporary OCI layout (layout_writer.h). */
#ifndef HH_DOCKER_H
#define HH_DOCKER_H

#include <stddef.h>
#include <stdint.h>

#include "sources/image/layout_writer.h"

/* scan.docker_root when set (cfg_root), else /var/lib/docker. */
void hh_docker_root(const char *cfg_root, char *out, size_t n);

/* Finds the image named name (canonical "docker.io/library/busybox:latest",
 * or as Docker writes it, "busybox:latest"), or whose id starts with name (12+
 * hex characters), and writes it into a new layout (out). Returns 0 when
 * written (*errors counts digest mismatches; where gets "DRIVER NAME"), 1 when
 * no driver's store has it, -1 on an error (err). max_bytes bounds each layer,
 * max_json the config and repositories.json. */
int hh_docker_export(const char *root, const char *name, uint64_t max_bytes, uint64_t max_json,
		     struct hh_layout *out, size_t *errors, char *where, size_t wlen, char *err, size_t errlen);

#endif
