/* Images by name from containerd's own store, read in place: no daemon call,
 * no `ctr export`. The name -> image record is in the metadata BoltDB
 * (ROOT/io.containerd.metadata.v1.bolt/meta.db, read with boltdb.h): bucket
 * v1 / NAMESPACE / images / NAME / target, keys digest and mediatype. The
 * target and everything it names are content blobs
 * (ROOT/io.containerd.content.v1.content/blobs/sha256/HEX): an index is
 * followed to the manifest of one platform (--platform, else this host's),
 * the manifest to its config and layers, each copied into a temporary OCI
 * layout (layout_writer.h) with its SHA-256 checked while copied. A mismatch
 * is an input error (counted and logged; the blob is scanned as it is on
 * disk, like cstorage.h).
 *
 * A layer blob that is absent (containerd's discard_unpacked_layers keeps
 * only the unpacked snapshot) is read from its overlayfs snapshot instead:
 * the layer's chain id (from the config's rootfs.diff_ids) names the snapshot
 * in meta.db (v1 / NS / snapshots / overlayfs / CHAINID / name), the
 * snapshotter's own BoltDB (io.containerd.snapshotter.v1.overlayfs/metadata.db:
 * v1 / snapshots / NAME / id, a uvarint, and kind, committed) gives its
 * directory (snapshots/ID/fs), and snapshot_tar.h writes it as a tar layer.
 * Its digest cannot be checked (the original stream is gone): said on stderr
 * at info level. A layer found neither way, or kept by another snapshotter,
 * is an error naming the layer. */
#ifndef HH_CONTAINERD_H
#define HH_CONTAINERD_H

#include <stddef.h>
#include <stdint.h>

#include "sources/image/layout_writer.h"

/* scan.containerd_root when set (cfg_root), else /var/lib/containerd. */
void hh_containerd_root(const char *cfg_root, char *out, size_t n);

struct hh_containerd_opts {
	const char *ns;        /* scan.containerd_namespace; NULL or "": k8s.io, moby, default, then the rest */
	const char *platform;  /* --platform "os/arch[/variant]", NULL: this host's */
	uint64_t max_bytes;    /* each layer */
	uint64_t max_json;     /* index, manifest */
	uint64_t max_entries;  /* entries of a layer read from a snapshot */
	int max_dir_depth;     /* and its directory nesting */
};

/* Finds the image named name (as containerd records it, e.g.
 * "docker.io/library/busybox:latest") and writes it into a new layout (out).
 * Returns 0 when written (*errors counts digest mismatches, each logged; where
 * says "NAME in namespace NS"), 1 when the store has no such image (or there is no
 * meta.db under root), -1 on an error (err names the file, page or blob). */
int hh_containerd_export(const char *root, const char *name, const struct hh_containerd_opts *o,
			 struct hh_layout *out, size_t *errors, char *where, size_t wlen, char *err, size_t errlen);

#endif
