/* Webhook sink for SIEM/SOAR: each finding is POSTed as one JSON object
 * (Content-Type: application/json) from a background thread. Failed
 * deliveries go to a spool file (bounded in bytes, oldest kept) and are
 * retried with exponential backoff, also after a restart; nothing blocks the
 * agent's detection loop, and a dead endpoint cannot exhaust memory. */
#ifndef HH_WEBHOOK_H
#define HH_WEBHOOK_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/finding.h"

struct hh_webhook_opts {
	const char *url;
	const char *spool_path;       /* default /var/lib/hashhound/webhook.spool */
	size_t spool_max_bytes;       /* default 64 MiB; findings beyond are dropped and counted */
	size_t queue_max;             /* in-memory queue; default 1024 */
	long timeout_ms;              /* per request; default 5000 */
	const char *auth_header;      /* e.g. "Authorization: Bearer ..."; may be NULL */
	bool falco_format;            /* body in Falco's JSON output shape (falcosidekick) */
};

struct hh_webhook_stats {
	uint64_t sent, failed_attempts, spooled, dropped;
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
