/* Walks a directory (a root filesystem, a web bundle) like a layer: every
 * regular file's content (bounded by scan.max_file_bytes) goes to the same
 * callback as archive entries; archives inside are opened (scan.max_depth).
 * Symlinks are reported, never followed; FIFOs, sockets and devices are not
 * opened. Recursion is bounded by scan.max_dir_depth and scan.max_entries. */
#ifndef HH_DIR_WALK_H
#define HH_DIR_WALK_H

#include "sources/image/layer_walk.h"

/* Returns the number of errors reported. */
int hh_walk_dir(const char *root, const struct hh_scan_limits *lim, struct hh_walk_budget *b,
		const struct hh_walk_cb *cb);

/* Scans one file (path) as a single entry named name. */
int hh_walk_file(const char *path, const char *name, const struct hh_scan_limits *lim, struct hh_walk_budget *b,
		 const struct hh_walk_cb *cb);

#endif
