/* The agent's local HTTP endpoint (libmicrohttpd, its own thread):
 *   /               the dashboard (web/dashboard.html, compiled in)
 *   /api/findings   stored findings as JSON: ?min_severity=&container=&rule=&since=&limit=
 *   /api/summary    counts by severity and agent status
 *   /metrics        Prometheus exposition
 *   /healthz        "ok" (never asks for the token: liveness probes)
 * Binds to loopback by default: findings name workloads and must not leak.
 * With a token every other path answers 401 unless the request carries
 * "Authorization: Bearer TOKEN" (sinks/http_auth.h). */
#ifndef HH_HTTP_SERVER_H
#define HH_HTTP_SERVER_H

#include "sinks/metrics.h"
#include "sinks/store.h"

struct hh_http;

/* listen: "127.0.0.1:9321" or "[::1]:9321"; port 0 picks a free one.
 * store and metrics may be NULL (their endpoints then answer 503) and must
 * outlive the server. Returns NULL with err when the address cannot be bound. */
struct hh_http *hh_http_start(const char *listen, struct hh_store *store, struct hh_metrics *metrics,
			      char *err, size_t errlen);
/* Same, asking every request but /healthz for token (NULL or "": none). */
struct hh_http *hh_http_start_auth(const char *listen, const char *token, struct hh_store *store,
				   struct hh_metrics *metrics, char *err, size_t errlen);
/* Requests whose Host header names neither the listen address, 127.0.0.1,
 * localhost nor [::1] at the bound port (nor any IP address when listening
 * on 0.0.0.0 or [::]) are answered 421: DNS rebinding guard. list (a JSON
 * array of strings, sinks.http.allowed_hosts) adds names: "name" at the bound
 * port, "name:port" exactly, "*" any Host. Call once, right after start. */
int hh_http_allow_hosts(struct hh_http *h, const json_t *list);
/* The port actually bound. */
int hh_http_port(const struct hh_http *h);
void hh_http_stop(struct hh_http *h);

#endif
