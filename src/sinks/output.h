/* Finding outputs for the command line: JSON lines, a table for people,
 * SARIF 2.1.0 (scan, check), JUnit XML, a standalone HTML report. JSON lines
 * and table stream; the others are written whole at hh_output_close() (SARIF
 * is valid with zero findings). */
#ifndef HH_OUTPUT_H
#define HH_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/finding.h"

enum hh_format { HH_FMT_JSON, HH_FMT_TABLE, HH_FMT_SARIF, HH_FMT_JUNIT, HH_FMT_HTML, HH_FMT_FALCO };

/* "json", "table", "sarif", "junit", "html". Returns false when unknown. */
bool hh_format_parse(const char *name, enum hh_format *out);

struct hh_output;

/* fp stays owned by the caller. tool_command names the subcommand in SARIF. */
struct hh_output *hh_output_open(enum hh_format fmt, FILE *fp, const char *tool_command);
void hh_output_emit(struct hh_output *out, const struct hh_finding *f);
/* Flushes buffered formats and frees out. */
void hh_output_close(struct hh_output *out);

/* Writes one finding as one JSON line (no trailing output buffering). */
void hh_output_json_line(FILE *fp, const struct hh_finding *f);

#endif
