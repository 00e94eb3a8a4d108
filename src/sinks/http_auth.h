/* Bearer-token access to the agent's HTTP endpoint. On loopback the endpoint
 * is open (only this node can reach it). Beyond loopback (a DaemonSet scraped
 * by Prometheus) every request but /healthz must carry
 * "Authorization: Bearer TOKEN", the token read from sinks.http.token_file
 * (a Kubernetes Secret mounted as a file); without a token file such an
 * address is refused. */
#ifndef HH_HTTP_AUTH_H
#define HH_HTTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#define HH_HTTP_TOKEN_MAX 512

/* True when listen ("HOST:PORT", "[V6]:PORT") binds only a loopback address
 * (127.0.0.0/8, ::1, "localhost"). */
bool hh_http_listen_is_loopback(const char *listen);

/* Reads the token from path: one line, surrounding whitespace removed, 16 to
 * HH_HTTP_TOKEN_MAX-1 printable characters. Returns 0, or -1 with err naming
 * the file and the problem. */
int hh_http_token_read(const char *path, char *tok, size_t n, char *err, size_t errlen);

/* Whether the Authorization header value carries the token (constant time
 * in the header's length). An empty token accepts everything. */
bool hh_http_token_ok(const char *token, const char *authorization);

#endif
