/* Scan targets: what `hashhound scan TARGET` can open.
 *  - docker-archive: a tar from `docker save` / `podman save` (manifest.json,
 *    config JSON, layer tars; old "<id>/layer.tar" and new "blobs/sha256/..." forms);
 *  - OCI image layout directory (oci-layout, index.json, blobs/<alg>/<hex>);
 *  - OCI archive: a tar of such a layout;
 *  - a directory holding an extracted docker-archive (manifest.json);
 *  - any other tar (plain or compressed): one layer;
 *  - any other directory (a root filesystem, a web bundle) or file.
 * Image members are read straight out of the archive (tar index + pread) or
 * the layout directory; nothing is extracted. Digests and member names from
 * the manifests are validated so they cannot point outside the target. */
#ifndef HH_IMAGE_SOURCE_H
#define HH_IMAGE_SOURCE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sources/image/layer_walk.h"
#include "sources/image/tar_index.h"

enum hh_target_kind {
	HH_TARGET_DOCKER_ARCHIVE,
	HH_TARGET_OCI_LAYOUT,
	HH_TARGET_OCI_ARCHIVE,
	HH_TARGET_DOCKER_DIR,
	HH_TARGET_TAR,        /* a tar that is not an image: one layer */
	HH_TARGET_DIR,
	HH_TARGET_FILE,
};
const char *hh_target_kind_name(enum hh_target_kind k);

struct hh_image_layer {
	char member[512];     /* blob path in the archive or layout */
	char digest[80];      /* "sha256:<hex>": config diff_id when known, else the blob digest or member name */
	char media_type[96];
};

struct hh_image {
	enum hh_target_kind kind;
	char target[1024];
	int fd;               /* archive targets: the file; -1 otherwise */
	struct hh_blob_src src;
	struct hh_tar_index idx;
	json_t *config;       /* image config document, NULL when absent; owned */
	char config_member[512];
	char tags[256];       /* RepoTags / ref name, comma-separated */
	struct hh_image_layer *layers;
	size_t n_layers;
};

/* Error reporting: where names the member ("manifest.json", a layer digest). */
typedef void (*hh_image_err_fn)(void *user, const char *where, const char *msg);

/* Opens target and, for images, reads the manifests and config. Returns 0
 * (img usable; errors about parts of it went to errfn), or -1 when the
 * target cannot be opened at all (message in err). */
int hh_image_open(const char *target, const struct hh_scan_limits *lim, struct hh_image *img, hh_image_err_fn errfn,
		  void *user, char *err, size_t errlen);
void hh_image_close(struct hh_image *img);

/* Where layer i's bytes are: a source plus a region. For layout directories
 * the blob file is opened (close *fd_out with close() when >= 0). */
int hh_image_layer_region(const struct hh_image *img, size_t i, struct hh_blob_src *src, uint64_t *off,
			  uint64_t *size, int *fd_out, char *err, size_t errlen);

/* Parses a JSON member (bounded). Returns NULL with err naming line and column. */
json_t *hh_image_read_json(const struct hh_image *img, const char *member, uint64_t max, char *err, size_t errlen);

/* True when s is "<alg>:<hex>" with a safe algorithm and hex digest. */
bool hh_digest_valid(const char *s);

#endif
