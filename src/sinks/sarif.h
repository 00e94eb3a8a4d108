/* SARIF 2.1.0 log for scan and check. Locations come from the finding fields
 * "file.path" (artifact uri) and "file.line" (region start line). */
#ifndef HH_SARIF_H
#define HH_SARIF_H

#include <stdio.h>

#include "core/finding.h"

void hh_sarif_write(FILE *fp, const char *command, const struct hh_findings *list);

#endif
