/* Finding outputs for the command line: JSON lines, a table for people,
 * SARIF 2.1.0 (scan, check), JUnit XML, a standalone HTML report. JSON lines
 * and table stream; the others are written whole at hh_output_close() (SARIF
 * is valid with zero findings). */
#ifndef HH_OUTPUT_H
#define HH_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/finding.h"

enum hh_format { HH_FMT_JSON, HH_FMT_TABLE, HH_FMT_SARIF, HH_FMT_JUNIT, HH_FMT_HTML, HH_FMT_FALCO };

#define HH_FMT_BIT(f) (1u << (f))
#define HH_FMTS_ALL (HH_FMT_BIT(HH_FMT_JSON) | HH_FMT_BIT(HH_FMT_TABLE) | HH_FMT_BIT(HH_FMT_SARIF) | \
		     HH_FMT_BIT(HH_FMT_JUNIT) | HH_FMT_BIT(HH_FMT_HTML) | HH_FMT_BIT(HH_FMT_FALCO))

/* "json" (or "jsonl"), "table", "sarif", "junit", "html", "falco". Returns false when unknown. */
bool hh_format_parse(const char *name, enum hh_format *out);
/* The names of the formats in mask (HH_FMT_BIT), ", "-separated, in the
 * order above, into buf: the one list both parsing and help text use. */
void hh_format_names(unsigned mask, char *buf, size_t len);

struct hh_output;

/* fp stays owned by the caller. tool_command names the subcommand in SARIF. */
struct hh_output *hh_output_open(enum hh_format fmt, FILE *fp, const char *tool_command);
void hh_output_emit(struct hh_output *out, const struct hh_finding *f);
/* JUnit only: what the command judged, for passing testcases (junit.h).
 * Borrowed until hh_output_close(). */
struct hh_junit_subject;
void hh_output_set_subjects(struct hh_output *out, const struct hh_junit_subject *s, size_t n);
/* Flushes buffered formats and frees out. */
void hh_output_close(struct hh_output *out);

/* The table's WHERE: namespace/kind/name, path:line, namespace/Pod/name
 * (container), else the container, peer, executable or layer; "-" when none. */
void hh_output_where(const struct hh_finding *f, char *buf, size_t len);
/* A number rounded for people (the JSON keeps full precision). */
void hh_output_round(double x, char *buf, size_t len);

/* Writes one finding as one JSON line (no trailing output buffering). */
void hh_output_json_line(FILE *fp, const struct hh_finding *f);

#endif
