/* JUnit XML for CI systems that show test reports: one testcase per finding,
 * failed when the finding is at medium severity or above. */
#ifndef HH_JUNIT_H
#define HH_JUNIT_H

#include <stdio.h>

#include "core/finding.h"

void hh_junit_write(FILE *fp, const char *command, const struct hh_findings *list);

#endif
