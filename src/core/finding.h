/* The finding model: one shape for every detector (docs/findings.md).
 *
 * A finding owns its fields and evidence (jansson values). Detectors create
 * one with hh_finding_new(), decorate it, and hand it to a sink or a list,
 * which then owns it. All strings passed in are copied. */
#ifndef HH_FINDING_H
#define HH_FINDING_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/workload.h"

/* JSON dump flags for everything hashhound writes: reals with 15 significant
 * digits, so 0.95 prints as 0.95 and not 0.94999999999999996. */
#define HH_JSON_REALS JSON_REAL_PRECISION(15)
#define HH_JSON_COMPACT (JSON_COMPACT | HH_JSON_REALS)

enum hh_severity {
	HH_SEV_INFO = 0,
	HH_SEV_LOW,
	HH_SEV_MEDIUM,
	HH_SEV_HIGH,
	HH_SEV_CRITICAL,
};

#define HH_MAX_MITRE 8

#define HH_FINDING_ID_LEN 37  /* a UUID in text, 36 chars + NUL */

struct hh_finding {
	char id[HH_FINDING_ID_LEN];  /* random UUID (v4), set once at creation; kept by
					clone, JSON, store and spool (docs/findings.md) */
	double time;                 /* seconds since the epoch, UTC */
	char source[16];             /* agent|scan|pcap|check|audit|drill */
	char rule[96];               /* stable id, e.g. "miner.stratum-url" */
	char *title;                 /* owned */
	enum hh_severity severity;
	double confidence;           /* 0..1 */
	char mitre[HH_MAX_MITRE][16];
	size_t n_mitre;
	json_t *fields;              /* object, Falco-style names; owned */
	json_t *evidence;            /* array of {what, value}; owned */
};

/* Returns NULL only on allocation failure. time is set to now, id to a new
 * random UUID. */
struct hh_finding *hh_finding_new(const char *source, const char *rule, const char *title,
				  enum hh_severity severity, double confidence);
void hh_finding_free(struct hh_finding *f);
struct hh_finding *hh_finding_clone(const struct hh_finding *f);

void hh_finding_add_mitre(struct hh_finding *f, const char *technique);

/* Fields: Falco-style names (container.id, proc.cmdline, fd.sip ...). */
void hh_finding_set_str(struct hh_finding *f, const char *field, const char *value);
void hh_finding_set_int(struct hh_finding *f, const char *field, long long value);
void hh_finding_set_real(struct hh_finding *f, const char *field, double value);
/* Sets container.* and k8s.* fields from a workload (empty values skipped). */
void hh_finding_set_workload(struct hh_finding *f, const struct hh_workload *w);

/* Evidence: what was seen and the value that triggered it. */
void hh_finding_evidence_str(struct hh_finding *f, const char *what, const char *value);
void hh_finding_evidence_num(struct hh_finding *f, const char *what, double value);
void hh_finding_evidencef(struct hh_finding *f, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sets the severity and says why in the "severity" evidence entry (one per
 * finding: a later reason is appended to it, "lowered to low: ..." when the
 * severity changes). Every detector that judges severity from evidence says
 * why this way. */
void hh_finding_set_severity(struct hh_finding *f, enum hh_severity sev, const char *why);

/* Serializes to one JSON object (the output contract). Caller frees with json_decref. */
json_t *hh_finding_to_json(const struct hh_finding *f);
/* Parses a finding from the JSON form (store, report). NULL when malformed. */
struct hh_finding *hh_finding_from_json(const json_t *obj);

const char *hh_severity_name(enum hh_severity s);
/* Parses "info".."critical" (case-insensitive). Returns false when unknown. */
bool hh_severity_parse(const char *name, enum hh_severity *out);

/* RFC 3339 UTC with milliseconds: "2026-11-22T03:10:00.123Z". buf >= 32 bytes. */
void hh_format_time(double t, char *buf, size_t n);
double hh_now(void);
/* Seconds on the monotonic clock (for intervals; not a wall time). */
double hh_mono(void);

/* A growable list of findings; owns them. */
struct hh_findings {
	struct hh_finding **items;
	size_t n, cap;
};
void hh_findings_push(struct hh_findings *list, struct hh_finding *f); /* takes ownership */
void hh_findings_clear(struct hh_findings *list);
enum hh_severity hh_findings_max_severity(const struct hh_findings *list);

#endif
