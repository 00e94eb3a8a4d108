#include "sinks/http_server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "embed/web_dashboard_html.h"
#include "sinks/fleet_view.h"
#include "sinks/http_auth.h"
#include "sinks/http_incidents.h"
#include "sinks/http_query.h"

#define HTTP_MAX_ALLOWED_HOSTS 32

/* Host names allowed beside the defaults (sinks.http.allowed_hosts). */
struct allowed_hosts {
	size_t n;
	bool any;                                 /* "*" listed */
	char name[HTTP_MAX_ALLOWED_HOSTS][256];   /* lower case, "name" or "name:port" */
};

struct hh_http {
	struct MHD_Daemon *daemon;
	struct hh_store *store;
	struct hh_metrics *metrics;
	const struct hh_config *cfg;              /* bill prices, evidence dir (hh_http_set_config) */
	struct hh_config defaults;                /* used until then */
	int port;
	char token[HH_HTTP_TOKEN_MAX]; /* "": no token asked */
	char listen_host[128];                    /* the listen address's host, lower case, [v6] bracketed */
	bool listen_any;                          /* 0.0.0.0 or [::]: every node address */
	_Atomic(struct allowed_hosts *) allowed;  /* set once after start; NULL: defaults only */
	pthread_mutex_t audit_mu;       /* guards audit_cb / audit_user against hh_http_set_audit */
	hh_http_post_cb audit_cb;
	void *audit_user;
};

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *type,
			     char *body, size_t len, enum MHD_ResponseMemoryMode mode);
static enum MHD_Result reply_static(struct MHD_Connection *conn, unsigned status, const char *type,
				    const char *body);

/* A POST body being received (per connection). */
struct post_body {
	char *data;
	size_t len, cap;
	bool too_big;
};

void hh_http_set_audit(struct hh_http *h, hh_http_post_cb cb, void *user)
{
	pthread_mutex_lock(&h->audit_mu);
	h->audit_cb = cb;
	h->audit_user = user;
	pthread_mutex_unlock(&h->audit_mu);
}

static void request_done(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)conn, (void)toe;
	struct post_body *b = *con_cls;
	if (b) {
		free(b->data);
		free(b);
		*con_cls = NULL;
	}
}

static enum MHD_Result post_audit(struct hh_http *h, struct MHD_Connection *conn, const char *upload_data,
				  size_t *upload_size, void **con_cls)
{
	struct post_body *b = *con_cls;
	if (!b) { /* first call: headers only */
		if (!(b = calloc(1, sizeof(*b))))
			return MHD_NO;
		*con_cls = b;
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (b->too_big || b->len + n > HH_HTTP_POST_MAX) {
			b->too_big = true;
			return MHD_YES;
		}
		if (b->len + n + 1 > b->cap) {
			size_t cap = b->cap ? b->cap : 65536;
			while (cap < b->len + n + 1)
				cap *= 2;
			char *d = realloc(b->data, cap);
			if (!d) {
				b->too_big = true;
				return MHD_YES;
			}
			b->data = d;
			b->cap = cap;
		}
		memcpy(b->data + b->len, upload_data, n);
		b->len += n;
		return MHD_YES;
	}
	if (b->too_big)
		return reply_static(conn, 413, "application/json", "{\"error\":\"body over 16 MiB\"}\n");
	char err[256] = "no audit handler any more";
	pthread_mutex_lock(&h->audit_mu);
	int rc = h->audit_cb ? h->audit_cb(h->audit_user, b->data ? b->data : "", b->len, err, sizeof(err)) : -1;
	pthread_mutex_unlock(&h->audit_mu);
	if (rc < 0) {
		json_t *doc = json_pack("{s:s}", "error", err);
		char *body = json_dumps(doc, HH_JSON_COMPACT);
		json_decref(doc);
		return body ? reply(conn, 503, "application/json", body, strlen(body), MHD_RESPMEM_MUST_FREE) : MHD_NO;
	}
	return reply_static(conn, 200, "application/json", "{}\n");
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *type,
			     char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	enum MHD_Result ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_static(struct MHD_Connection *conn, unsigned status, const char *type,
				    const char *body)
{
	return reply(conn, status, type, (char *)body, strlen(body), MHD_RESPMEM_PERSISTENT);
}

static void collect(const struct hh_finding *f, void *ctx)
{
	json_array_append_new((json_t *)ctx, hh_finding_to_json(f));
}

static enum MHD_Result query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	hh_findings_query_arg(cls, key, value);
	return MHD_YES;
}

