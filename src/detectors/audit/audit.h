/* Kubernetes audit log analysis (`hashhound audit-log`).
 *
 * Reads audit.k8s.io v1 and v1beta1 events: one per line (the log backend),
 * pretty-printed or concatenated JSON, an EventList, or a JSON array. Missing
 * optional fields are fine; a JSON value that is not an event is skipped with
 * a warning; malformed JSON is an input error naming the line, after which
 * reading resumes at the next line.
 *
 * Rules (ids audit.*) cover Falco's k8saudit rules relevant to cryptojacking,
 * judging pod specs with the posture controls, plus correlation across events
 * with bounded (LRU) state: the real actor behind controller-created pods
 * (Deployment -> ReplicaSet -> Pod, CronJob -> Job -> Pod), and anonymous
 * access followed by a workload creation or exec from the same source. */
#ifndef HH_AUDIT_H
#define HH_AUDIT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "core/config.h"
#include "detectors/posture/posture.h"

struct hh_audit;

struct hh_audit_stats {
	size_t values;      /* top-level JSON values read */
	size_t events;      /* audit events judged */
	size_t skipped;     /* values that were not events, duplicate stages */
	size_t errors;      /* malformed input (each named on stderr) */
	size_t findings;
	size_t evictions;   /* LRU state evictions */
};

/* sink receives every finding (ownership passes). NULL with err on bad config. */
struct hh_audit *hh_audit_new(const struct hh_config *cfg, hh_posture_sink sink, void *user,
			      char *err, size_t errlen);
void hh_audit_free(struct hh_audit *a);

/* Judges one event; name/line say where it came from (for messages). */
void hh_audit_event(struct hh_audit *a, const json_t *ev, const char *name, unsigned line);

/* Streams a whole input through the reader. Returns the number of input errors. */
size_t hh_audit_read_file(struct hh_audit *a, FILE *fp, const char *name);
size_t hh_audit_read_buf(struct hh_audit *a, const char *buf, size_t len, const char *name);

void hh_audit_stats(const struct hh_audit *a, struct hh_audit_stats *out);

#endif
