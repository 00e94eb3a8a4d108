/* SARIF 2.1.0 log for scan, check and report. Locations come from the
 * finding fields "file.path" (artifact uri) and "file.line" (region start
 * line). Each rule carries help (why it matters: the posture control's why,
 * else the title) and a helpUri to its documentation page; each result's
 * message names the object (namespace/kind/name, file:line or container). */
#ifndef HH_SARIF_H
#define HH_SARIF_H

#include <stdio.h>

#include "core/finding.h"

void hh_sarif_write(FILE *fp, const char *command, const struct hh_findings *list);

#endif
