/* Images by name from the local containers-storage (podman, buildah, CRI-O),
 * read in place: no `podman save`, no daemon. The overlay driver's metadata
 * gives the image (overlay-images/images.json: names, id, top layer) and its
 * layer chain (overlay-layers/layers.json: parent, diff-digest). Each layer's
 * original tar stream is rebuilt from its tar-split record
 * (overlay-layers/ID.tar-split.gz: the raw tar headers and padding) and the
 * file contents in overlay/ID/diff, so whiteouts and metadata are exactly what
 * was pulled or committed; its SHA-256 is checked against the layer's
 * diff-digest (a mismatch means the store was changed behind podman's back:
 * an input error, and the layer is still scanned as it is on disk). Files are
 * opened beneath the layer directory only (openat2 RESOLVE_BENEATH, no
 * symlinks). The result is a temporary OCI layout (layout_writer.h). */
#ifndef HH_CSTORAGE_H
#define HH_CSTORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "sources/image/layout_writer.h"

/* The storage root: scan.containers_storage when set (cfg_root), else
 * graphroot from /etc/containers/storage.conf, else /var/lib/containers/storage
 * (root) or $XDG_DATA_HOME/containers/storage (others). */
void hh_cstorage_root(const char *cfg_root, char *out, size_t n);

/* Finds the image named name (a canonical "registry/repo:tag", as written in
 * images.json) or whose id starts with name (12+ hex characters), and writes
 * it into a new layout (out). Returns 0 when written (*errors counts digest
 * mismatches, each logged), 1 when the store has no such image (or no store
 * is there), -1 on an error (err). max_bytes bounds each layer. */
int hh_cstorage_export(const char *root, const char *name, uint64_t max_bytes, struct hh_layout *out,
		       size_t *errors, char *ref_out, size_t ref_len, char *err, size_t errlen);

#endif
