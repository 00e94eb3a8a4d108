/* Checks a user configuration against the schema the built-in defaults
 * define (config/hashhound.yaml): every key the user sets must exist there,
 * have the default's type (a number where the default is a number, an integer
 * where the default is an integer except for seconds and ratios, a list of
 * the default's element type) and lie in its range (no key takes a negative
 * number; fractions lie in 0..1; a few keys have tighter bounds or a fixed
 * set of words). Per-workload overrides are checked the same way: their match
 * criteria and every key they set. Each problem names FILE:LINE:COL. */
#ifndef HH_CONFIG_CHECK_H
#define HH_CONFIG_CHECK_H

#include <jansson.h>
#include <stddef.h>

#include "core/yaml_doc.h"

#define HH_CONFIG_MAX_PROBLEMS 32

struct hh_config_problems {
	char text[HH_CONFIG_MAX_PROBLEMS][320]; /* "FILE:LINE:COL: problem" */
	size_t n;                               /* kept (at most HH_CONFIG_MAX_PROBLEMS) */
	size_t total;                           /* found */
};

/* Checks user (the first document of docs, loaded from name with
 * key_positions) against defaults. Returns the number of problems found. */
size_t hh_config_check(const json_t *defaults, const json_t *user, const struct hh_yaml_docs *docs,
		       const char *name, struct hh_config_problems *out);

#endif
