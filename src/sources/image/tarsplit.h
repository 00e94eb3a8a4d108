/* A layer's original tar stream rebuilt from its tar-split record, as
 * containers-storage (overlay-layers/ID.tar-split.gz) and Docker's layer store
 * (layerdb/sha256/CHAINID/tar-split.json.gz) both keep it: one JSON object a
 * line, type 2 carrying raw tar bytes (headers, padding) in base64 and type 1
 * naming a file whose size bytes come from the extracted layer directory.
 * Files are opened beneath that directory only (openat2 RESOLVE_BENEATH, no
 * symlinks at all), so a hostile record cannot read outside it. */
#ifndef HH_TARSPLIT_H
#define HH_TARSPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "sources/image/layout_writer.h"

/* Rebuilds the stream described by split_path (gzip) from the files under
 * files_dir into a new blob of layout l (at most max_bytes). Returns 0 with
 * the blob's "sha256:<hex>" in digest and its length in *size, or -1 with err
 * (the record number or file at fault). The caller checks the digest. */
int hh_tarsplit_rebuild(const char *split_path, const char *files_dir, uint64_t max_bytes,
			const struct hh_layout *l, char *digest, size_t dlen, uint64_t *size, char *err, size_t errlen);

#endif