static enum MHD_Result api_findings(struct hh_http *h, struct MHD_Connection *conn)
{
	/* Parameters as the command line means them (sinks/http_query.h). */
	struct hh_findings_query fq;
	hh_findings_query_init(&fq, hh_now());
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, query_arg, &fq);
	if (fq.error[0]) {
		json_t *e = json_pack("{s:s}", "error", fq.error);
		char *body = e ? json_dumps(e, HH_JSON_COMPACT) : NULL;
		json_decref(e);
		return body ? reply(conn, 400, "application/json", body, strlen(body), MHD_RESPMEM_MUST_FREE) : MHD_NO;
	}
	struct hh_store_query q = fq.q;
	json_t *list = json_array();
	hh_store_query(h->store, &q, collect, list);
	json_t *doc = json_pack("{s:o}", "findings", list);
	char *body = json_dumps(doc, HH_JSON_COMPACT);
	json_decref(doc);
	return body ? reply(conn, 200, "application/json", body, strlen(body), MHD_RESPMEM_MUST_FREE)
		    : MHD_NO;
}

static enum MHD_Result api_summary(struct hh_http *h, struct MHD_Connection *conn)
{
	uint64_t counts[5];
	hh_store_count_by_severity(h->store, counts);
	json_t *by = json_object();
	for (int s = 0; s < 5; s++)
		json_object_set_new(by, hh_severity_name((enum hh_severity)s), json_integer((json_int_t)counts[s]));
	json_t *doc = json_pack("{s:o, s:s}", "findings", by, "version", HH_VERSION);
	char *body = json_dumps(doc, HH_JSON_COMPACT);
	json_decref(doc);
	return body ? reply(conn, 200, "application/json", body, strlen(body), MHD_RESPMEM_MUST_FREE)
		    : MHD_NO;
}

static enum MHD_Result metrics_page(struct hh_http *h, struct MHD_Connection *conn)
{
	char *body = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&body, &len);
	if (!fp)
		return MHD_NO;
	hh_metrics_render(h->metrics, fp);
	fclose(fp);
	return reply(conn, 200, "text/plain; version=0.0.4", body, len, MHD_RESPMEM_MUST_FREE);
}

/* An IPv4 dotted quad or a bracketed IPv6 literal. */
static bool ip_literal(const char *name)
{
	unsigned char buf[sizeof(struct in6_addr)];
	size_t l = strlen(name);
	if (l > 2 && name[0] == '[' && name[l - 1] == ']' && l < 64) {
		char tmp[64];
		memcpy(tmp, name + 1, l - 2);
		tmp[l - 2] = 0;
		return inet_pton(AF_INET6, tmp, buf) == 1;
	}
	return inet_pton(AF_INET, name, buf) == 1;
}

/* DNS rebinding guard: a browser on the node that resolves an attacker's name
 * to 127.0.0.1 still sends that name as Host. Allowed: Host "NAME:PORT" (or
 * "NAME" when the port is 80) where PORT is the bound port and NAME is
 * 127.0.0.1, localhost, [::1], the listen address's host, any IP address when
 * listening on 0.0.0.0 or [::], or a name in sinks.http.allowed_hosts ("name"
 * for any port, "name:port" exactly, "*" for every Host). Requests without a
 * Host header (HTTP/1.0 tools) pass. */
