/* Checks an image config document (OCI/Docker config JSON): entrypoint, cmd,
 * env, labels and build history for miner indicators and droppers; exposed
 * pool ports; the user as context (root raises the stakes). */
#ifndef HH_IMAGE_CONFIG_CHECK_H
#define HH_IMAGE_CONFIG_CHECK_H

#include <jansson.h>

#include "core/finding.h"

/* member: where the config came from (for file.path). Returns findings added. */
struct hh_intel;
/* intel: pool ports (may be NULL). */
size_t hh_image_config_check(const json_t *config, const char *member, const struct hh_intel *intel,
			     struct hh_findings *out);

#endif
