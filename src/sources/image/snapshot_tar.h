/* A layer tar written from an unpacked overlay snapshot directory (the
 * upper directory of one layer, as containerd's overlayfs snapshotter keeps
 * it: io.containerd.snapshotter.v1.overlayfs/snapshots/ID/fs), for layers
 * whose compressed blob is gone (containerd's discard_unpacked_layers).
 *
 * Overlay markers become OCI whiteouts: a character device 0/0 is ".wh.NAME",
 * a directory with the opaque xattr (trusted.overlay.opaque or
 * user.overlay.opaque = "y") gets ".wh..wh..opq". Regular files, directories,
 * symlinks (never followed), FIFOs and devices are written with their mode,
 * owner and mtime; a hard-linked file is written once per name. Every
 * directory and file is opened with O_NOFOLLOW beneath its parent's fd.
 *
 * The tar is not the layer's original stream (that is gone with the blob):
 * its digest cannot match the image's diff_id, and the caller says so. */
#ifndef HH_SNAPSHOT_TAR_H
#define HH_SNAPSHOT_TAR_H

#include <stddef.h>
#include <stdint.h>

#include "sources/image/layout_writer.h"

struct hh_snapshot_limits {
	uint64_t max_bytes;   /* the tar's size */
	uint64_t max_entries; /* entries written */
	int max_depth;        /* directory nesting */
};

/* Writes dir as a layer tar into a new blob of l. Returns 0 with the blob's
 * "sha256:<hex>" in digest and its length in *size, or -1 with err naming the
 * path at fault (a limit hit is an error: a cut layer is not scanned as if whole). */
int hh_snapshot_tar(const char *dir, const struct hh_snapshot_limits *lim, const struct hh_layout *l, char *digest,
		    size_t dlen, uint64_t *size, char *err, size_t errlen);

#endif