static bool host_allowed(const struct hh_http *h, const char *host)
{
	if (!host)
		return true;
	char lc[300];
	size_t l = strlen(host);
	if (l == 0 || l >= sizeof(lc))
		return false;
	for (size_t i = 0; i <= l; i++)
		lc[i] = (char)tolower((unsigned char)host[i]);
	const struct allowed_hosts *a = atomic_load(&h->allowed);
	if (a && a->any)
		return true;
	for (size_t i = 0; a && i < a->n; i++)
		if (!strcmp(lc, a->name[i]))
			return true;
	/* split NAME and PORT ("[v6]:port" keeps its brackets) */
	char *colon = strrchr(lc, ':');
	const char *rb = strchr(lc, ']');
	if (colon && lc[0] == '[' && (!rb || colon < rb))
		colon = NULL; /* inside the brackets: no port */
	long port = 80;
	if (colon) {
		char *end;
		port = strtol(colon + 1, &end, 10);
		if (*end || colon[1] == 0)
			return false;
		*colon = 0;
	}
	if (port != h->port)
		return false;
	for (size_t i = 0; a && i < a->n; i++)
		if (!strcmp(lc, a->name[i]))
			return true;
	if (!strcmp(lc, "127.0.0.1") || !strcmp(lc, "localhost") || !strcmp(lc, "[::1]") ||
	    !strcmp(lc, h->listen_host))
		return true;
	return h->listen_any && ip_literal(lc);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct hh_http *h = cls;
	if (!host_allowed(h, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST)))
		return reply_static(conn, 421, "text/plain",
				    "misdirected request: Host header not allowed for this endpoint "
				    "(list it in sinks.http.allowed_hosts)\n");
	if (strcmp(method, "POST") == 0 && strcmp(url, "/audit") == 0) {
		pthread_mutex_lock(&h->audit_mu);
		bool have = h->audit_cb != NULL;
		pthread_mutex_unlock(&h->audit_mu);
		if (!have && !*con_cls)
			return reply_static(conn, 404, "text/plain", "no audit handler\n");
		return post_audit(h, conn, upload_data, upload_size, con_cls);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply_static(conn, 405, "text/plain", "method not allowed\n");
	if (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0)
		return reply_static(conn, 200, "text/html; charset=utf-8", hh_embed_web_dashboard_html);
	if (strcmp(url, "/healthz") == 0)
		return reply_static(conn, 200, "text/plain", "ok\n");
	if (h->token[0] &&
	    !hh_http_token_ok(h->token, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization"))) {
		struct MHD_Response *r = MHD_create_response_from_buffer(13, (void *)"unauthorized\n",
									 MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		MHD_add_response_header(r, "Content-Type", "text/plain");
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"hashhound\"");
		enum MHD_Result ret = MHD_queue_response(conn, 401, r);
		MHD_destroy_response(r);
		return ret;
	}
	if (strcmp(url, "/metrics") == 0)
		return h->metrics ? metrics_page(h, conn) : reply_static(conn, 503, "text/plain", "no metrics\n");
	if (strcmp(url, "/api/findings") == 0)
		return h->store ? api_findings(h, conn)
				: reply_static(conn, 503, "application/json", "{\"error\":\"no store\"}\n");
	if (hh_http_incidents_path(url))
		return h->store ? hh_http_incidents(conn, url, h->store, h->cfg)
				: reply_static(conn, 503, "text/plain", "no store\n");
	if (hh_fleet_view_path(url))
		return h->store ? hh_fleet_view(conn, url, h->store) : reply_static(conn, 503, "text/plain", "no store\n");
	if (strcmp(url, "/api/summary") == 0)
		return h->store ? api_summary(h, conn)
				: reply_static(conn, 503, "application/json", "{\"error\":\"no store\"}\n");
	return reply_static(conn, 404, "text/plain", "not found\n");
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[128];
	const char *colon = strrchr(listen, ':');
	if (!colon || (size_t)(colon - listen) >= sizeof(host))
		return -1;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[') {
		size_t hl = strlen(host);
		if (hl < 2 || host[hl - 1] != ']')
			return -1;
		host[hl - 1] = '\0';
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*a6);
		return inet_pton(AF_INET6, host + 1, &a6->sin6_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	a4->sin_family = AF_INET;
	a4->sin_port = htons((uint16_t)port);
	*sl = sizeof(*a4);
	return inet_pton(AF_INET, host, &a4->sin_addr) == 1 ? 0 : -1;
}

struct hh_http *hh_http_start(const char *listen, struct hh_store *store, struct hh_metrics *metrics,
			      char *err, size_t errlen)
{
	return hh_http_start_auth(listen, NULL, store, metrics, err, errlen);
}

struct hh_http *hh_http_start_auth(const char *listen, const char *token, struct hh_store *store,
				   struct hh_metrics *metrics, char *err, size_t errlen)
{
	if (token && strlen(token) >= HH_HTTP_TOKEN_MAX) {
		snprintf(err, errlen, "bearer token longer than %d characters", HH_HTTP_TOKEN_MAX - 1);
		return NULL;
	}
	struct sockaddr_storage ss;
	socklen_t sl;
	if (parse_listen(listen, &ss, &sl) < 0) {
		snprintf(err, errlen, "bad listen address '%s' (want HOST:PORT)", listen);
		return NULL;
	}
	struct hh_http *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->store = store;
	h->metrics = metrics;
	char cerr[256];
	hh_config_load(&h->defaults, NULL, cerr, sizeof(cerr));
	h->cfg = &h->defaults;
	pthread_mutex_init(&h->audit_mu, NULL);
	snprintf(h->token, sizeof(h->token), "%s", token ? token : "");
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle, h, MHD_OPTION_SOCK_ADDR, &ss,
				     MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				     MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL, MHD_OPTION_END);
	if (!h->daemon) {
		snprintf(err, errlen, "cannot listen on %s (in use or not permitted)", listen);
		pthread_mutex_destroy(&h->audit_mu);
		hh_config_free(&h->defaults);
		free(h);
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : 0;
	const char *colon = strrchr(listen, ':');
	size_t hl = (size_t)(colon - listen) < sizeof(h->listen_host) ? (size_t)(colon - listen) : 0;
	for (size_t i = 0; i < hl; i++)
		h->listen_host[i] = (char)tolower((unsigned char)listen[i]);
	h->listen_host[hl] = 0;
	h->listen_any = !strcmp(h->listen_host, "0.0.0.0") || !strcmp(h->listen_host, "[::]");
	return h;
}

int hh_http_allow_hosts(struct hh_http *h, const json_t *list)
{
	if (!json_is_array(list) || !json_array_size(list))
		return 0;
	struct allowed_hosts *a = calloc(1, sizeof(*a));
	if (!a)
		return -1;
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		if (!s || !*s || a->n >= HTTP_MAX_ALLOWED_HOSTS || strlen(s) >= sizeof(a->name[0]))
			continue;
		if (!strcmp(s, "*"))
			a->any = true;
		for (size_t k = 0; s[k]; k++)
			a->name[a->n][k] = (char)tolower((unsigned char)s[k]);
		a->n++;
	}
	struct allowed_hosts *old = atomic_exchange(&h->allowed, a);
	free(old); /* set once, before clients know the port: no request holds it */
	return 0;
}

int hh_http_port(const struct hh_http *h) { return h->port; }

void hh_http_set_config(struct hh_http *h, const struct hh_config *cfg)
{
	h->cfg = cfg ? cfg : &h->defaults;
}

void hh_http_stop(struct hh_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->daemon);
	free(atomic_load(&h->allowed));
	pthread_mutex_destroy(&h->audit_mu);
	hh_config_free(&h->defaults);
	free(h);
}
