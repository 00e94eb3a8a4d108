#include "sinks/http_incidents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sinks/incident_view.h"

bool hh_http_incidents_path(const char *url)
{
	return strcmp(url, "/incidents") == 0 || strncmp(url, "/incidents/", 11) == 0;
}

enum MHD_Result hh_http_send_page(struct MHD_Connection *conn, unsigned status, const char *type, char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	/* the pages carry no script: forbid any */
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'");
	enum MHD_Result ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result text(struct MHD_Connection *conn, unsigned status, const char *msg)
{
	char *body = strdup(msg);
	return body ? hh_http_send_page(conn, status, "text/plain; charset=utf-8", body, strlen(body)) : MHD_NO;
}

struct args {
	struct hh_incident_filter f;
	struct hh_incident_list_form form;
	double now;
	char err[256];
};

static enum MHD_Result arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct args *a = cls;
	if (!a->err[0])
		hh_incident_filter_arg(&a->f, &a->form, key, value, a->now, a->err, sizeof(a->err));
	return MHD_YES;
}

enum MHD_Result hh_http_incidents(struct MHD_Connection *conn, const char *url, struct hh_store *store,
				  const struct hh_config *cfg)
{
	char *body = NULL;
	size_t len = 0;
	if (strcmp(url, "/incidents") == 0) {
		struct args a = { .now = hh_now() };
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, arg, &a);
		a.form.error = a.err[0] ? a.err : NULL;
		FILE *fp = open_memstream(&body, &len);
		if (!fp)
			return MHD_NO;
		hh_incident_list_html(fp, store, cfg, &a.f, &a.form);
		fclose(fp);
		return hh_http_send_page(conn, a.err[0] ? 400 : 200, "text/html; charset=utf-8", body, len);
	}
	char id[64];
	const char *rest = url + 11, *slash = strchr(rest, '/');
	size_t idl = slash ? (size_t)(slash - rest) : strlen(rest);
	const char *what = slash ? slash : "";
	if (idl >= sizeof(id))
		return text(conn, 400, "incident id too long\n");
	memcpy(id, rest, idl);
	id[idl] = 0;
	if (strcmp(what, "") && strcmp(what, "/report.html") && strcmp(what, "/report.md"))
		return text(conn, 404, "not found\n");
	struct hh_incident inc;
	char err[300];
	if (!hh_incident_id_ok(id))
		return text(conn, 400, "bad incident id (1 to 12 characters of [0-9A-Za-z_.-])\n");
	if (hh_incident_load(store, cfg, id, &inc, err, sizeof(err)) < 0) {
		strcat(err, "\n");
		return text(conn, 404, err);
	}
	FILE *fp = open_memstream(&body, &len);
	if (!fp) {
		hh_incident_free(&inc);
		return MHD_NO;
	}
	if (!strcmp(what, "/report.md"))
		hh_incident_markdown(fp, &inc);
	else
		hh_incident_html(fp, &inc, what[0] != 0);
	fclose(fp);
	hh_incident_free(&inc);
	return hh_http_send_page(conn, 200, what[0] && !strcmp(what, "/report.md") ? "text/markdown; charset=utf-8"
								    : "text/html; charset=utf-8",
		    body, len);
}
