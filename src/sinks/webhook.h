/* Webhook sink for SIEM/SOAR: each finding is POSTed as one JSON object
 * (Content-Type: application/json, Idempotency-Key: the finding's id: "id" of
 * our JSON, "uuid" of the Falco shape) from a
 * background thread, in the order sent.
 *
 * Answers are classified: 2xx delivered; connection errors, timeouts, 408,
 * 429 and 5xx are retried with exponential backoff (0.5 s doubling to 60 s),
 * the finding kept at the head of the spool file (bounded in bytes) so later
 * ones wait behind it and the order holds, also across a restart; any other
 * answer (3xx, 4xx) means the receiver will never take it: it goes to the
 * dead-letter file with the status and the start of the answer, and delivery
 * goes on. No lock the sender takes is held during a POST, so nothing blocks
 * the agent's detection loop, and a dead endpoint cannot exhaust memory.
 * A restart during a spool flush may resend findings already delivered (at
 * most 32 per flush): receivers de-duplicate them by the Idempotency-Key. */
#ifndef HH_WEBHOOK_H
#define HH_WEBHOOK_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/finding.h"
#include "sinks/metrics.h"

struct hh_webhook_opts {
	const char *url;
	const char *spool_path;       /* default /var/lib/hashhound/webhook.spool */
	size_t spool_max_bytes;       /* default 64 MiB; findings beyond are dropped and counted */
	size_t queue_max;             /* in-memory queue; default 1024 */
	long timeout_ms;              /* per request; default 5000 */
	const char *auth_header;      /* e.g. "Authorization: Bearer ..."; may be NULL */
	const char *dead_letter_path; /* default "<spool_path>.dead"; bounded like the spool */
	struct hh_metrics *metrics;   /* may be NULL: hashhound_webhook_deliveries_total{result} */
	bool falco_format;            /* body in Falco's JSON output shape (falcosidekick), with
					 the finding's id as "uuid" (as Falco writes its own) */
};

struct hh_webhook_stats {
	uint64_t sent;            /* delivered (2xx) */
	uint64_t failed_attempts; /* retryable failures (the finding is kept) */
	uint64_t spooled;         /* written to the spool */
	uint64_t dead_lettered;   /* refused for good, in the dead-letter file */
	uint64_t dropped;         /* lost: a file over its bound or unwritable */
};

struct hh_webhook;

struct hh_webhook *hh_webhook_start(const struct hh_webhook_opts *opts, char *err, size_t errlen);
/* Queues a copy of f; never blocks. */
void hh_webhook_send(struct hh_webhook *w, const struct hh_finding *f);
void hh_webhook_get_stats(struct hh_webhook *w, struct hh_webhook_stats *out);
/* Findings waiting in memory, and the spool file's size in bytes (0: none). */
void hh_webhook_backlog(struct hh_webhook *w, size_t *queued, uint64_t *spool_bytes);
/* Tries to deliver what is queued for up to drain_ms, spools the rest, stops. */
void hh_webhook_stop(struct hh_webhook *w, long drain_ms);

#endif
