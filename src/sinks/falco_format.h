/* Findings in Falco's JSON output shape (json_output: true), so that
 * falcosidekick and SIEM parsers built for Falco take them unchanged:
 *   {"hostname", "output", "priority", "rule", "source", "tags", "time",
 *    "output_fields"}
 * docs/outputs.md gives the mapping. */
#ifndef HH_SINKS_FALCO_FORMAT_H
#define HH_SINKS_FALCO_FORMAT_H

#include <jansson.h>

#include "core/finding.h"

/* Falco's priority name for a severity: Critical, Error, Warning, Notice,
 * Informational. */
const char *hh_falco_priority(enum hh_severity s);
/* A new JSON object (caller owns it); NULL only on allocation failure. */
json_t *hh_finding_to_falco_json(const struct hh_finding *f);

#endif
