/* The image scanner's driver: opens a target (image archive, OCI layout,
 * root filesystem, directory or file; image_source.h), walks each layer in
 * order with the streaming walker, runs the content checks on every file,
 * checks the image config, and decides for every finding whether its file
 * is visible in the merged filesystem or hidden by a later layer (whiteout,
 * opaque directory, replacement): hidden payloads keep their content finding
 * (fields image.layer, image.hidden_in_layers) and get a scan.hidden-in-layers
 * finding of their own. Input problems are counted and logged on stderr
 * naming the target, the layer and the entry; the scan goes on. */
#ifndef HH_IMAGE_SCAN_H
#define HH_IMAGE_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "core/finding.h"
#include "detectors/content/content_scan.h"
#include "sources/image/image_source.h"

struct hh_scan_result {
	struct hh_findings findings;    /* owned; free with hh_findings_clear */
	size_t errors;                  /* input errors (exit 2 when nothing at --fail-on) */
	size_t files, layers;
	uint64_t bytes;                 /* decompressed bytes read */
	enum hh_target_kind kind;
};

/* Returns 0 when the target was opened (errors may still be > 0), -1 when
 * it could not be opened at all (errors counted, message logged). */
int hh_scan_target(const char *target, struct hh_content *content, const struct hh_scan_limits *lim,
		   struct hh_scan_result *res);

#endif
