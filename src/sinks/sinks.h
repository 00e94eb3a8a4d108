/* The agent's fan-out of findings: stdout (JSON lines or table), an
 * append-only JSON-lines file, the SQLite store, Prometheus counters, syslog,
 * a webhook (spooled, retried), and the local HTTP endpoint (dashboard, API, /metrics). Each is optional
 * and configured under `sinks:` in the configuration. */
#ifndef HH_SINKS_H
#define HH_SINKS_H

#include <stdbool.h>
#include <stdio.h>

#include "core/config.h"
#include "core/finding.h"
#include "sinks/http_server.h"
#include "sinks/metrics.h"
#include "sinks/nats_stream.h"
#include "sinks/output.h"
#include "sinks/store.h"
#include "sinks/webhook.h"

struct hh_sinks_opts {
	enum hh_format stdout_format;   /* HH_FMT_JSON or HH_FMT_TABLE */
	bool stdout_enabled;
	const char *findings_file;      /* NULL: sinks.file.path from config ("" disables) */
	const char *store_path;         /* NULL: sinks.store.path from config ("" disables) */
	const char *listen;             /* NULL: sinks.http.listen from config ("" disables) */
};

struct hh_sinks {
	struct hh_output *out;
	FILE *file;
	struct hh_store *store;
	struct hh_metrics *metrics;
	struct hh_http *http;
	struct hh_webhook *webhook;
	struct hh_nats *nats;
	bool syslog;
	enum hh_severity min_severity;  /* findings below are counted, not written */
};

/* Opens what is configured. A sink that cannot open is logged and skipped
 * (the agent keeps running); returns the number of sinks open. */
int hh_sinks_open(struct hh_sinks *s, const struct hh_config *cfg, const struct hh_sinks_opts *opts);
void hh_sinks_emit(struct hh_sinks *s, const struct hh_finding *f);
void hh_sinks_close(struct hh_sinks *s);
/* Sets the sinks' backlog gauges in s->metrics (sinks_health.c): findings
 * queued in memory and spool bytes, per sink that has them. */
void hh_sinks_export_metrics(struct hh_sinks *s);

/* Creates the parent directory of path (one level, mode 0750) when missing. */
int hh_ensure_parent_dir(const char *path);

#endif
