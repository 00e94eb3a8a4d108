/* Findings published to a NATS JetStream stream, for `hashhound fleet`.
 *
 * Each finding is one message on SUBJECT (default hashhound.findings.NODE)
 * with a message id (Nats-Msg-Id): the finding's id (a UUID), else a hash of
 * its bytes, so the server drops a duplicate sent again after a restart or a
 * reconnect (within the stream's duplicate window). Publishing happens on a thread of its own:
 * hh_nats_send never blocks. While the stream is unreachable findings wait in
 * a bounded memory queue and, past it, in an on-disk spool (bounded too;
 * beyond it they are dropped and counted); once the stream answers, they are
 * published in the order they were sent. */
#ifndef HH_SINKS_NATS_STREAM_H
#define HH_SINKS_NATS_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "core/finding.h"

struct hh_nats_opts {
	const char *servers;          /* "nats://a:4222,nats://b:4222" */
	const char *stream;           /* default HASHHOUND */
	const char *subject;          /* default hashhound.findings.<node>: NODE_NAME
				       * (the kubelet's node name), else the host name */
	int replicas;                 /* when the sink creates the stream; default 1 */
	const char *spool_path;       /* default /var/lib/hashhound/nats.spool */
	size_t spool_max_bytes;       /* default 64 MiB */
	size_t queue_max;             /* default 1024 */
	long timeout_ms;              /* per publish; default 5000 */
};

struct hh_nats_stats {
	uint64_t published, duplicates, failed_attempts, spooled, dropped;
};

struct hh_nats;

/* Starts the publisher (connection attempts go on in the background).
 * NULL with err only for a bad option or no memory. */
struct hh_nats *hh_nats_start(const struct hh_nats_opts *opts, char *err, size_t errlen);
/* Queues a copy of f; never blocks. */
void hh_nats_send(struct hh_nats *n, const struct hh_finding *f);
void hh_nats_get_stats(struct hh_nats *n, struct hh_nats_stats *out);
/* Publishes what is queued for up to drain_ms, spools the rest, stops. */
void hh_nats_stop(struct hh_nats *n, long drain_ms);

/* The message id of a finding's JSON text: 32 hex digits of its SHA-256. */
void hh_nats_msg_id(const char *json, size_t len, char out[33]);

/* Creates the stream (subjects hashhound.>) when it does not exist.
 * 0, or -1 with err. Used by the publisher and by `hashhound fleet`. */
struct __jsCtx;
int hh_nats_ensure_stream(struct __jsCtx *js, const char *stream, int replicas, char *err, size_t errlen);

#endif
