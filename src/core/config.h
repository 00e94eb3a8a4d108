/* Configuration: the embedded defaults (config/hashhound.yaml, compiled in)
 * deep-merged with the user's YAML file, plus per-workload overrides.
 *
 * Keys are dotted paths ("behavior.plateau.window_s"). Overrides apply to
 * workloads that match every criterion given (globs):
 *   overrides:
 *     - match: { namespace: "batch-*", image: "registry.local/encoder*", labels: { team: video } }
 *       set:   { behavior.sustained.min_usage: 0.99 }
 * Later overrides win. So rules tuned for one tenant never flood another. */
#ifndef HH_CONFIG_H
#define HH_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/workload.h"

struct hh_config {
	json_t *root;        /* merged document; owned */
	char source[256];    /* file loaded, or "built-in defaults" */
};

/* Loads defaults, then path when not NULL, checked against the defaults'
 * schema (core/config_check.h: unknown keys, types, ranges, overrides).
 * Returns 0, or -1 with err holding one "FILE:LINE:COL: problem" a line (as
 * many as fit, then "(N more)"); cfg then holds the defaults alone. */
int hh_config_load(struct hh_config *cfg, const char *path, char *err, size_t errlen);
void hh_config_free(struct hh_config *cfg);

/* The embedded default configuration text. */
const char *hh_config_default_text(void);

/* Value of key for workload w (NULL: no overrides), or NULL when unset. */
const json_t *hh_config_get(const struct hh_config *cfg, const struct hh_workload *w, const char *key);
double hh_config_num(const struct hh_config *cfg, const struct hh_workload *w, const char *key, double def);
long long hh_config_int(const struct hh_config *cfg, const struct hh_workload *w, const char *key, long long def);
bool hh_config_bool(const struct hh_config *cfg, const struct hh_workload *w, const char *key, bool def);
const char *hh_config_str(const struct hh_config *cfg, const struct hh_workload *w, const char *key, const char *def);

#endif
