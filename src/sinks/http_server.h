/* The agent's local HTTP endpoint (libmicrohttpd, its own thread):
 *   /               the dashboard (web/dashboard.html, compiled in)
 *   /api/findings   stored findings as JSON: ?min_severity=&container=&rule=&since=&limit=
 *   /api/summary    counts by severity and agent status
 *   /incidents      incidents: the list, each incident's page and its
 *                   post-incident report (sinks/http_incidents.h)
 *   /metrics        Prometheus exposition
 *   /healthz        "ok" (never asks for the token: liveness probes)
 *   POST /audit     a Kubernetes audit webhook (the EventList the API server
 *                   posts), when a handler is set (hh_http_set_audit): 200
 *                   once handed over, 413 over HH_HTTP_POST_MAX, 503 when the
 *                   handler cannot take it now, 404 when none is set
 * Binds to loopback by default: findings name workloads and must not leak.
 * With a token every other path answers 401 unless the request carries
 * "Authorization: Bearer TOKEN" (sinks/http_auth.h). */
#ifndef HH_HTTP_SERVER_H
#define HH_HTTP_SERVER_H

#include "core/config.h"
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

#define HH_HTTP_POST_MAX (16u << 20)

/* Receives one POST body on the server's thread (calls are serialized).
 * Returns 0 when taken, -1 when it cannot take it now (err says why: 503). */
typedef int (*hh_http_post_cb)(void *user, const char *body, size_t len, char *err, size_t errlen);
/* Sets the POST /audit handler (NULL: none). Call before requests arrive. */
void hh_http_set_audit(struct hh_http *h, hh_http_post_cb cb, void *user);

/* The configuration the incident pages price and read evidence by (bill.*,
 * response.evidence_dir); borrowed, must outlive the server; NULL: the
 * built-in defaults. Call once, right after start. */
void hh_http_set_config(struct hh_http *h, const struct hh_config *cfg);

/* The port actually bound. */
int hh_http_port(const struct hh_http *h);
void hh_http_stop(struct hh_http *h);

#endif
