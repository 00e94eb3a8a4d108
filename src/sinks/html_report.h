/* A standalone HTML report (no scripts, no external resources) of a set of
 * findings, for incident notes and tickets: `--format html`. */
#ifndef HH_HTML_REPORT_H
#define HH_HTML_REPORT_H

#include <stdio.h>

#include "core/finding.h"

void hh_html_report_write(FILE *fp, const char *command, const struct hh_findings *list);

#endif
